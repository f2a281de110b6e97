package main

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
)

// The report judges each step against the R of the whole run (median of the runs), lists the
// per-run ratios in the order measured, and the median leaves the caller's runs in their order.
func TestBenchReport(t *testing.T) {
	rs := []measure{{secs: 12}, {secs: 10}, {secs: 11}}
	if m := median(rs); m.secs != 11 {
		t.Fatalf("median of 12, 10, 11 s = %v", m.secs)
	}
	if got := secsOf(rs); got[0] != 12 || got[1] != 10 || got[2] != 11 {
		t.Fatalf("median reordered the runs: %v", got)
	}
	b := benchResult{Scale: "S", Stores: 50, Months: 24, Runs: 3, Rows: 1000, R: 10, RUnordered: 9, RHuge: 8.5,
		Ingest: measure{secs: 20.5, rssMB: 1500}, Transform: measure{secs: 4.9}, Incremental: measure{secs: 2.6},
		Dash: measure{secs: 5}, Pay: measure{secs: 1.1}, Month: "2026-09", Last: "2026-10",
		RRuns: []float64{12, 10, 11}, IngestR: []float64{1.75, 2.05, 1.9}, TransformR: []float64{0.4, 0.49, 0.45},
		Threads: 2, Workers: 2}
	md := b.markdown()
	for _, want := range []string{
		"R = 12.0 / 10.0 / 11.0 s; ingest ÷ that run's R = 1.75 / 2.05 / 1.90; full transform ÷ that run's R = 0.40 / 0.49 / 0.45.",
		"| ingest (all files) | 20.5 | 2.05 | ≤ 2.0 R | **no** |",
		"| transform (full) | 4.9 | 0.49 | ≤ 0.5 R | yes |",
		// 10 % of (20.5 + 4.9) s = 2.54 s = 0.254 R: 2.6 s is over it
		"| incremental month 2026-10 (ingest + incremental transform) | 2.6 | 0.26 | ≤ 10% of full = 0.25 R | **no** |",
		"| dashboards, all stores, 2026-09 | 5.0 | 0.50 | ≤ 0.5 R | yes |",
		"| payroll workbooks, all stores, 2026-09 | 1.1 | 0.11 | ≤ 0.1 R | **no** |",
		"; DuckDB ran 2 threads, and ingest's parsing, the dashboard pages and the workbooks 2 workers.",
		"Peak RSS of any step: 1500 MB (target ≤ 2048 MB at scale S: met)",
		"= 9.0 s (0.90 R); R in a process that allocates with transparent huge pages, as aftersales' verbs do (`db.UseHugePages`), = 8.5 s (0.85 R). Ratios below are to R as DuckDB ships.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	// the check of the incremental month's marts: equal, then one differing
	b.Check = &martCheck{Marts: 8, Rows: 2500000}
	if want := "Check: the incremental month's marts equal the full transform's: yes (the 8 marts of CONTRACT §3, 2500000 rows;"; !strings.Contains(b.markdown(), want) {
		t.Errorf("the report lacks %q:\n%s", want, b.markdown())
	}
	b.Check.Differ = []string{"mart_parts_month (rows 2400000 / 2400000)"}
	if want := "Check: the incremental month's marts equal the full transform's: **no** — mart_parts_month (rows 2400000 / 2400000)."; !strings.Contains(b.markdown(), want) {
		t.Errorf("the report lacks %q:\n%s", want, b.markdown())
	}
	b.Runs, b.RRuns, b.IngestR, b.TransformR = 1, []float64{10}, []float64{2.05}, []float64{0.49}
	if md := b.markdown(); strings.Contains(md, "Per run") {
		t.Errorf("one run: no per-run line expected:\n%s", md)
	}
	// on a machine of 32 cores the transform runs fewer threads than DuckDB elsewhere
	b.Threads, b.TransformThreads = 32, 8
	if want := "; DuckDB ran 32 threads (the transform 8: a thread per 250 MB of its memory limit), and"; !strings.Contains(b.markdown(), want) {
		t.Errorf("the report lacks %q:\n%s", want, b.markdown())
	}
}

// TestHugePagesVerbs: every verb allocates with huge pages but bench, whose process measures
// the limit R as DuckDB ships (its bench-limit child measures R with them, for information).
func TestHugePagesVerbs(t *testing.T) {
	for name, want := range map[string]bool{"bench": false, "bench-limit": true, "ingest": true, "transform": true, "dashboards": true, "payroll": true, "query": true} {
		if got := usesHugePages(name); got != want {
			t.Errorf("usesHugePages(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestLimitSession: R is DuckDB as it ships (row groups merged at checkpoints, insertion order
// kept, its default memory limit), although aftersales' own connections turn the merging off and
// set a limit of their own; the variant for information has ingest's two loading settings. It
// fails if R inherits db.Open's settings.
func TestLimitSession(t *testing.T) {
	ctx := context.Background()
	// DuckDB's default memory limit, from a connection aftersales did not set up
	raw, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	var shipped string
	if err := raw.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&shipped); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for _, c := range []struct {
		unordered     bool
		vacuum, order string
	}{{false, "100", "true"}, {true, "0", "false"}} {
		d, err := db.Open(filepath.Join(t.TempDir(), "l.duckdb"), false)
		if err != nil {
			t.Fatal(err)
		}
		var opened string
		if err := d.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&opened); err != nil {
			t.Fatal(err)
		}
		if opened == shipped {
			t.Fatalf("db.Open's memory limit is DuckDB's default %s: the test no longer tells them apart", shipped)
		}
		d.SetMaxOpenConns(1)
		if err := limitSession(ctx, d, c.unordered); err != nil {
			t.Fatal(err)
		}
		var vacuum, order, limit string
		if err := d.QueryRow(`SELECT current_setting('max_vacuum_tasks')::VARCHAR, current_setting('preserve_insertion_order')::VARCHAR,
			current_setting('memory_limit')`).Scan(&vacuum, &order, &limit); err != nil {
			t.Fatal(err)
		}
		if vacuum != c.vacuum || order != c.order {
			t.Errorf("unordered=%v: max_vacuum_tasks %s, preserve_insertion_order %s; want %s, %s", c.unordered, vacuum, order, c.vacuum, c.order)
		}
		if limit != shipped {
			t.Errorf("unordered=%v: memory_limit %s, want DuckDB's default %s (db.Open's own is %s)", c.unordered, limit, shipped, opened)
		}
		d.Close()
	}
}

// TestBenchDiskCheck: a bench that would run out of disk is refused before it starts, with
// what it needs, what is free and what to do; one that fits starts.
func TestBenchDiskCheck(t *testing.T) {
	dir := t.TempDir()
	free, ok := freeBytes(dir)
	if !ok {
		t.Skip("free space not known on this system")
	}
	defer func(saved map[string]struct{ input, work int64 }) { benchDisk = saved }(benchDisk)
	benchDisk = map[string]struct{ input, work int64 }{"T": {input: free, work: 1 << 20}}
	o := &benchOpts{Scale: "T", Out: filepath.Join(dir, "bench", "not-yet")}
	marker := filepath.Join(o.Out, "data-T", ".complete")
	err := checkBenchDisk(o, filepath.Join(o.Out, "data-T"), marker)
	if err == nil || !strings.Contains(err.Error(), "needs about") || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("a bench needing more than the free space: %v", err)
	}
	// the input already generated: only the work is needed
	os.MkdirAll(filepath.Dir(marker), 0o755)
	os.WriteFile(marker, nil, 0o644)
	if err := checkBenchDisk(o, filepath.Dir(marker), marker); err != nil {
		t.Fatalf("a bench that fits: %v", err)
	}
	// the previous run's work folder is named as what takes the space
	benchDisk["T"] = struct{ input, work int64 }{input: 0, work: free + 1<<40}
	os.MkdirAll(filepath.Join(o.Out, "work-T"), 0o755)
	os.WriteFile(filepath.Join(o.Out, "work-T", "a.duckdb"), make([]byte, 1<<20), 0o644)
	if err := checkBenchDisk(o, filepath.Dir(marker), marker); err == nil || !strings.Contains(err.Error(), "work-T") {
		t.Fatalf("the previous run's folder is not named: %v", err)
	}
}

// TestCompareMarts: the bench's check finds the marts of a database loaded at once and fully
// transformed equal to those of one loaded month by month with an incremental transform (as
// the bench's incremental month builds it), and names a mart where one value differs.
func TestCompareMarts(t *testing.T) {
	dir := t.TempDir()
	in := sampleFiles(t, dir, 2, 3)
	full, inc := filepath.Join(dir, "full", "a.duckdb"), filepath.Join(dir, "inc", "a.duckdb")
	for _, args := range [][]string{{"ingest", "-q", "--db", full, in}, {"transform", "--full", "--db", full}} {
		if r := runBin(t, dir, args...); r.code != 0 {
			t.Fatalf("%v: %d %s", args, r.code, r.stderr)
		}
	}
	last, err := lastMonth(t.Context(), full)
	if err != nil {
		t.Fatal(err)
	}
	older, newest := splitByMonth(in, last)
	if len(older) == 0 || len(newest) == 0 {
		t.Fatalf("month %s splits the input into %d older and %d newest files", last, len(older), len(newest))
	}
	for _, args := range [][]string{
		append([]string{"ingest", "-q", "--db", inc}, older...), {"transform", "--db", inc},
		append([]string{"ingest", "-q", "--db", inc}, newest...), {"transform", "--db", inc},
	} {
		if r := runBin(t, dir, args...); r.code != 0 {
			t.Fatalf("%v: %d %s", args[:3], r.code, r.stderr)
		}
	}
	if r := runBin(t, dir, "query", "--db", inc, "--format", "csv", "SELECT mode FROM transform_runs ORDER BY run_id DESC LIMIT 1"); !strings.Contains(r.stdout, "incremental") {
		t.Fatalf("the last transform was not incremental: %q %s", r.stdout, r.stderr)
	}
	c, err := compareMarts(t.Context(), inc, full)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Differ) > 0 || c.Marts != len(benchMarts) || c.Rows == 0 {
		t.Fatalf("incremental against full: %+v", c)
	}
	// one value changed in one mart; then one row more in another
	for _, change := range []struct{ sql, mart string }{
		{`UPDATE mart_parts_month SET abc = CASE abc WHEN 'A' THEN 'B' ELSE 'A' END WHERE rowid = 7`, "mart_parts_month (rows"},
		{`INSERT INTO mart_comebacks SELECT * FROM mart_comebacks LIMIT 1`, "mart_comebacks (rows"},
	} {
		d, err := db.Open(inc, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(change.sql); err != nil {
			t.Fatal(err)
		}
		d.Close()
		c, err := compareMarts(t.Context(), inc, full)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(c.Differ, "; "), change.mart) {
			t.Fatalf("after %s: %+v", change.sql, c)
		}
	}
}

// TestStepRunAgain: a step that crashed runs once more and the report names it; one that failed
// otherwise, or crashed twice, fails the bench.
func TestStepRunAgain(t *testing.T) {
	crash := &crashError{args: []string{"transform"}, how: "signal: segmentation fault"}
	script := func(results ...error) (*stepRunner, *int) {
		calls := 0
		return &stepRunner{
			run: func(args ...string) (measure, error) {
				calls++
				return measure{secs: float64(calls)}, results[calls-1]
			},
			say: func(string, ...any) {},
		}, &calls
	}
	r, calls := script(crash, nil)
	m, err := r.again("the incremental month's transform of run 2", "transform", "--db", "x")
	if err != nil || *calls != 2 || m.secs != 2 {
		t.Fatalf("after one crash: %v, %d calls, %v s; want the second run's measure", err, *calls, m.secs)
	}
	if len(r.crashes) != 1 || r.crashes[0] != "the incremental month's transform of run 2 (signal: segmentation fault)" {
		t.Fatalf("crashes = %q", r.crashes)
	}
	r, calls = script(crash, crash)
	if _, err := r.again("t", "transform"); err == nil || *calls != 2 {
		t.Fatalf("two crashes: %v after %d calls; want an error after 2", err, *calls)
	}
	r, calls = script(errors.New("exit status 1"), nil)
	if _, err := r.again("t", "transform"); err == nil || *calls != 1 || len(r.crashes) != 0 {
		t.Fatalf("a plain failure: %v after %d calls, crashes %q; want its error at once", err, *calls, r.crashes)
	}
	b := benchResult{Scale: "S", R: 10, Runs: 1, Crashes: []string{"the full transform of run 1 (signal: segmentation fault)"}}
	if want := "Run again after a crash (a fault signal, not an exit: such a step changes nothing when it fails; its time is the second run's): the full transform of run 1 (signal: segmentation fault)."; !strings.Contains(b.markdown(), want) {
		t.Errorf("the report lacks %q:\n%s", want, b.markdown())
	}
	if strings.Contains((benchResult{Scale: "S", R: 10, Runs: 1}).markdown(), "Run again") {
		t.Error("a report without crashes names one")
	}
}
