package ingest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckSaysWhatLoadingReplaces: for random calls of work-order and job-line exports —
// keys shared with rows loaded before, with earlier files of the call and within a file, orders
// put back to an earlier status, rejected rows, a file twice in a call, --reload — ingest --check
// reports for every file what loading the same files then does: its status and counts, and the
// rows it replaces by the file that had them, with the work orders put back; and without a
// database, the rows of earlier files of the call alone.
func TestCheckSaysWhatLoadingReplaces(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // (where check's temporary lake goes)
	rng := rand.New(rand.NewPCG(52, 7))
	statuses := []string{"在修", "完工", "已交车", "作废"}
	n := 0
	newFile := func() string {
		n++
		var b strings.Builder
		if rng.IntN(3) > 0 {
			b.WriteString("门店编号,工单号,VIN,维修类别,进厂时间,完工时间,交车时间,工单状态\n")
			for range 1 + rng.IntN(6) {
				no, st := fmt.Sprintf("K%d", rng.IntN(12)), statuses[rng.IntN(len(statuses))]
				if rng.IntN(15) == 0 {
					st = "？？" // a rejected row
				}
				switch st {
				case "完工":
					fmt.Fprintf(&b, "S%d,%s,LSVAA4180E2123456,机修,2026-09-01 08:00,2026-09-01 12:00,,%s\n", 1+rng.IntN(2), no, st)
				case "已交车", "作废":
					fmt.Fprintf(&b, "S%d,%s,LSVAA4180E2123456,机修,2026-09-01 08:00,2026-09-01 12:00,2026-09-01 13:00,%s\n", 1+rng.IntN(2), no, st)
				default:
					fmt.Fprintf(&b, "S%d,%s,LSVAA4180E2123456,机修,2026-09-01 08:00,,,%s\n", 1+rng.IntN(2), no, st)
				}
			}
		} else {
			b.WriteString("门店编号,工单号,行号,维修项目,故障系统,工时,工时费,维修技师\n")
			for range 1 + rng.IntN(5) {
				fmt.Fprintf(&b, "S1,K%d,%d,保养,engine,1.5,100,T1\n", rng.IntN(4), 1+rng.IntN(3))
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("f%02d.csv", n))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := func(r *Result) string {
		var rs []string
		for _, x := range r.Replaced {
			rs = append(rs, fmt.Sprintf("%s:%d back %d", filepath.Base(x.Path), x.Rows, x.Backward))
		}
		slices.Sort(rs)
		return fmt.Sprintf("%s read %d loaded %d rejected %d skipped %d, replaced [%s]", r.Status, r.Read, r.Loaded, r.Rejected, r.Skipped, strings.Join(rs, ", "))
	}
	e := newEnv(t)
	var files []string
	counted := map[string]int{} // what the checks found: each case met at least once
	for call := range 30 {
		var paths []string
		for range 1 + rng.IntN(5) {
			if len(files) > 0 && rng.IntN(6) == 0 {
				paths = append(paths, files[rng.IntN(len(files))]) // loaded before, or twice in the call
			} else {
				p := newFile()
				files = append(files, p)
				paths = append(paths, p)
			}
		}
		o := Options{Lake: e.lake, Reload: rng.IntN(5) == 0}
		run := func(in *Ingester) []string {
			t.Helper()
			var got []string
			if err := in.Files(t.Context(), paths, func(p string, r *Result) {
				got = append(got, filepath.Base(p)+": "+line(r))
				for _, x := range r.Replaced {
					switch {
					case x.Backward > 0:
						counted["back"]++
					case x.InCall:
						counted["in call"]++
					default:
						counted["before"]++
					}
				}
				if r.Status == StatusDuplicate {
					counted["duplicate"]++
				}
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		co := o
		co.Check = true
		checked := run(&Ingester{DB: e.db, Opts: co})
		var alone []string
		if call == 0 {
			alone = run(&Ingester{Opts: co}) // no database: nothing was loaded before
		}
		loaded := run(&Ingester{DB: e.db, Opts: o})
		for i := range loaded {
			// a load's lines say "loaded", check's say the same of what it would load
			if checked[i] != loaded[i] {
				t.Errorf("call %d (%v, reload %v), file %d:\ncheck: %s\nload:  %s", call, paths, o.Reload, i, checked[i], loaded[i])
			}
			if call == 0 && alone[i] != loaded[i] {
				t.Errorf("call 0 without a database, file %d:\ncheck: %s\nload:  %s", i, alone[i], loaded[i])
			}
		}
		if len(checked) != len(loaded) {
			t.Fatalf("call %d: check reported %d files, the load %d", call, len(checked), len(loaded))
		}
	}
	for _, c := range []string{"back", "in call", "before", "duplicate"} {
		if counted[c] == 0 {
			t.Errorf("no file of the test met the case %q (%v): change the seed", c, counted)
		}
	}
	if es, err := os.ReadDir(tmp); err != nil || len(es) > 0 {
		t.Errorf("a check's temporary lake was left in %s: %v %v", tmp, es, err)
	}
}

// TestStaleCheckLakesRemoved: a check's temporary lake older than a day (a check killed before
// it could remove it) goes; a newer one, maybe a check running now, and other folders stay.
func TestStaleCheckLakesRemoved(t *testing.T) {
	tmp := t.TempDir()
	now := time.Now()
	for name, age := range map[string]time.Duration{checkLakePrefix + "1": 25 * time.Hour, checkLakePrefix + "2": time.Hour, "other-1": 48 * time.Hour} {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(p, "work_orders"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleCheckLakes(tmp, now)
	var left []string
	es, _ := os.ReadDir(tmp)
	for _, e := range es {
		left = append(left, e.Name())
	}
	if want := []string{checkLakePrefix + "2", "other-1"}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}

// TestPeriodOfAFile: a file's result gives the first and last value of its kind's Period among
// the rows it loads — rejected rows and empty cells left out, a timestamp as its date, a month as
// it is — and nothing for a kind without one.
func TestPeriodOfAFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return writeText(t, dir, name, body) }
	files := []struct{ path, first, last string }{
		{write("wo.csv", "门店编号,工单号,VIN,维修类别,进厂时间,工单状态\n"+
			"S1,A1,LSVAA4180E2123456,机修,2026-09-30 23:59,在修\n"+
			"S1,A2,LSVAA4180E2123456,机修,2026-08-31 00:00,在修\n"+
			"S1,A3,LSVAA4180E2123456,机修,2026-07-01 08:00,？？\n"+ // rejected: not counted
			"S1,A4,LSVAA4180E2123456,机修,2026-09-02 10:00,在修\n"), "2026-08-31", "2026-09-30"},
		{write("att.csv", "门店编号,月份,技师编号,出勤天数,应出勤天数\nS1,2026-09,T1,20,22\nS1,2026-08,T2,21,22\n"), "2026-08", "2026-09"},
		{write("one.csv", "门店编号,月份,技师编号,出勤天数,应出勤天数\nS1,2026-09,T1,20,22\n"), "2026-09", "2026-09"},
		{write("jobs.csv", "门店编号,工单号,行号,维修项目,故障系统,工时,工时费,维修技师\nS1,A1,1,保养,engine,1.5,100,T1\n"), "", ""},
	}
	for _, f := range files {
		in := &Ingester{Opts: Options{Check: true}}
		if err := in.Files(t.Context(), []string{f.path}, func(_ string, r *Result) {
			if r.Status != StatusLoaded {
				t.Fatalf("%s: %s %s", f.path, r.Status, r.Message)
			}
			if r.PeriodFirst != f.first || r.PeriodLast != f.last {
				t.Errorf("%s: period %q … %q, want %q … %q", filepath.Base(f.path), r.PeriodFirst, r.PeriodLast, f.first, f.last)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckReplacedInOneOrder: a file that replaces as many rows of each of several files checked
// before it names them in one order, run after run (they have no file_id to order them by).
func TestCheckReplacedInOneOrder(t *testing.T) {
	dir := t.TempDir()
	head := "门店编号,工单号,VIN,维修类别,进厂时间,工单状态\n"
	var paths []string
	for _, name := range []string{"d.csv", "b.csv", "c.csv", "a.csv"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(head+"S1,K"+name[:1]+",LSVAA4180E2123456,机修,2026-09-01 08:00,在修\n"), 0o644)
		paths = append(paths, p)
	}
	all := filepath.Join(dir, "all.csv")
	os.WriteFile(all, []byte(head+"S1,Ka,LSVAA4180E2123456,机修,2026-09-01 08:00,在修\nS1,Kb,LSVAA4180E2123456,机修,2026-09-01 08:00,在修\n"+
		"S1,Kc,LSVAA4180E2123456,机修,2026-09-01 08:00,在修\nS1,Kd,LSVAA4180E2123456,机修,2026-09-01 08:00,在修\n"), 0o644)
	paths = append(paths, all)
	for range 20 {
		var got []string
		in := &Ingester{Opts: Options{Check: true}}
		if err := in.Files(t.Context(), paths, func(p string, r *Result) {
			if p == all {
				for _, x := range r.Replaced {
					got = append(got, filepath.Base(x.Path))
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		if want := []string{"a.csv", "b.csv", "c.csv", "d.csv"}; !slices.Equal(got, want) {
			t.Fatalf("all.csv replaced rows of %v, want %v", got, want)
		}
	}
}
