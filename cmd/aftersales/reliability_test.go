package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
)

var martTables = []string{"mart_store_month", "mart_tech_month", "mart_advisor_month", "mart_payroll", "mart_parts_month", "mart_comebacks", "mart_benchmark"}

func martSums(t *testing.T, dir, dbf string) string {
	t.Helper()
	var b strings.Builder
	for _, tb := range martTables {
		r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", fmt.Sprintf("SELECT count(*), sum(hash(t)) FROM %s t", tb))
		if r.code != 0 {
			t.Fatalf("%s: %s", tb, r.stderr)
		}
		b.WriteString(tb + " " + strings.Split(r.stdout, "\r\n")[1] + "\n")
	}
	// data quality without the freshness line (it names the time of the last ingest)
	r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", `SELECT count(*), sum(hash(t)) FROM mart_data_quality t WHERE "check" <> 'freshness'`)
	b.WriteString("dq " + r.stdout)
	return b.String()
}

// TestShuffledIngestGivesIdenticalMarts: the same files in three random orders, some given
// ingestedSample makes sample exports of stores × months under dir and ingests them into
// dir/d/a.duckdb; it returns the exports' folder and the database.
func ingestedSample(t *testing.T, dir string, stores, months int) (in, dbf string) {
	t.Helper()
	in = sampleFiles(t, dir, stores, months)
	dbf = filepath.Join(dir, "d", "a.duckdb")
	if r := runBin(t, dir, "ingest", "--db", dbf, "-q", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	return in, dbf
}

// twice, give identical marts.
func TestShuffledIngestGivesIdenticalMarts(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 2, 2)
	var files []string
	filepath.Walk(in, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var first string
	for trial := 0; trial < 3; trial++ {
		rng := rand.New(rand.NewPCG(uint64(trial), 7))
		order := append([]string(nil), files...)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		order = append(order, order[:5]...) // duplicates
		dbf := filepath.Join(dir, fmt.Sprintf("s%d", trial), "a.duckdb")
		if r := runBin(t, dir, append([]string{"ingest", "--db", dbf, "-q"}, order...)...); r.code != 0 {
			t.Fatalf("ingest: %s", r.stderr)
		}
		if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
			t.Fatalf("transform: %s", r.stderr)
		}
		s := martSums(t, dir, dbf)
		if trial == 0 {
			first = s
		} else if s != first {
			t.Fatalf("order %d gives different marts:\n%s\nfirst:\n%s", trial, s, first)
		}
	}
}

// TestWhichExportWins: of two exports with the same keys, the one ingested later wins, whatever
// their content or names (documented in ingest/DETAILS.md).
func TestWhichExportWins(t *testing.T) {
	dir := t.TempDir()
	v1, _ := filepath.Abs(filepath.Join("..", "..", "ingest", "testdata", "reexport_v1.csv"))
	v2, _ := filepath.Abs(filepath.Join("..", "..", "ingest", "testdata", "reexport_v2.csv"))
	for _, c := range []struct {
		order []string
		want  string
	}{{[]string{v1, v2}, "110.00"}, {[]string{v2, v1}, "100.00"}} {
		dbf := filepath.Join(dir, fmt.Sprint(len(c.want), c.want), "a.duckdb")
		for _, f := range c.order {
			runBin(t, dir, "ingest", "--db", dbf, f)
		}
		r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT labor_amount FROM raw_work_orders WHERE order_no = 'E1'")
		if !strings.Contains(r.stdout, c.want) {
			t.Errorf("order %v: E1 = %q, want %s (the later ingest wins)", c.order, r.stdout, c.want)
		}
	}
}

// TestRecoveryFromDamagedDatabase: a database that cannot be opened says so and how to fix it;
// rebuild recovers everything from the lake.
func TestRecoveryFromDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 1, 2)
	dbf := filepath.Join(dir, "d", "a.duckdb")
	runBin(t, dir, "ingest", "--db", dbf, "-q", in)
	sum := func() string {
		r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*), sum(hash(t)) FROM raw_work_orders t")
		return r.stdout + r.stderr
	}
	before := sum()
	for _, damage := range []func(){
		func() { // the file overwritten in its header
			f, _ := os.OpenFile(dbf, os.O_WRONLY, 0)
			f.WriteAt([]byte("this is not a database, it was overwritten by mistake"), 0)
			f.Close()
		},
		func() { // a WAL that cannot be replayed
			os.WriteFile(dbf+".wal", []byte("garbage garbage garbage garbage garbage garbage garbage"), 0o644)
		},
	} {
		damage()
		r := runBin(t, dir, "query", "--db", dbf, "SELECT count(*) FROM raw_work_orders")
		if r.code == 0 {
			// DuckDB may ignore a WAL it cannot read; then there is nothing to recover
			if !strings.Contains(sum(), strings.Split(before, "\r\n")[1]) {
				t.Fatalf("the damaged database opened with different data: %s", sum())
			}
			continue
		}
		if !strings.Contains(r.stderr, "aftersales rebuild") {
			t.Errorf("a damaged database: the message does not say how to recover: %s", r.stderr)
		}
		if r := runBin(t, dir, "rebuild", "--db", dbf); r.code != 0 {
			t.Fatalf("rebuild: %s", r.stderr)
		}
		if after := sum(); after != before {
			t.Errorf("rebuild did not recover the data:\n%s\n%s", after, before)
		}
	}
}

// TestDatabaseBehindItsLake: a database deleted while its lake was kept is not silently given
// a new history in that lake (a rebuild would then mix both): ingest refuses with the way out,
// and after `rebuild` the database and its lake load on together.
func TestDatabaseBehindItsLake(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 2, 1)
	dbf := filepath.Join(dir, "d", "a.duckdb")
	if r := runBin(t, dir, "ingest", "--db", dbf, "-q", filepath.Join(in, "S001")); r.code != 0 {
		t.Fatal(r.stderr)
	}
	os.Remove(dbf)
	os.Remove(dbf + ".wal")
	r := runBin(t, dir, "ingest", "--db", dbf, "-q", filepath.Join(in, "S002"))
	if r.code != 1 || !strings.Contains(r.stderr, "aftersales rebuild") || !strings.Contains(r.stderr, dbf) || !strings.Contains(r.stderr, "--lake") {
		t.Fatalf("ingest into a new database beside an old lake: exit %d\n%s", r.code, r.stderr)
	}
	if r := runBin(t, dir, "rebuild", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runBin(t, dir, "ingest", "--db", dbf, "-q", filepath.Join(in, "S002")); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT string_agg(DISTINCT store_id, ' ' ORDER BY store_id) FROM raw_work_orders")
	if !strings.Contains(r.stdout, "S001 S002") {
		t.Errorf("after rebuild and ingest: %s %s", r.stdout, r.stderr)
	}
}

// TestRebuildFromALakeWithHoles: a lake that lacks some of the database's files (here loaded with
// another --lake) is not rebuilt from silently: the database is left as it was unless --partial.
func TestRebuildFromALakeWithHoles(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 2, 1)
	dbf := filepath.Join(dir, "d", "a.duckdb")
	other := filepath.Join(dir, "other-lake")
	if r := runBin(t, dir, "ingest", "--db", dbf, "--lake", other, "-q", filepath.Join(in, "S001")); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runBin(t, dir, "ingest", "--db", dbf, "-q", filepath.Join(in, "S002")); r.code != 0 {
		t.Fatal(r.stderr)
	} else if !strings.Contains(r.stderr, "holds none of the") {
		t.Errorf("ingest into a database whose files are in another lake says nothing: %q", r.stderr)
	}
	stores := func() string {
		r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT string_agg(DISTINCT store_id, ' ' ORDER BY store_id) FROM raw_work_orders")
		return r.stdout
	}
	before := stores()
	if !strings.Contains(before, "S001 S002") {
		t.Fatalf("setup: %s", before)
	}
	r := runBin(t, dir, "rebuild", "--db", dbf)
	if r.code != 1 || !strings.Contains(r.stderr, "--partial") || !strings.Contains(r.stderr, "file_id 1–") {
		t.Fatalf("rebuild from a lake with holes: exit %d\n%s", r.code, r.stderr)
	}
	if after := stores(); after != before {
		t.Errorf("the refused rebuild changed the database: %s", after)
	}
	if r := runBin(t, dir, "rebuild", "--db", dbf, "--partial"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if after := stores(); !strings.Contains(after, "S002") || strings.Contains(after, "S001") {
		t.Errorf("after rebuild --partial: %s", after)
	}
}

// TestRebuildAfterACrashAtTheRename: an ingest killed between its commit and the rename of its
// manifest entry leaves the entry pending; `rebuild` of the database (which holds the batch)
// settles it first and keeps the batch.
func TestRebuildAfterACrashAtTheRename(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 2, 1)
	dbf := filepath.Join(dir, "d", "a.duckdb")
	for _, s := range []string{"S001", "S002"} {
		if r := runBin(t, dir, "ingest", "--db", dbf, "-q", filepath.Join(in, s)); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "d", "lake", "_manifest", "*.json"))
	if len(entries) != 2 {
		t.Fatalf("entries: %v", entries)
	}
	os.Rename(entries[1], entries[1]+".pending")
	if r := runBin(t, dir, "rebuild", "--db", dbf); r.code != 0 || strings.Contains(r.stdout, "left out") {
		t.Fatalf("rebuild: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT string_agg(DISTINCT store_id, ' ' ORDER BY store_id) FROM raw_work_orders")
	if !strings.Contains(r.stdout, "S001 S002") {
		t.Errorf("after rebuild: %s %s", r.stdout, r.stderr)
	}
	if _, err := os.Stat(entries[1]); err != nil {
		t.Errorf("the pending entry was not settled: %v", err)
	}
}

// TestRebuildWhileAWriterRuns: rebuild does not replace a database another process is writing
// (its commits would go to the replaced file): it says who holds it, and changes nothing.
func TestRebuildWhileAWriterRuns(t *testing.T) {
	dir := t.TempDir()
	_, dbf := ingestedSample(t, dir, 1, 1)
	w, err := db.Open(dbf, false) // the writer: this test process
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`CREATE TABLE writer_was_here AS SELECT 1 AS x`); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, dir, "rebuild", "--db", dbf)
	if r.code != 1 || !strings.Contains(r.stderr, "in use by process") {
		t.Errorf("rebuild beside a writer: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var n int
	if err := w.QueryRow(`SELECT count(*) FROM writer_was_here`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the writer's table: %d %v", n, err)
	}
	w.Close()
	r = runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM writer_was_here")
	if r.code != 0 {
		t.Errorf("the writer's work was dropped: %s", r.stderr)
	}
}

// TestIngestLeavesLakesAlone: a lake is not a folder of exports — given as one it is refused, and
// one found inside a folder (whatever its name) is skipped: its Parquet files are copies of files
// already loaded, without their paths.
func TestIngestLeavesLakesAlone(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 1, 1)
	dbf := filepath.Join(dir, "d", "a.duckdb")
	lake := filepath.Join(dir, "exports", "copies")
	if r := runBin(t, dir, "ingest", "--db", dbf, "--lake", lake, "-q", in); r.code != 0 {
		t.Fatal(r.stderr)
	}
	other := filepath.Join(dir, "other.duckdb")
	if r := runBin(t, dir, "ingest", "--db", other, lake); r.code != 2 || !strings.Contains(r.stderr, "is a lake") {
		t.Errorf("a lake given as the folder to ingest: exit %d %s", r.code, r.stderr)
	}
	copies, _ := filepath.Glob(filepath.Join(lake, "work_orders", "*", "*.parquet"))
	if len(copies) == 0 {
		t.Fatal("no lake file")
	}
	if r := runBin(t, dir, "ingest", "--db", other, copies[0]); r.code != 2 || !strings.Contains(r.stderr, "is a file of the lake") {
		t.Errorf("a lake file named on the command line: exit %d %s", r.code, r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "exports", "notes.csv"), []byte("store_id,store_name\nS9,九号店\n"), 0o644)
	r := runBin(t, dir, "ingest", "--db", other, "-q", filepath.Join(dir, "exports"))
	if r.code != 0 || !strings.HasPrefix(r.stdout, "1 file(s)") {
		t.Errorf("a folder holding a lake: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestUnwritableOutputs: an output location that cannot be written gives a clear error naming
// it, and earlier outputs stay as they were.
func TestUnwritableOutputs(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 1, 2)
	dbf := filepath.Join(dir, "d", "a.duckdb")
	runBin(t, dir, "ingest", "--db", dbf, "-q", in)
	runBin(t, dir, "transform", "--db", dbf)
	good := filepath.Join(dir, "r.xlsx")
	if r := runBin(t, dir, "report", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", good); r.code != 0 {
		t.Fatal(r.stderr)
	}
	orig, _ := os.ReadFile(good)
	blocker := filepath.Join(dir, "a-file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	for _, args := range [][]string{
		{"report", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", filepath.Join(blocker, "r.xlsx")},
		{"payroll", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", filepath.Join(blocker, "p.xlsx")},
		{"dashboards", "--db", dbf, "--out", filepath.Join(blocker, "dash")},
		{"report", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", dir}, // a folder in the way
	} {
		r := runBin(t, dir, args...)
		if r.code != 1 || !strings.Contains(r.stderr, dir) {
			t.Errorf("%v: exit %d, %q (want exit 1 naming the location)", args[0], r.code, r.stderr)
		}
	}
	if now, _ := os.ReadFile(good); string(now) != string(orig) {
		t.Error("an earlier output changed")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".aftersales-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestWrongPathsSaySo: a folder given as --db, or a file as --lake, is named as such with the
// form expected.
func TestWrongPathsSaySo(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 1, 1)
	parts := filepath.Join(in, "S001", "parts.csv")
	os.MkdirAll(filepath.Join(dir, "adir"), 0o755)
	if r := runBin(t, dir, "ingest", "--db", "adir", parts); r.code != 1 || !strings.Contains(r.stderr, "adir is a folder: --db names the database file") {
		t.Errorf("--db a folder: exit %d %s", r.code, r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "afile"), nil, 0o644)
	if r := runBin(t, dir, "ingest", "--db", "b/a.duckdb", "--lake", "afile", parts); r.code != 1 || !strings.Contains(r.stderr, "the lake afile is a file") {
		t.Errorf("--lake a file: exit %d %s", r.code, r.stderr)
	}
}

// TestQueryParamsChecked: a named query's month that is not one is refused with the form, and a
// store no work order carries gets a note listing the stores there are (not just an empty table);
// a report or a payroll of a store-month without rows says which stores and months the marts hold.
func TestQueryParamsChecked(t *testing.T) {
	dir := t.TempDir()
	_, dbf := ingestedSample(t, dir, 1, 1)
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runBin(t, dir, "query", "--db", dbf, "abc_pareto", "--param", "store=S001", "--param", "month=2026-13"); r.code != 2 || !strings.Contains(r.stderr, "YYYY-MM") {
		t.Errorf("month=2026-13: exit %d %s", r.code, r.stderr)
	}
	if r := runBin(t, dir, "query", "--db", dbf, "abc_pareto", "--param", "store=S1", "--param", "month=2026-10"); r.code != 0 || !strings.Contains(r.stderr, `no work order of store "S1"`) || !strings.Contains(r.stderr, "S001") {
		t.Errorf("store=S1: exit %d %s", r.code, r.stderr)
	}
	if r := runBin(t, dir, "query", "--db", dbf, "abc_pareto", "--param", "store=S001", "--param", "month=2026-10"); r.code != 0 || r.stderr != "" {
		t.Errorf("store=S001: exit %d %s", r.code, r.stderr)
	}
	// the monthly report of a store-month the marts do not hold says what they hold
	r := runBin(t, dir, "report", "--db", dbf, "--store", "S1", "--month", "2026-10", "--xlsx", filepath.Join(dir, "r.xlsx"))
	if r.code != 1 || !strings.Contains(r.stderr, "the marts hold stores S001, months 2026-10 … 2026-10") {
		t.Errorf("report of store S1: exit %d %s", r.code, r.stderr)
	}
	// and so does the payroll, printed or as a workbook
	for _, args := range [][]string{
		{"payroll", "--db", dbf, "--store", "s001", "--month", "2026-10"},
		{"payroll", "--db", dbf, "--store", "S001", "--month", "2026-11", "--xlsx", filepath.Join(dir, "p.xlsx")},
	} {
		if r := runBin(t, dir, args...); r.code != 1 || !strings.Contains(r.stderr, "(the payroll holds stores S001, months 2026-10 … 2026-10)") {
			t.Errorf("%v: exit %d %s", args[3:], r.code, r.stderr)
		}
	}
}

// TestSettingsForAStoreWithoutData: settings of their own for a store no loaded data carries (a
// mistyped id) are named after the transform, with the stores there are; a store that has data
// gets no note.
func TestSettingsForAStoreWithoutData(t *testing.T) {
	dir := t.TempDir()
	_, dbf := ingestedSample(t, dir, 1, 1)
	cfg := filepath.Join(dir, "s.yaml")
	os.WriteFile(cfg, []byte("stores:\n  s001:\n    pool_rate: 0.3\n  S001:\n    ss_divisor: 30\n"), 0o644)
	r := runBin(t, dir, "transform", "--db", dbf, "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stderr, "give store s001 settings of its own, but no loaded data carries that store (stores with data: S001)") {
		t.Errorf("a store id without data: exit %d, stderr %q", r.code, r.stderr)
	}
	os.WriteFile(cfg, []byte("stores:\n  S001:\n    pool_rate: 0.3\n"), 0o644)
	if r := runBin(t, dir, "transform", "--db", dbf, "--config", cfg); r.code != 0 || strings.Contains(r.stderr, "settings of its own") {
		t.Errorf("a store with data: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestRebuildRefusesAnotherFile: `rebuild --db` naming a workbook beside the lake (a slip of the
// --db) does not replace the workbook with a database.
func TestRebuildRefusesAnotherFile(t *testing.T) {
	dir := t.TempDir()
	_, dbf := ingestedSample(t, dir, 1, 1)
	book := filepath.Join(filepath.Dir(dbf), "月报.xlsx")
	body := append([]byte("PK\x03\x04"), []byte(strings.Repeat("x", 100))...)
	os.WriteFile(book, body, 0o644)
	r := runBin(t, dir, "rebuild", "--db", book)
	if r.code != 1 || !strings.Contains(r.stderr, "is not a DuckDB database but an Excel workbook or another zip file: rebuild would replace it") {
		t.Errorf("rebuild --db a workbook: exit %d, stderr %q", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(book); string(got) != string(body) {
		t.Error("rebuild replaced the workbook")
	}
	if r := runBin(t, dir, "status", "--db", book); r.code != 1 || strings.Contains(r.stderr, "rebuild") {
		t.Errorf("status --db a workbook suggests a rebuild: exit %d, stderr %q", r.code, r.stderr)
	}
}
