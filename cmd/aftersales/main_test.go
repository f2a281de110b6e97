package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var bin string

// TestMain builds the binary once; the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "aftersales-bin")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "aftersales")
	if b := os.Getenv("AFTERSALES_TEST_BIN"); b != "" {
		// another build of aftersales, or a script that runs one (the Windows build under Wine:
		// internal/winbuild/README.md)
		bin = b
	} else if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// runBin runs the binary with English messages (AFTERSALES_LANG=en: the tests' assertions read
// the English of each message; TestChineseByDefault runs it as users do, in Chinese). A --lang
// among args still decides.
func runBin(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runBinLang(t, "en", dir, args...)
}

// runBinLang runs the binary with AFTERSALES_LANG=lang ("": unset, the default).
func runBinLang(t *testing.T, lang, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AFTERSALES_LANG="+lang)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, so.String(), se.String()}
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"frobnicate"},
		{"ingest", "--db", "x.duckdb"},
		{"ingest", "--bogus-flag"},
		{"query", "--db", "x.duckdb", "--format", "yaml", "SELECT 1"},
		{"query", "--db", "x.duckdb"},
		{"payroll", "--db", "x.duckdb", "--store", "S1"},
		{"payroll", "--db", "x.duckdb", "--store", "S1", "--month", "2026-13"},
		{"payroll", "--db", "x.duckdb", "--store", "S1", "--month", "2026-03", "--reopen"},
		{"report", "--db", "x.duckdb", "--store", "S1"},
		{"report", "--db", "x.duckdb", "--benchmark", "--store", "S1", "--month", "2026-03", "--xlsx", "b.xlsx"},
		{"report", "--db", "x.duckdb", "--benchmark"},
		{"dashboards", "--db", "x.duckdb"},
		{"gen", "--stores", "0", "--out", "x"},
		{"ingest", "--db", "x.duckdb", "no-such-file.csv"},
	} {
		r := runBin(t, dir, args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "aftersales:") {
			t.Errorf("%v: no message on stderr", args)
		}
	}
	// a writer given a database that does not exist creates nothing and says so
	for _, args := range [][]string{
		{"transform", "--db", "typo.duckdb"},
		{"payroll", "--db", "typo.duckdb", "--store", "S1", "--month", "2026-03", "--close", "--reason", "x"},
	} {
		r := runBin(t, dir, args...)
		if r.code == 0 || !strings.Contains(r.stderr, "typo.duckdb does not exist yet") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "typo.duckdb")); err == nil {
			t.Errorf("%v created the database", args)
		}
	}
	if r := runBin(t, dir, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "aftersales ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
	for _, verb := range []string{"ingest", "transform", "dashboards", "payroll", "report", "query", "gen", "demo", "rebuild"} {
		r := runBin(t, dir, verb, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help: exit %d, no examples", verb, r.code)
		}
	}
}

// TestReadersBeforeAnyTransform: the verbs that read the marts, on a database loaded but never
// transformed, say to run transform (they used to pass on DuckDB's "Table with name
// mart_store_month does not exist!"), exit 1 and write nothing.
func TestReadersBeforeAnyTransform(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stores.csv"), []byte("store_id,store_name\nS1,一店\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runBin(t, dir, "ingest", "--db", "a.duckdb", "stores.csv"); r.code != 0 {
		t.Fatalf("ingest: %d %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"dashboards", "--db", "a.duckdb", "--out", "dash"},
		{"dashboards", "--db", "a.duckdb", "--out", "dash", "--store", "S1"},
		{"report", "--db", "a.duckdb", "--store", "S1", "--month", "2026-03", "--xlsx", "r.xlsx"},
		{"report", "--db", "a.duckdb", "--all-stores", "--month", "2026-03", "--out-dir", "reports"},
		{"report", "--db", "a.duckdb", "--benchmark", "--month", "2026-03", "--xlsx", "b.xlsx"},
		{"payroll", "--db", "a.duckdb", "--store", "S1", "--month", "2026-03"},
		{"payroll", "--db", "a.duckdb", "--all-stores", "--month", "2026-03", "--out-dir", "pay"},
	} {
		r := runBin(t, dir, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no transform has run on a.duckdb yet") ||
			!strings.Contains(r.stderr, "aftersales transform --db a.duckdb") || strings.Contains(r.stderr, "Catalog Error") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	// a query of a mart says so beside DuckDB's error; one of a table no transform makes does not
	for _, q := range [][]string{{"--param", "store=S1", "monthly_review"}, {"settings_in_force"}, {"SELECT count(*) FROM mart_payroll"}} {
		r := runBin(t, dir, append([]string{"query", "--db", "a.duckdb"}, q...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "no transform has run on a.duckdb yet") {
			t.Errorf("query %s: exit %d, stderr %q", q, r.code, r.stderr)
		}
	}
	if r := runBin(t, dir, "query", "--db", "a.duckdb", "SELECT * FROM raw_typo"); r.code != 1 || strings.Contains(r.stderr, "no transform") {
		t.Errorf("query of a missing raw table: exit %d, stderr %q", r.code, r.stderr)
	}
	// DuckDB's error as it is, and under it what to do about its class
	for q, hint := range map[string]string{
		"SELECT * FROM raw_typo":                      "a table, view or function of that name does not exist: `aftersales query --db a.duckdb \"SHOW TABLES\"` lists",
		"SELEC 1":                                     "the SQL is not valid: check the words at the ^ mark",
		"SELECT store_nam FROM raw_stores":            "a column named in the query is not in its tables, or a value does not fit its type: `aftersales query --db a.duckdb \"DESCRIBE table\"`",
		"SELECT * FROM raw_stores WHERE store_id = 5": "a value cannot be converted to the type the query asks for",
		"DELETE FROM raw_stores":                      "query only reads the database",
	} {
		if r := runBin(t, dir, "query", "--db", "a.duckdb", q); r.code != 1 || !strings.Contains(r.stderr, "running the query: ") || !strings.Contains(r.stderr, "\n("+hint) {
			t.Errorf("query %q: exit %d, stderr %q, want the hint %q", q, r.code, r.stderr, hint)
		}
	}
	if r := runBinLang(t, "zh", dir, "query", "--db", "a.duckdb", "SELECT * FROM raw_typo"); !strings.Contains(r.stderr, "Catalog Error") || !strings.Contains(r.stderr, "（没有这个名称的表、视图或函数") {
		t.Errorf("query in Chinese: %q", r.stderr)
	}
	if r := runBin(t, dir, "query", "--db", "a.duckdb", "SELECT store_name FROM raw_stores"); r.code != 0 || !strings.Contains(r.stdout, "一店") {
		t.Errorf("query of a raw table before any transform: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	for _, out := range []string{"dash", "r.xlsx", "reports", "pay"} {
		if _, err := os.Stat(filepath.Join(dir, out)); err == nil {
			t.Errorf("%s written", out)
		}
	}
}

func sampleFiles(t *testing.T, dir string, stores, months int) string {
	t.Helper()
	in := filepath.Join(dir, "in")
	if r := runBin(t, dir, "gen", "--stores", fmt.Sprint(stores), "--months", fmt.Sprint(months), "--seed", "5", "--out", in,
		"--min-orders", "150", "--max-orders", "200", "--parts", "80"); r.code != 0 {
		t.Fatalf("gen: %d %s", r.code, r.stderr)
	}
	return in
}

func TestPipelineAndOutputContracts(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 2, 3)
	// what an office folder also holds: Windows' thumbnail cache and folder settings, a PDF,
	// Excel's lock file of an open workbook, a Mac's folder file
	for _, junk := range []string{"Thumbs.db", "desktop.ini", "说明.pdf", "~$工单.xlsx", ".DS_Store"} {
		os.WriteFile(filepath.Join(in, junk), []byte("\x00\x01 not data"), 0o644)
	}
	// (and an XML file that is not an Excel 2003 XML spreadsheet)
	os.WriteFile(filepath.Join(in, "config.xml"), []byte(`<?xml version="1.0"?><config/>`), 0o644)
	dbf := filepath.Join(dir, "db", "a.duckdb")
	r := runBin(t, dir, "ingest", "--db", dbf, in)
	if r.code != 0 || !strings.Contains(r.stdout, "rejected") {
		t.Fatalf("ingest: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Thumbs.db: not read") || !strings.Contains(r.stdout, "说明.pdf: not read") || !strings.Contains(r.stdout, "config.xml: not read") || strings.Contains(r.stdout, "~$") {
		t.Errorf("the folder's other files are not named as left aside:\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "db", "lake", "_manifest")); err != nil {
		t.Error("the lake is not beside the database")
	}
	// the same files again: all duplicates, exit 0
	if r := runBin(t, dir, "ingest", "--db", dbf, in); r.code != 0 || strings.Count(r.stdout, "duplicate") < 10 {
		t.Errorf("re-ingest: %d %s", r.code, r.stdout)
	} else if n := strings.Count(r.stdout, "duplicate —"); !strings.Contains(r.stdout, fmt.Sprintf("%d file(s) loaded before (the same content): nothing to do for them", n)) {
		t.Errorf("the summary does not count the %d duplicates: %s", n, r.stdout[max(0, len(r.stdout)-300):])
	}
	// --strict with dirty rows: exit 1
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("store_id,order_no,vin,order_type,opened_at,status\nS001,Z1,BADVIN,repair,2026-01-01,open\n"), 0o644)
	if r := runBin(t, dir, "ingest", "--db", dbf, "--strict", bad); r.code != 1 || !strings.Contains(r.stdout, "row 2 column vin") {
		t.Errorf("--strict: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// a file rejected whole: exit 1, the others still load
	xls := filepath.Join(dir, "old.xls")
	os.WriteFile(xls, append([]byte{0xD0, 0xCF, 0x11, 0xE0}, make([]byte, 600)...), 0o644)
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("门店编号,门店名称\nS009,新店\n"), 0o644)
	if r := runBin(t, dir, "ingest", "--db", dbf, xls, good); r.code != 1 || !strings.Contains(r.stdout, "save it as .xlsx") {
		t.Errorf("rejected file: %d %s", r.code, r.stdout)
	}
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatalf("transform: %d %s", r.code, r.stderr)
	}
	// query --format csv: RFC 4180 with a header row and nothing else on stdout
	r = runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT store_id, store_name FROM raw_stores ORDER BY store_id")
	if r.code != 0 {
		t.Fatalf("query: %d %s", r.code, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) < 3 || recs[0][0] != "store_id" || recs[len(recs)-1][0] != "S009" || !strings.Contains(r.stdout, "\r\n") {
		t.Errorf("csv output: %v %q", err, r.stdout)
	}
	r = runBin(t, dir, "query", "--db", dbf, "--format", "json", "monthly_review", "--param", "store=S001")
	if r.code != 0 || !strings.Contains(r.stdout, `"kpi": "ftfr"`) {
		t.Errorf("named query json: %d %s", r.code, r.stderr)
	}
	// the formats are written row by row as they are read: json keeps its layout (an array of
	// objects, keys sorted, two-space indent), the table shows its first 10,000 rows and says so
	r = runBin(t, dir, "query", "--db", dbf, "--format", "json", "SELECT i AS n, 'a<b' AS s, NULL AS z FROM range(2) t(i)")
	if want := "[\n  {\n    \"n\": 0,\n    \"s\": \"a\\u003cb\",\n    \"z\": null\n  },\n  {\n    \"n\": 1,\n    \"s\": \"a\\u003cb\",\n    \"z\": null\n  }\n]\n"; r.stdout != want {
		t.Errorf("json output %q, want %q", r.stdout, want)
	}
	if r = runBin(t, dir, "query", "--db", dbf, "--format", "json", "SELECT 1 AS n WHERE false"); r.stdout != "[]\n" {
		t.Errorf("empty json %q", r.stdout)
	}
	r = runBin(t, dir, "query", "--db", dbf, "SELECT i FROM range(10005) t(i)")
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 10002 || !strings.HasPrefix(lines[10001], "(10005 rows, the first 10000 shown") {
		t.Errorf("table of 10,005 rows: %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	if r := runBin(t, dir, "query", "--db", dbf, "--list"); r.code != 0 || !strings.Contains(r.stdout, "service_due") {
		t.Errorf("--list: %d", r.code)
	}
	// read-only: a query cannot change data
	if r := runBin(t, dir, "query", "--db", dbf, "DELETE FROM raw_stores"); r.code != 1 || !strings.Contains(strings.ToLower(r.stderr), "read-only") {
		t.Errorf("a write through query: exit %d %s", r.code, r.stderr)
	}
	if r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) n FROM raw_stores"); !strings.Contains(r.stdout, "3") {
		t.Errorf("raw_stores changed: %s", r.stdout)
	}
	// payroll workbook, report and dashboards from the command line
	for _, args := range [][]string{
		{"payroll", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", filepath.Join(dir, "p.xlsx")},
		{"report", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", filepath.Join(dir, "r.xlsx"), "--lang", "en"},
		{"dashboards", "--db", dbf, "--out", filepath.Join(dir, "dash"), "--month", "2026-09"},
		{"payroll", "--db", dbf, "--all-stores", "--month", "2026-09", "--out-dir", filepath.Join(dir, "pay")},
		{"report", "--db", dbf, "--all-stores", "--month", "2026-09", "--out-dir", filepath.Join(dir, "rep")},
	} {
		if r := runBin(t, dir, args...); r.code != 0 {
			t.Errorf("%v: %d %s", args[0], r.code, r.stderr)
		}
	}
	// without --xlsx, a report and the benchmark workbook are written here under the names
	// --all-stores gives them
	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"--store", "S001", "--month", "2026-09"}, "月报-S001-2026-09.xlsx"},
		{[]string{"--benchmark", "--month", "2026-09"}, "集团对标-2026-09.xlsx"},
	} {
		r := runBin(t, dir, append([]string{"report", "--db", dbf}, c.args...)...)
		if p := filepath.Join(dir, c.file); r.code != 0 || r.stdout != "wrote "+p+"\n" {
			t.Errorf("report %v: exit %d, %q%s", c.args, r.code, r.stdout, r.stderr)
		} else if got, want := sheetsOf(t, p), sheetsOf(t, filepath.Join(dir, "rep", c.file)); got == "" || got != want {
			t.Errorf("report %v: %s differs from --all-stores'", c.args, c.file)
		}
	}
	// aftersales' own workbooks are not exports: in a folder (by their names) left aside, named
	// on the command line rejected with what they are
	own := filepath.Join(dir, "own", "a.duckdb")
	if r := runBin(t, dir, "ingest", "--db", own, filepath.Join(dir, "pay"), filepath.Join(dir, "rep")); r.code != 0 ||
		!regexp.MustCompile(`工资表-S001-2026-09\.xlsx: not read — a workbook aftersales wrote \("S001 2026-09 [^"]+"\), not a DMS export`).MatchString(r.stdout) ||
		!regexp.MustCompile(`月报-S001-2026-09\.xlsx: not read — a workbook aftersales wrote \("S001 .*2026-09 [^"]+"\), not a DMS export`).MatchString(r.stdout) ||
		!regexp.MustCompile(`集团对标-2026-09\.xlsx: not read — a workbook aftersales wrote \("[^"]*2026-09"\), not a DMS export`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "0 file(s): read 0") {
		t.Errorf("ingest of folders of payroll, report and benchmark workbooks: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, dir, "ingest", "--db", own, filepath.Join(dir, "r.xlsx")); r.code != 1 ||
		!regexp.MustCompile(`r\.xlsx: REJECTED — this is a workbook aftersales wrote \("S001 .*2026-09.*"\), not a DMS export: keep the reports, payroll sheets and benchmark workbooks out of the folders you ingest`).MatchString(r.stdout) {
		t.Errorf("ingest of a report workbook: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// the printed payroll speaks the clerk's language: Chinese by default, English with --lang en
	for lang, want := range map[string][]string{"zh": {"工号", "应发工资", "状态", "主修", "未关账"}, "en": {"Tech ID", "Pay", "Status", "lead", "open"}} {
		r := runBin(t, dir, "payroll", "--db", dbf, "--store", "S001", "--month", "2026-09", "--lang", lang)
		for _, w := range want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("payroll --lang %s: exit %d, no %q in\n%s", lang, r.code, w, r.stdout)
			}
		}
	}
	// a month typed as the exports write it is the same month: 2026年9月, 2026/9 and 2026.9 print
	// what 2026-09 prints; the dashboards' file names say 2026-09
	base := runBin(t, dir, "payroll", "--db", dbf, "--store", "S001", "--month", "2026-09")
	for _, m := range []string{"2026年9月", "2026/9", "2026.9", " 2026-9 "} {
		if r := runBin(t, dir, "payroll", "--db", dbf, "--store", "S001", "--month", m); r.code != 0 || r.stdout != base.stdout {
			t.Errorf("payroll --month %q: exit %d, and it printed other than --month 2026-09:\n%s%s", m, r.code, r.stdout, r.stderr)
		}
	}
	if r := runBin(t, dir, "dashboards", "--db", dbf, "--out", filepath.Join(dir, "dash-m"), "--store", "S001", "--month", "2026年9月"); r.code != 0 {
		t.Errorf("dashboards --month 2026年9月: exit %d %s", r.code, r.stderr)
	} else if _, err := os.Stat(filepath.Join(dir, "dash-m", "store-S001-2026-09.html")); err != nil {
		t.Errorf("dashboards --month 2026年9月: no store-S001-2026-09.html: %v", err)
	}
	if r := runBin(t, dir, "payroll", "--db", dbf, "--store", "S001", "--month", "202609"); r.code != 2 || !strings.Contains(r.stderr, `--month "202609" is not a month: write 2026-09`) {
		t.Errorf("payroll --month 202609: exit %d, stderr %q", r.code, r.stderr)
	}
	// outputs are readable by others (temporary files are 0600 until renamed)
	for _, f := range []string{filepath.Join(dir, "p.xlsx"), filepath.Join(dir, "dash", "index.html")} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v %v, want 0644", f, st.Mode().Perm(), err)
		}
	}
	// --all-stores (a worker per processor) writes one workbook per store, each the same as --store's
	if got, want := sheetsOf(t, filepath.Join(dir, "pay", "工资表-S001-2026-09.xlsx")), sheetsOf(t, filepath.Join(dir, "p.xlsx")); got == "" || got != want {
		t.Errorf("--all-stores workbook of S001 differs from --store S001's")
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "pay")); len(ents) != 2 {
		t.Errorf("--all-stores wrote %d workbooks, want 2", len(ents))
	}
	// rebuild gives identical raw and manifest tables
	sum := func() string {
		var b strings.Builder
		for _, tb := range []string{"ingest_files", "ingest_rejects", "raw_stores", "raw_work_orders", "raw_order_jobs", "raw_parts_movements", "raw_callbacks", "raw_technicians", "raw_attendance", "raw_parts"} {
			r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", fmt.Sprintf("SELECT count(*), sum(hash(COLUMNS(*))) FROM %s", tb))
			b.WriteString(tb + r.stdout)
		}
		return b.String()
	}
	before := sum()
	if r := runBin(t, dir, "rebuild", "--db", dbf); r.code != 0 {
		t.Fatalf("rebuild: %d %s", r.code, r.stderr)
	}
	if after := sum(); after != before {
		t.Errorf("rebuild changed the tables:\n%s\n%s", before, after)
	}
}

func TestSecondWriterAndReaders(t *testing.T) {
	dir := t.TempDir()
	dbf := filepath.Join(dir, "a.duckdb")
	good := filepath.Join(dir, "s.csv")
	os.WriteFile(good, []byte("门店编号,门店名称\nS001,店\n"), 0o644)
	if r := runBin(t, dir, "ingest", "--db", dbf, good); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// a writer holds the file (a slow ingest of a big folder would; here: a held transform)
	hold := exec.Command("sh", "-c", fmt.Sprintf("%s demo --out %s --sample %s >/dev/null 2>&1", bin, filepath.Join(dir, "held"), filepath.Join(dir, "sample")))
	hold.Dir = dir
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer hold.Process.Kill()
	heldDB := filepath.Join(dir, "held", "aftersales.duckdb")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(heldDB); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	r := runBin(t, dir, "ingest", "--db", heldDB, good)
	if r.code == 0 || !strings.Contains(r.stderr, "in use by process") {
		t.Errorf("a second writer: exit %d, %q (want a clear message naming the other process)", r.code, r.stderr)
	}
	r = runBin(t, dir, "query", "--db", heldDB, "SELECT 1")
	if r.code == 0 || !strings.Contains(r.stderr, "in use by process") {
		t.Errorf("a reader while a writer runs: exit %d, %q", r.code, r.stderr)
	}
	hold.Wait()
	// while a reader holds the file, a writer is refused the same way (readers share the file,
	// a writer needs it alone): documented in the README
	reader := exec.Command(bin, "query", "--db", dbf, "SELECT count(*) FROM range(20000000000)")
	if err := reader.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	r = runBin(t, dir, "ingest", "--db", dbf, good)
	reader.Process.Kill()
	reader.Wait()
	if r.code == 0 || !strings.Contains(r.stderr, "in use by process") {
		t.Errorf("a writer while a reader runs: exit %d, %q", r.code, r.stderr)
	}
	// with no writer, readers work (several at once)
	r1 := runBin(t, dir, "query", "--db", dbf, "SELECT count(*) FROM raw_stores")
	r2 := runBin(t, dir, "query", "--db", dbf, "SELECT count(*) FROM raw_stores")
	if r1.code != 0 || r2.code != 0 {
		t.Errorf("readers: %d %d %s", r1.code, r2.code, r1.stderr)
	}
}

func TestGenIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	hashes := func(root string) string {
		var b strings.Builder
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(root, p)
				fmt.Fprintf(&b, "%s %x\n", rel, sha256.Sum256(data))
			}
			return nil
		})
		return b.String()
	}
	for _, o := range []string{"a", "b"} {
		if r := runBin(t, dir, "gen", "--stores", "2", "--months", "2", "--seed", "9", "--out", o, "--min-orders", "50", "--max-orders", "60", "--parts", "30"); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	a, b := hashes(filepath.Join(dir, "a")), hashes(filepath.Join(dir, "b"))
	if a != b || strings.Count(a, "\n") < 20 {
		t.Errorf("same seed, different files:\n%s\n%s", a, b)
	}
}

// TestKillDuringIngest: kill -9 at random points of an ingest; each time the database opens
// (or, if its WAL cannot be replayed, `rebuild` recovers it) with the raw tables either before
// or after the file, and re-running gives exactly the tables of an uninterrupted run.
func TestKillDuringIngest(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 1, 2)
	big := filepath.Join(dir, "big.csv")
	// one large work-order file: 150 × the sample's orders of both months (≈ 50k rows)
	var b bytes.Buffer
	files, _ := filepath.Glob(filepath.Join(in, "S001", "work_orders_*.csv"))
	for rep := 0; rep < 150; rep++ {
		for fi, f := range files {
			data, _ := os.ReadFile(f)
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			for i, l := range lines {
				if i == 0 {
					if rep == 0 && fi == 0 {
						b.WriteString(l + "\n")
					}
					continue
				}
				if strings.HasPrefix(l, "合计") || strings.Trim(l, ",") == "" {
					continue
				}
				b.WriteString(strings.Replace(l, ",WO", fmt.Sprintf(",R%02dWO", rep), 1) + "\n")
			}
		}
	}
	os.WriteFile(big, b.Bytes(), 0o644)
	stores := filepath.Join(in, "stores.xlsx")
	checksum := func(dbf string) (string, bool) {
		r := runBin(t, dir, "query", "--db", dbf, "--format", "csv",
			"SELECT (SELECT count(*) FROM raw_work_orders) n, (SELECT sum(hash(t)) FROM raw_work_orders t) h, (SELECT count(*) FROM ingest_files WHERE status = 'loaded') f")
		return r.stdout, r.code == 0
	}
	// reference: before (stores only) and after (stores + big) of an uninterrupted run
	ref := filepath.Join(dir, "ref", "a.duckdb")
	runBin(t, dir, "ingest", "--db", ref, stores)
	beforeSum, ok1 := checksum(ref)
	if r := runBin(t, dir, "ingest", "--db", ref, big); r.code != 0 {
		t.Fatalf("reference ingest: %s", r.stderr)
	}
	afterSum, ok2 := checksum(ref)
	if !ok1 || !ok2 || beforeSum == afterSum || !strings.HasPrefix(beforeSum, "n,h,f\r\n0,") {
		t.Fatalf("the checksums cannot tell before from after: %q %q", beforeSum, afterSum)
	}
	start := time.Now()
	r := runBin(t, dir, "ingest", "--db", filepath.Join(dir, "timing", "a.duckdb"), big)
	full := time.Since(start)
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	trials, rebuilt, mid := 20, 0, 0
	for i := 0; i < trials; i++ {
		dbf := filepath.Join(dir, fmt.Sprintf("t%d", i), "a.duckdb")
		runBin(t, dir, "ingest", "--db", dbf, stores)
		cmd := exec.Command(bin, "ingest", "--db", dbf, big)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(full) + int64(full)/5)))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		got, ok := checksum(dbf)
		if !ok {
			if r := runBin(t, dir, "rebuild", "--db", dbf); r.code != 0 {
				t.Fatalf("trial %d: the database does not open and rebuild fails: %s", i, r.stderr)
			}
			rebuilt++
			got, _ = checksum(dbf)
		}
		if got != beforeSum && got != afterSum {
			t.Fatalf("trial %d: tables are neither before nor after:\n%s\nbefore %s\nafter %s", i, got, beforeSum, afterSum)
		}
		if got == beforeSum {
			mid++
		}
		if r := runBin(t, dir, "ingest", "--db", dbf, big); r.code != 0 {
			t.Fatalf("trial %d: re-run: %s", i, r.stderr)
		}
		if again, _ := checksum(dbf); again != afterSum {
			t.Fatalf("trial %d: after re-running, tables differ from an uninterrupted run:\n%s\n%s", i, again, afterSum)
		}
	}
	t.Logf("%d trials (full ingest %.2fs): %d killed before the commit, %d needed a rebuild", trials, full.Seconds(), mid, rebuilt)
	if mid == 0 || mid == trials {
		t.Logf("all kills fell on one side of the commit: the timing says little this run")
	}
}

// TestKillDuringTransform: kill -9 at points spread over a full transform; each time the marts
// and the run log are those of before it, and the next transform completes with the marts of an
// uninterrupted run.
func TestKillDuringTransform(t *testing.T) {
	dir := t.TempDir()
	_, dbf := ingestedSample(t, dir, 2, 3)
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	state := func() string {
		return martSums(t, dir, dbf) + runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM transform_runs").stdout
	}
	before := state()
	start := time.Now()
	if r := runBin(t, dir, "transform", "--full", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	full := time.Since(start)
	after := state() // the same marts, one more run logged
	if after == before {
		t.Fatal("the run log does not tell a completed run from none")
	}
	before = after
	marts := martSums(t, dir, dbf)
	runs := func(state string) int {
		f := strings.Fields(state)
		n, _ := strconv.Atoi(f[len(f)-1])
		return n
	}
	killed := 0
	for i := 1; i <= 5; i++ {
		cmd := exec.Command(bin, "transform", "--full", "--db", dbf)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full * time.Duration(i) / 6)
		if killWithWorker(t, cmd) == nil {
			before = state() // it finished before the kill: the next trials start from it
			continue
		}
		killed++
		got := state()
		if got == before {
			continue
		}
		// killed after its commit, while exiting: the run is complete — the same marts (the
		// data did not change), one more run logged
		if martSums(t, dir, dbf) == marts && runs(got) == runs(before)+1 {
			before = got
			continue
		}
		t.Fatalf("killed at %d/6 of a run: the database is neither before nor after it:\n%s\nbefore:\n%s", i, got, before)
	}
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatalf("the transform after the kills: %s", r.stderr)
	}
	if got := martSums(t, dir, dbf); !strings.HasPrefix(before, got) {
		t.Errorf("after the kills, the marts differ from an uninterrupted run's:\n%s\nbefore:\n%s", got, before)
	}
	t.Logf("%d of 5 runs killed (a full run: %.2fs)", killed, full.Seconds())
}

// TestDemo: `aftersales demo` on an empty folder makes sample data, loads it, builds the marts and
// writes dashboards and workbooks, and says what to open.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	cmd := exec.Command(bin, "demo", "--out", filepath.Join(dir, "out"), "--sample", filepath.Join(dir, "sample"))
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "AFTERSALES_LANG=") // as `make demo` runs it: Chinese
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"看板      file://", "报表      ", "数据库    ", "完成。请打开："} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo does not say where %q is:\n%s", want, out)
		}
	}
	for _, p := range []string{"out/dashboards/index.html", "out/aftersales.duckdb"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "out", "reports", "*.xlsx")); len(m) < 6 {
		t.Errorf("%d workbooks", len(m))
	}
}

// sheetsOf returns the worksheets and shared strings of an XLSX file, concatenated.
func sheetsOf(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") || f.Name == "xl/sharedStrings.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Error(err)
				return ""
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			b.WriteString(f.Name + "\n" + string(data))
		}
	}
	return b.String()
}

// TestIngestCheck: ingest --check reads and checks the files and says what loading them would
// do — the counts the real ingest then gives — and writes nothing: no database, no lake; on a
// database, files loaded before are duplicates, and a file it would reject whole exits 1 with
// the database as it was.
func TestIngestCheck(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 1, 2)
	dbf := filepath.Join(dir, "db", "a.duckdb")
	totals := regexp.MustCompile(`read (\d+), (?:would load|loaded) (\d+), (?:would reject|rejected) (\d+), (?:skip|skipped) (\d+) rows`)
	check := runBin(t, dir, "ingest", "--db", dbf, "--check", in)
	if check.code != 0 || !strings.Contains(check.stdout, "checked, nothing loaded") || !strings.Contains(check.stdout, "would load") {
		t.Fatalf("ingest --check: exit %d\n%s%s", check.code, check.stdout, check.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "db")); !os.IsNotExist(err) {
		t.Errorf("ingest --check made %s (or its lake): %v", filepath.Join(dir, "db"), err)
	}
	load := runBin(t, dir, "ingest", "--db", dbf, in)
	c, l := totals.FindStringSubmatch(check.stdout), totals.FindStringSubmatch(load.stdout)
	if load.code != 0 || c == nil || l == nil || !slices.Equal(c[1:], l[1:]) {
		t.Errorf("the check's totals %v are not the ingest's %v\n%s", c, l, load.stdout)
	}
	if r := runBin(t, dir, "ingest", "--db", dbf, "--check", in); r.code != 0 || strings.Count(r.stdout, "duplicate") < 5 || !strings.Contains(r.stdout, "read 0, would load 0") {
		t.Errorf("ingest --check after the ingest: exit %d\n%s", r.code, r.stdout)
	}
	// a folder's .xml files: an Excel 2003 XML spreadsheet is read, other XML left aside
	xf := filepath.Join(dir, "xml")
	os.MkdirAll(xf, 0o755)
	var cells []string
	for _, v := range []string{"门店编号", "工单号", "VIN", "维修类别", "进厂时间", "工单状态", "</Row><Row>", "S1", "K1", "LSVAA4180E2123456", "机修", "2026-09-01 08:00", "在修"} {
		if strings.HasPrefix(v, "<") {
			cells = append(cells, v)
			continue
		}
		cells = append(cells, `<Cell><Data ss:Type="String">`+v+`</Data></Cell>`)
	}
	os.WriteFile(filepath.Join(xf, "wo.xml"), []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="工单"><Table><Row>`+
		strings.Join(cells, "")+`</Row></Table></Worksheet></Workbook>`), 0o644)
	os.WriteFile(filepath.Join(xf, "other.xml"), []byte(`<?xml version="1.0"?><config/>`), 0o644)
	if r := runBin(t, dir, "ingest", "--db", dbf, "--check", xf); r.code != 0 || !strings.Contains(r.stdout, "other.xml: not read") ||
		!strings.Contains(r.stdout, "wo.xml: work_orders, read 1, would load 1, would reject 0, skip 0") {
		t.Errorf("ingest --check of a folder with XML files: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("hello\n"), 0o644)
	if r := runBin(t, dir, "ingest", "--db", dbf, "--check", bad); r.code != 1 || !strings.Contains(r.stdout, "notes.txt: WOULD BE REJECTED — no header row") {
		t.Errorf("ingest --check of a file it would reject: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM ingest_files WHERE path LIKE '%notes.txt'"); r.stdout != "count_star()\r\n0\r\n" {
		t.Errorf("ingest --check recorded the file: %q", r.stdout)
	}
}

// killWithWorker: kill -9 of a command and its end; on Linux also the end of the worker process
// its transform runs in (supervise), which the kernel kills when the command dies but which may
// take a moment more to let go of the database.
func killWithWorker(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	workers := workersOf(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGKILL)
	err := cmd.Wait()
	// and a worker started after workersOf looked (on a loaded machine the kill can fall between
	// the two): by now a child of init, found by its command line, which is the command's
	workers = append(workers, sameCommand(cmd.Args)...)
	for _, w := range workers {
		for deadline := time.Now().Add(10 * time.Second); running(w); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the transform's worker process %s still runs 10 s after the command was killed", w)
			}
		}
	}
	return err
}

// sameCommand: the processes whose command line is args (Linux's /proc; elsewhere none).
func sameCommand(args []string) []string {
	var out []string
	want := strings.Join(args, "\x00") + "\x00"
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		if b, err := os.ReadFile(f); err == nil && string(b) == want {
			out = append(out, filepath.Base(filepath.Dir(f)))
		}
	}
	return out
}

// running: whether process pid still runs (Linux's /proc: neither gone nor a zombie).
func running(pid string) bool {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	// the state follows the command's name in parentheses: Z once it has died
	return !strings.HasPrefix(strings.TrimSpace(string(b[strings.LastIndexByte(string(b), ')')+1:])), "Z")
}

// workersOf: the processes pid started that still run (Linux's /proc; elsewhere none).
func workersOf(pid int) []string {
	var out []string
	if runtime.GOOS == "linux" {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, f := range tasks {
			b, _ := os.ReadFile(f)
			out = append(out, strings.Fields(string(b))...)
		}
	}
	return out
}

// TestAliasesFile: ingest and columns read data/aliases.yaml of the folder they run in by
// default, or the file --aliases names; a mistake in it is a usage error (exit 2) naming the
// file and line, and nothing is loaded.
func TestAliasesFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wo.csv"), []byte("门店编号,工单号,VIN,维修类别,进厂时间,工单状态,交车时间\n"+
		"S1,A1,LSVAA4180E2123456,快修,2026-09-01 08:00,已交车,2026-09-01 12:00\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("values:\n  order_typ:\n    repair: [快修]\n"), 0o644)

	r := runBin(t, dir, "ingest", "--db", "a.duckdb", "--aliases", "other.yaml", "wo.csv")
	if r.code != 2 || !strings.Contains(r.stderr, "aliases file other.yaml: line 2: order_typ is not a column of fixed values (did you mean order_type?)") {
		t.Errorf("a mistake: exit %d, %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.duckdb")); err == nil {
		t.Error("a database was made despite the mistake")
	}
	r = runBin(t, dir, "ingest", "--db", "a.duckdb", "wo.csv")
	if r.code != 0 || !strings.Contains(r.stdout, "loaded 0, rejected 1") || !strings.Contains(r.stdout, "declare it in data/aliases.yaml") {
		t.Errorf("without the word declared: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	os.WriteFile(filepath.Join(dir, "data", "aliases.yaml"), []byte("values:\n  order_type:\n    repair: [快修]\n"), 0o644)
	r = runBin(t, dir, "ingest", "--db", "a.duckdb", "--reload", "wo.csv")
	if r.code != 0 || !strings.Contains(r.stdout, "loaded 1, rejected 0") || !strings.HasPrefix(r.stdout, "reading the DMS's own words declared in data/aliases.yaml: 0 header(s), 1 value spelling(s)\n") {
		t.Errorf("with data/aliases.yaml: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, dir, "query", "--db", "a.duckdb", "--format", "csv", "SELECT order_type FROM raw_work_orders")
	if r.stdout != "order_type\r\nrepair\r\n" {
		t.Errorf("loaded as %q", r.stdout)
	}
	r = runBin(t, dir, "columns", "work_orders")
	if r.code != 0 || !regexp.MustCompile(`repair [^;]*快修`).MatchString(r.stdout) || !strings.Contains(r.stdout, "Including the headers and words declared in data/aliases.yaml") {
		t.Errorf("columns: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
}
