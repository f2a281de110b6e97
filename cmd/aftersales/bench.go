package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/gen"
	"github.com/aftersales/aftersales/internal/par"
)

type benchOpts struct {
	Scale, Out, Report string
	Runs               int
	W                  io.Writer
}

func init() { extraCommands = append(extraCommands, newBenchCmd, newBenchLimitCmd) }

func newBenchCmd() *cobra.Command {
	o := &benchOpts{}
	c := &cobra.Command{
		Use:   "bench [--scale S|L] [--out DIR] [--report BENCHMARKS.md]",
		Short: "Measure ingest, transform, an incremental month, dashboards and payroll against DuckDB's read_csv",
		Long: `Generates the data of a scale (S = 50 stores × 24 months, L = 500 × 24), then measures, each
as the median of --runs runs and with the peak RSS of the process: our ingest of every file; the
limit R = DuckDB's own read_csv of the same content as clean UTF-8 CSV into typed tables of a file
database; a full transform; an incremental month (ingest + transform of the last month into a
database holding the rest); dashboards for every store for one month; payroll workbooks for
every store for one month. Results are written to the report as absolute seconds and as ratios
to R measured in the same run. Each run times our ingest, R and the full transform one right
after another, and the report also lists each run's ratios to its own R.`,
		Example: `  aftersales bench
  make bench SCALE=L`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.W = c.OutOrStdout()
			return runBench(ctxOf(c), o)
		},
	}
	c.Flags().StringVar(&o.Scale, "scale", "S", "S (50 stores × 24 months) or L (500 × 24)")
	c.Flags().StringVar(&o.Out, "out", "bench", "working folder (data and databases)")
	c.Flags().StringVar(&o.Report, "report", "BENCHMARKS.md", "the report to write")
	c.Flags().IntVar(&o.Runs, "runs", 3, "runs per step (the median is reported)")
	return c
}

type measure struct {
	secs  float64
	rssMB float64
}

// child runs this binary with args and returns wall time and peak RSS (the largest of the
// process and the worker it waited for: a transform's, supervise). A transform whose worker
// crashes is not run again inside the step (rerunEnv): the bench runs it again itself.
func child(args ...string) (measure, error) {
	self, err := os.Executable()
	if err != nil {
		return measure{}, err
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), rerunEnv+"=0")
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	err = cmd.Run()
	m := measure{secs: time.Since(start).Seconds()}
	if cmd.ProcessState == nil { // it did not start
		return m, fmt.Errorf("%s: %v", args[0], err)
	}
	m.rssMB = peakRSSMB(cmd.ProcessState)
	if how, ok := crashed(cmd.ProcessState); ok {
		return m, &crashError{args: args, how: how, stderr: stderr.String()}
	}
	if err != nil && !(len(args) > 0 && args[0] == "ingest" && cmd.ProcessState.ExitCode() == 1) {
		return m, fmt.Errorf("%v: %v\n%s", args, err, stderr.String())
	}
	return m, nil
}

// crashError: a child died of a fault instead of exiting (crashed).
type crashError struct {
	args        []string
	how, stderr string
}

func (e *crashError) Error() string { return fmt.Sprintf("%v: %s\n%s", e.args, e.how, e.stderr) }

// stepRunner runs the bench's steps (run: child) and runs again a step that crashed (again).
type stepRunner struct {
	run     func(args ...string) (measure, error)
	say     func(format string, a ...any)
	crashes []string // the steps run again, and how each crashed
}

// again runs a step that leaves the database as it was when it fails — a transform (one
// transaction), the dashboards and the payroll workbooks (readers) — and, if it crashed, runs it
// once more: DuckDB 1.4.1, which go-duckdb v2.4.3 pins, crashes now and then in a hash aggregate
// that spilled (duckdb/duckdb#23757, fixed in no 1.4 release: internal/db's
// TransformMemoryLimit). (The transform's own command runs its worker process again after a
// crash, supervise; the bench turns that off, rerunEnv, so that a step's time is never that of a
// crashed run and a run again.) In session 67 an L run's incremental month died of a segmentation
// fault, most likely that one (BENCHMARKS-L.md), the first crash in the bench since session 23's
// memory floor; the same transform on a copy of its database then ran through six times. The
// step's time is the second run's, and the report names every step run again. A second crash
// fails the bench. Ingest is not run again: a crash leaves the files of its committed batches
// loaded, and a second run would time the rest only.
func (r *stepRunner) again(what string, args ...string) (measure, error) {
	m, err := r.run(args...)
	var ce *crashError
	if errors.As(err, &ce) {
		r.say("%s crashed (%s): the database is as it was before it; running it again", what, ce.how)
		r.crashes = append(r.crashes, fmt.Sprintf("%s (%s)", what, ce.how))
		m, err = r.run(args...)
	}
	return m, err
}

func secsOf(ms []measure) []float64 {
	out := make([]float64, len(ms))
	for i, m := range ms {
		out[i] = m.secs
	}
	return out
}

// median: the middle run's time (of the runs in a copy: the caller's order is kept) and the
// largest peak RSS of all runs.
func median(ms []measure) measure {
	ms = append([]measure(nil), ms...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].secs < ms[j].secs })
	out := ms[len(ms)/2]
	for _, m := range ms {
		out.rssMB = max(out.rssMB, m.rssMB)
	}
	return out
}

func runBench(ctx context.Context, o *benchOpts) error {
	stores, months := 50, 24
	switch o.Scale {
	case "S":
	case "L":
		stores = 500
	default:
		return usage("--scale must be S or L")
	}
	if o.Runs < 1 {
		return usage("--runs must be at least 1")
	}
	data := filepath.Join(o.Out, fmt.Sprintf("data-%s", o.Scale))
	marker := filepath.Join(data, ".complete")
	say := func(format string, a ...any) { fmt.Fprintf(o.W, format+"\n", a...) }
	steps := &stepRunner{run: child, say: say}
	again := steps.again
	if err := checkBenchDisk(o, data, marker); err != nil {
		return err
	}
	if _, err := os.Stat(marker); err != nil {
		say("generating %d stores × %d months into %s…", stores, months, data)
		os.RemoveAll(data)
		st, err := gen.Run(gen.Options{Stores: stores, Months: months, Seed: 7, Out: data, Dirty: true})
		if err != nil {
			return failed("gen: %v", err)
		}
		say("  %d files, %d rows, %.0f MB", st.Files, st.Rows, float64(st.Bytes)/1e6)
		os.WriteFile(marker, nil, 0o644)
	}
	// The generated input's dirty pages are written out now: the ingest's syncfs (the lake's
	// durability) flushes every dirty page of the file system, so it would otherwise wait for
	// them in the first measured run (at S ≈ 1 GB, under the kernel's background threshold,
	// still dirty when that run starts).
	if err := flushDirty(); err != nil {
		return failed("sync: %v", err)
	}
	inBytes, inFiles := dirSize(data)
	work := filepath.Join(o.Out, "work-"+o.Scale)
	// The last run's work folder is moved aside and deleted after this run's measurements:
	// right after tens of thousands of files are deleted, ext4 (without a journal) spends seconds
	// of CPU in file creations skipping inodes deleted in the last 60 s, or 360 s while their
	// inode table's block is dirty (recently_deleted), which would be charged to the first
	// ingest run. (Deleting many files just before a bench has the same effect: wait 6 minutes.)
	old := work + ".old"
	os.RemoveAll(old)
	os.Rename(work, old)
	defer os.RemoveAll(old)
	os.MkdirAll(work, 0o755)

	// Scale L does not fit on a machine's disk as S does (each run's lake and database ≈ 15 GB,
	// the clean CSV ≈ 11 GB): lean frees what a step no longer needs once it is measured. It
	// truncates the files (their blocks are freed) and deletes them only after the last
	// measurement: on an ext4 without a journal, a file created within 60 s of tens of thousands
	// of deletions — 360 s while the inode table's block is dirty, which new files keep it —
	// costs milliseconds of kernel CPU skipping the recently deleted inodes, and a pause of 65 s
	// after a sync (this bench until session 15) did not always cover it.
	lean := o.Scale == "L"
	var dropped []string
	defer func() {
		for _, p := range dropped {
			os.RemoveAll(p)
		}
	}()
	drop := func(paths ...string) {
		for _, p := range paths {
			filepath.Walk(p, func(f string, info os.FileInfo, err error) error {
				if err == nil && info.Mode().IsRegular() && !hardLinked(info) {
					os.Truncate(f, 0) // (a hard link's other name would be emptied too)
				}
				return nil
			})
			dropped = append(dropped, p)
		}
		flushDirty()
	}

	// Each run measures, one right after another, our ingest of every file into a fresh
	// database, the limit R (DuckDB's read_csv of the same content as clean UTF-8 CSV, into typed
	// tables), the same limit with insertion order not preserved, and the full transform of that
	// run's database. This machine's speed drifts by 25–35 % within an hour: measured as three
	// ingests, then three limits, then three transforms, the same code's ingest came out at
	// 1.79–2.39 R in three benches (session 15); paired, a ratio's two sides share the hour.
	var ingests, rs, r2s, r3s, transforms []measure
	var ingestR, transformR []float64 // per run: ours ÷ that run's R
	var dbf string
	var rows, csvBytes int64
	csvDir := filepath.Join(work, "clean-csv")
	for i := 0; i < o.Runs; i++ {
		dir := filepath.Join(work, fmt.Sprintf("ingest%d", i))
		dbf = filepath.Join(dir, "a.duckdb")
		say("ingest run %d…", i+1)
		m, err := child("ingest", "-q", "--db", dbf, data)
		if err != nil {
			return failed("%v", err)
		}
		say("  %.1fs, %.0f MB", m.secs, m.rssMB)
		ingests = append(ingests, m)
		if i == 0 {
			if rows, err = countRows(ctx, dbf); err != nil {
				return failed("%v", err)
			}
			if csvBytes, err = exportCleanCSV(ctx, dbf, csvDir); err != nil {
				return failed("exporting clean CSV: %v", err)
			}
			// (the clean CSV's dirty pages too, before R and the syncs of the steps after it)
			if err := flushDirty(); err != nil {
				return failed("sync: %v", err)
			}
		}
		if lean {
			drop(filepath.Join(dir, "lake")) // transform and the later steps read the database alone
		}
		// R, then for information the limit with the loading settings ingest changes (raw rows
		// inserted without keeping their order, no row-group merging at checkpoints); the targets
		// are judged against R as DuckDB ships
		for _, unordered := range []bool{false, true} {
			r, err := readCSVLimit(ctx, csvDir, filepath.Join(work, fmt.Sprintf("limit%d.duckdb", i)), unordered)
			if err != nil {
				return failed("read_csv limit: %v", err)
			}
			if unordered {
				say("limit with ingest's settings (insertion order not preserved, no row-group merging), run %d: %.1fs", i+1, r.secs)
				r2s = append(r2s, r)
			} else {
				say("limit (DuckDB read_csv) run %d: %.1fs", i+1, r.secs)
				rs = append(rs, r)
			}
		}
		// and R in a process of its own with the huge pages aftersales' verbs allocate with
		// (db.UseHugePages; this process does not use them): DuckDB gains from them as we do
		r3, err := limitWithHugePages(csvDir, filepath.Join(work, fmt.Sprintf("limit%d.duckdb", i)))
		if err != nil {
			return failed("read_csv limit with huge pages: %v", err)
		}
		say("limit with huge pages, run %d: %.1fs", i+1, r3.secs)
		r3s = append(r3s, r3)
		t, err := again(fmt.Sprintf("the full transform of run %d", i+1), "transform", "--full", "--db", dbf)
		if err != nil {
			return failed("%v", err)
		}
		say("transform run %d: %.1fs, %.0f MB", i+1, t.secs, t.rssMB)
		transforms = append(transforms, t)
		ingestR = append(ingestR, m.secs/rs[i].secs)
		transformR = append(transformR, t.secs/rs[i].secs)
		if lean && i < o.Runs-1 {
			drop(dir) // the last run's database is the one the later steps use
		}
	}
	if lean {
		drop(csvDir)
	}
	ing, tr := median(ingests), median(transforms)
	r, r2, r3 := median(rs).secs, median(r2s).secs, median(r3s).secs

	// incremental month: a database holding every month but the last, then the last month
	last, err := lastMonth(ctx, dbf)
	if err != nil {
		return failed("%v", err)
	}
	older, newest := splitByMonth(data, last)
	base := filepath.Join(work, "base")
	// the older files go in as one folder of hard links (at scale L they are 58,500 paths, too
	// many for one command line)
	olderDir := filepath.Join(work, "older-input")
	for _, p := range older {
		rel, err := filepath.Rel(data, p)
		if err != nil {
			return failed("%v", err)
		}
		dst := filepath.Join(olderDir, rel)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.Link(p, dst); err != nil {
			return failed("linking the older files: %v", err)
		}
	}
	if _, err := child("ingest", "-q", "--db", filepath.Join(base, "a.duckdb"), olderDir); err != nil {
		return failed("%v", err)
	}
	if _, err := again("the transform of the older months", "transform", "--db", filepath.Join(base, "a.duckdb")); err != nil {
		return failed("%v", err)
	}
	if lean {
		drop(filepath.Join(base, "lake")) // the copies below take the database alone
	}
	var incs []measure
	for i := 0; i < o.Runs; i++ {
		// the database alone: the month's ingest writes its own lake files, and the base's
		// lake only serves `rebuild`
		dir := filepath.Join(work, fmt.Sprintf("inc%d", i))
		os.MkdirAll(dir, 0o755)
		if err := exec.Command("cp", filepath.Join(base, "a.duckdb"), dir).Run(); err != nil {
			return failed("copying the base database: %v", err)
		}
		// the copy's dirty pages are written out now, not by the syncfs of the measured ingest
		if err := flushDirty(); err != nil {
			return failed("sync: %v", err)
		}
		a, err := child(append([]string{"ingest", "-q", "--db", filepath.Join(dir, "a.duckdb")}, newest...)...)
		if err != nil {
			return failed("%v", err)
		}
		b, err := again(fmt.Sprintf("the incremental month's transform of run %d", i+1), "transform", "--db", filepath.Join(dir, "a.duckdb"))
		if err != nil {
			return failed("%v", err)
		}
		m := measure{secs: a.secs + b.secs, rssMB: max(a.rssMB, b.rssMB)}
		say("incremental month %s run %d: ingest %.1fs + transform %.1fs", last, i+1, a.secs, b.secs)
		incs = append(incs, m)
	}
	inc := median(incs)

	// the check: the marts of the timed incremental month (its last run) are those of the full
	// transform of everything ingested at once — the same content by the other path
	say("comparing the incremental month's marts with the full transform's…")
	incDB := filepath.Join(work, fmt.Sprintf("inc%d", o.Runs-1), "a.duckdb")
	check, err := compareMarts(ctx, incDB, dbf)
	if err != nil {
		return failed("comparing the marts: %v", err)
	}

	// dashboards and payroll for every store for one month (the last final month)
	month := prevMonth(last)
	var dashes, pays []measure
	for i := 0; i < o.Runs; i++ {
		m, err := again(fmt.Sprintf("the dashboards of run %d", i+1), "dashboards", "--db", dbf, "--month", month, "--out", filepath.Join(work, fmt.Sprintf("dash%d", i)))
		if err != nil {
			return failed("%v", err)
		}
		dashes = append(dashes, m)
		p, err := again(fmt.Sprintf("the payroll workbooks of run %d", i+1), "payroll", "--db", dbf, "--all-stores", "--month", month, "--out-dir", filepath.Join(work, fmt.Sprintf("pay%d", i)))
		if err != nil {
			return failed("%v", err)
		}
		pays = append(pays, p)
		say("dashboards run %d: %.1fs; payroll: %.1fs", i+1, m.secs, p.secs)
	}
	dash, pay := median(dashes), median(pays)

	res := benchResult{Scale: o.Scale, Stores: stores, Months: months, Rows: rows, Files: inFiles, InBytes: inBytes, CSVBytes: csvBytes,
		R: r, RUnordered: r2, RHuge: r3, Ingest: ing, Transform: tr, Incremental: inc, Dash: dash, Pay: pay, Month: month, Last: last, Runs: o.Runs,
		RRuns: secsOf(rs), IngestR: ingestR, TransformR: transformR, Threads: duckdbThreads(), Workers: par.Workers(8), Check: &check, Crashes: steps.crashes}
	res.TransformThreads = db.TransformThreads(dbf, res.Threads)
	if !lean {
		res.CSVDir, res.DBFile = csvDir, dbf
	}
	text := res.markdown()
	if err := writeReport(o.Report, text); err != nil {
		return failed("writing %s: %v", o.Report, err)
	}
	fmt.Fprintln(o.W, text)
	say("wrote %s", o.Report)
	if len(check.Differ) > 0 {
		return failed("the incremental month's marts differ from the full transform's: %s (the databases: %s and %s)",
			strings.Join(check.Differ, "; "), incDB, dbf)
	}
	return nil
}

type benchResult struct {
	Scale                                string
	Stores, Months, Files, Runs          int
	Rows                                 int64
	InBytes, CSVBytes                    int64
	R, RUnordered, RHuge                 float64
	Ingest, Transform, Incremental, Dash measure
	Pay                                  measure
	Month, Last                          string
	RRuns, IngestR, TransformR           []float64  // per run: R, and ingest and full transform ÷ that run's R
	CSVDir, DBFile                       string     // left on disk (scale S), for a check by other means
	Threads, Workers                     int        // DuckDB's threads; aftersales' workers (par.Workers)
	TransformThreads                     int        // DuckDB's threads in the transform (db.TransformThreads)
	Check                                *martCheck // the incremental month's marts against the full transform's (nil: not compared)
	Crashes                              []string   // the steps run again after a crash, and how each crashed
}

func (b benchResult) markdown() string {
	var s strings.Builder
	cpu := cpuModel()
	fmt.Fprintf(&s, "<!-- generated by `make bench` (aftersales bench); the section below the marker is written by hand -->\n")
	fmt.Fprintf(&s, "# Benchmarks\n\nScale %s: %d stores × %d months, %d input files (%.0f MB: UTF-8 and GBK CSV, XLSX), %d rows loaded (%.0f MB as clean CSV).\n\n",
		b.Scale, b.Stores, b.Months, b.Files, float64(b.InBytes)/1e6, b.Rows, float64(b.CSVBytes)/1e6)
	how := fmt.Sprintf("`make bench SCALE=%s` (each step the median of %d runs; peak RSS is the maximum over the runs)", b.Scale, b.Runs)
	if b.Runs == 1 {
		// `make bench SCALE=L` runs once per step (the Makefile's RUNS)
		how = fmt.Sprintf("`aftersales bench --scale %s --runs 1`, which `make bench SCALE=L` runs (each step measured once)", b.Scale)
	}
	threads := fmt.Sprintf("%d threads", b.Threads)
	if b.TransformThreads > 0 && b.TransformThreads < b.Threads {
		threads += fmt.Sprintf(" (the transform %d: a thread per 250 MB of its memory limit)", b.TransformThreads)
	}
	fmt.Fprintf(&s, "Machine: %d cores (%s), %.0f GiB memory, %s/%s; DuckDB ran %s, and ingest's parsing, the dashboard pages and the workbooks %d workers. Command: %s.\n\n",
		runtime.NumCPU(), cpu, memGiB(), runtime.GOOS, runtime.GOARCH, threads, b.Workers, how)
	fmt.Fprintf(&s, "R = DuckDB `read_csv` of the same content as clean UTF-8 CSV into typed tables of a file database = **%.1f s** (%.0f k rows/s).\n\n", b.R, float64(b.Rows)/b.R/1e3)
	if len(b.RRuns) > 1 {
		join := func(xs []float64, format string) string {
			var parts []string
			for _, x := range xs {
				parts = append(parts, fmt.Sprintf(format, x))
			}
			return strings.Join(parts, " / ")
		}
		fmt.Fprintf(&s, "Each run measured our ingest, R and the full transform one right after another (this machine's speed drifts within an hour). Per run, in order: R = %s s; ingest ÷ that run's R = %s; full transform ÷ that run's R = %s.\n\n",
			join(b.RRuns, "%.1f"), join(b.IngestR, "%.2f"), join(b.TransformR, "%.2f"))
	}
	fmt.Fprintf(&s, "For information: the same with the two settings ingest's loading changes, `preserve_insertion_order = false` and no merging of row groups at checkpoints (`max_vacuum_tasks = 0`), = %.1f s (%.2f R); R in a process that allocates with transparent huge pages, as aftersales' verbs do (`db.UseHugePages`), = %.1f s (%.2f R). Ratios below are to R as DuckDB ships.\n\n", b.RUnordered, b.RUnordered/b.R, b.RHuge, b.RHuge/b.R)
	fmt.Fprintf(&s, "| step | seconds | × R | target | met | peak RSS | throughput |\n|---|---|---|---|---|---|---|\n")
	row := func(name string, m measure, target float64, targetText, thr string) {
		ratio := m.secs / b.R
		met := "yes"
		if ratio > target {
			met = "**no**"
		}
		fmt.Fprintf(&s, "| %s | %.1f | %.2f | %s | %s | %.0f MB | %s |\n", name, m.secs, ratio, targetText, met, m.rssMB, thr)
	}
	row("ingest (all files)", b.Ingest, 2.0, "≤ 2.0 R", fmt.Sprintf("%.0f k rows/s, %.1f MB/s", float64(b.Rows)/b.Ingest.secs/1e3, float64(b.InBytes)/1e6/b.Ingest.secs))
	row("transform (full)", b.Transform, 0.5, "≤ 0.5 R", "")
	incTarget := 0.10 * (b.Ingest.secs + b.Transform.secs) / b.R
	row("incremental month "+b.Last+" (ingest + incremental transform)", b.Incremental, incTarget, fmt.Sprintf("≤ 10%% of full = %.2f R", incTarget), "")
	row("dashboards, all stores, "+b.Month, b.Dash, 0.5, "≤ 0.5 R", "")
	row("payroll workbooks, all stores, "+b.Month, b.Pay, 0.1, "≤ 0.1 R", "")
	limitRSS := 2048.0
	if b.Scale == "L" {
		limitRSS = 8192
	}
	peak := max(b.Ingest.rssMB, b.Transform.rssMB, b.Incremental.rssMB, b.Dash.rssMB, b.Pay.rssMB)
	ok := "met"
	if peak > limitRSS {
		ok = "**not met**"
	}
	fmt.Fprintf(&s, "\nPeak RSS of any step: %.0f MB (target ≤ %.0f MB at scale %s: %s).\n", peak, limitRSS, b.Scale, ok)
	if c := b.Check; c != nil {
		if len(c.Differ) == 0 {
			fmt.Fprintf(&s, "\nCheck: the incremental month's marts equal the full transform's: yes (the %d marts of CONTRACT §3, %d rows; `mart_data_quality` without the examples of `freshness` and `rejected_rows`, which name ingest times and files).\n", c.Marts, c.Rows)
		} else {
			fmt.Fprintf(&s, "\nCheck: the incremental month's marts equal the full transform's: **no** — %s.\n", strings.Join(c.Differ, "; "))
		}
	}
	if len(b.Crashes) > 0 {
		fmt.Fprintf(&s, "\nRun again after a crash (a fault signal, not an exit: such a step changes nothing when it fails; its time is the second run's): %s.\n", strings.Join(b.Crashes, "; "))
	}
	if b.CSVDir != "" {
		// what another implementation (DuckDB SQL by hand, pandas) can read and compare with
		fmt.Fprintf(&s, "\nLeft on disk after the run: `%s/<kind>.csv`, the content R reads (one clean UTF-8 CSV per input kind, canonical columns, the rows loaded), and `%s`, the database of the last full transform with every mart.\n",
			filepath.ToSlash(b.CSVDir), filepath.ToSlash(b.DBFile))
	}
	return s.String()
}

const handMarker = "<!-- hand-written notes below; `make bench` keeps them -->"

// flushDirty writes out every dirty page (sync) before a measured step: the ingest's syncfs
// flushes the whole file system, so pages the bench itself left dirty (generated input, the
// clean CSV, a copied database) would otherwise be charged to the step.
func flushDirty() error {
	return exec.Command("sync").Run()
}

// writeReport replaces the generated part of the report and keeps the notes below the marker.
func writeReport(path, generated string) error {
	notes := "\n" + handMarker + "\n"
	if b, err := os.ReadFile(path); err == nil {
		if i := strings.Index(string(b), handMarker); i >= 0 {
			notes = "\n" + string(b[i:])
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(generated+notes), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// benchDisk: the most disk a bench run used, measured by sampling `df` every 2–3 s through
// `make bench` in session 33 (the generated input, then every run's lakes, databases, clean CSV,
// copies and outputs), with a tenth more for another machine's file system: S 9.6 GiB at the
// fullest (3 runs), 0.9 GiB of it the input; L 33.6 GiB (1 run), 9.2 GiB of it the input. At L the
// bench frees each step's files once measured, so the figure does not grow with --runs; at S the
// runs' folders stay until the end (the default 3 runs).
var benchDisk = map[string]struct{ input, work int64 }{
	"S": {input: 1_000 << 20, work: 9_700 << 20},
	"L": {input: 10_000 << 20, work: 27_500 << 20},
}

// checkBenchDisk refuses to start a bench that would run out of disk half-way (at L after
// half an hour), saying how much it needs, how much is free and what takes the space.
func checkBenchDisk(o *benchOpts, data, marker string) error {
	need := benchDisk[o.Scale].work
	if _, err := os.Stat(marker); err != nil {
		need += benchDisk[o.Scale].input
	}
	dir := o.Out
	for {
		if _, err := os.Stat(dir); err == nil || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	free, ok := freeBytes(dir)
	if !ok || free >= need {
		return nil
	}
	gb := func(n int64) string { return fmt.Sprintf("%.1f GB", float64(n)/(1<<30)) }
	if n, _ := dirSize(filepath.Join(o.Out, "work-"+o.Scale)); n > 0 {
		return failed("the bench at scale %s needs about %s of free disk under %s and %s is free; %s of it is taken by the previous run's %s, which this run keeps until it has measured "+
			"(deleting many files just before timing slows the first ingest: see BENCHMARKS.md) — remove it and wait 6 minutes, or free space, or give --out on a larger disk",
			o.Scale, gb(need), o.Out, gb(free), gb(n), filepath.Join(o.Out, "work-"+o.Scale))
	}
	return failed("the bench at scale %s needs about %s of free disk under %s and %s is free; free space, or give --out on a larger disk", o.Scale, gb(need), o.Out, gb(free))
}

func dirSize(dir string) (int64, int) {
	var n int64
	files := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasPrefix(info.Name(), ".") {
			n += info.Size()
			files++
		}
		return nil
	})
	return n, files
}

func countRows(ctx context.Context, dbf string) (int64, error) {
	d, err := db.Open(dbf, true)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int64
	err = d.QueryRowContext(ctx, `SELECT sum(rows_loaded) FROM ingest_files`).Scan(&n)
	return n, err
}

// splitByMonth lists the input files under data: those of month last (the generator names a
// file <kind>_<YYYY-MM>.<ext>) and the others.
func splitByMonth(data, last string) (older, newest []string) {
	filepath.Walk(data, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasPrefix(info.Name(), ".") {
			return nil
		}
		if strings.Contains(info.Name(), "_"+last) {
			newest = append(newest, p)
		} else {
			older = append(older, p)
		}
		return nil
	})
	return older, newest
}

// benchMarts: the marts CONTRACT §3 names, which the bench's check compares.
var benchMarts = []string{"mart_store_month", "mart_tech_month", "mart_advisor_month", "mart_payroll",
	"mart_parts_month", "mart_comebacks", "mart_benchmark", "mart_data_quality"}

// martCheck: how many marts and rows compareMarts compared, and the marts that differ.
type martCheck struct {
	Marts  int
	Rows   int64
	Differ []string // "mart_x (rows a / b)"
}

// compareMarts checks that two databases of the same input hold the same marts, row for row in
// any order: per mart and database, the count of rows and the sum of the rows' hashes (a row's
// hash is DuckDB's hash of the whole row as one struct; equal rows, equal hashes). A differing
// mart is found unless its differences cancel in a 128-bit sum of 64-bit hashes. The examples of
// mart_data_quality's freshness and rejected_rows rows are left out: they name the last ingest's
// time and a file, which differ between a database loaded at once and one loaded month by month.
func compareMarts(ctx context.Context, a, b string) (martCheck, error) {
	var c martCheck
	d, err := db.OpenMemory()
	if err != nil {
		return c, err
	}
	defer d.Close()
	conn, err := d.Conn(ctx) // (one connection: the attachments and the queries on it)
	if err != nil {
		return c, err
	}
	defer conn.Close()
	aliases := [2]string{"a", "b"}
	for i, f := range [2]string{a, b} {
		if _, err := conn.ExecContext(ctx, "ATTACH "+db.Quote(f)+" AS "+aliases[i]+" (READ_ONLY)"); err != nil {
			return c, fmt.Errorf("opening %s: %w", f, err)
		}
	}
	for _, m := range benchMarts {
		var n [2]int64
		var h [2]string
		for i, alias := range aliases {
			rows := "SELECT * FROM " + alias + ".main." + m
			if m == "mart_data_quality" {
				rows = `SELECT * REPLACE (CASE WHEN "check" IN ('freshness', 'rejected_rows') THEN NULL ELSE example END AS example) FROM ` + alias + ".main." + m
			}
			q := "SELECT count(*), coalesce(sum(hash(x)::HUGEINT), 0)::VARCHAR FROM (" + rows + ") x"
			if err := conn.QueryRowContext(ctx, q).Scan(&n[i], &h[i]); err != nil {
				return c, fmt.Errorf("%s: %w", m, err)
			}
		}
		c.Marts++
		c.Rows += n[0]
		if n[0] != n[1] || h[0] != h[1] {
			c.Differ = append(c.Differ, fmt.Sprintf("%s (rows %d / %d)", m, n[0], n[1]))
		}
	}
	return c, nil
}

func lastMonth(ctx context.Context, dbf string) (string, error) {
	d, err := db.Open(dbf, true)
	if err != nil {
		return "", err
	}
	defer d.Close()
	var m string
	err = d.QueryRowContext(ctx, `SELECT max(month) FROM raw_attendance`).Scan(&m)
	return m, err
}

func prevMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.AddDate(0, -1, 0).Format("2006-01")
}

// exportCleanCSV writes each raw table as one clean UTF-8 CSV (canonical columns, header).
func exportCleanCSV(ctx context.Context, dbf, dir string) (int64, error) {
	os.MkdirAll(dir, 0o755)
	d, err := db.Open(dbf, true)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	for _, k := range ingest.Kinds() {
		p := filepath.Join(dir, k.Name+".csv")
		q := fmt.Sprintf(`COPY (SELECT * EXCLUDE (file_id, row_number) FROM raw_%s) TO %s (HEADER, DELIMITER ',')`, k.Name, db.Quote(p))
		if _, err := d.ExecContext(ctx, q); err != nil {
			return 0, err
		}
	}
	n, _ := dirSize(dir)
	return n, nil
}

// readCSVLimit loads every clean CSV with DuckDB's read_csv into typed tables of a new file
// database: the reference speed R.
func readCSVLimit(ctx context.Context, dir, dbf string, unordered bool) (measure, error) {
	os.Remove(dbf)
	d, err := db.Open(dbf, false)
	if err != nil {
		return measure{}, err
	}
	defer func() { d.Close(); os.Remove(dbf) }()
	d.SetMaxOpenConns(1) // the SETs below hold for the one connection
	start := time.Now()
	if err := limitSession(ctx, d, unordered); err != nil {
		return measure{}, err
	}
	for _, k := range ingest.Kinds() {
		var cols []string
		for _, c := range k.Columns {
			cols = append(cols, fmt.Sprintf("'%s': '%s'", c.Name, c.SQLType()))
		}
		q := fmt.Sprintf(`CREATE TABLE %s AS SELECT * FROM read_csv(%s, header = true, columns = {%s})`,
			k.Name, db.Quote(filepath.Join(dir, k.Name+".csv")), strings.Join(cols, ", "))
		if _, err := d.ExecContext(ctx, q); err != nil {
			return measure{}, err
		}
	}
	if _, err := d.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return measure{}, err
	}
	return measure{secs: time.Since(start).Seconds()}, nil
}

// limitSession sets up the limit's connection: R is DuckDB as it ships — its default merging of
// row groups at checkpoints back on and its default memory limit, 80 % of the machine's memory
// (db.Open turns the merging off for aftersales' own work and sets a limit of its own, 1 GB for a
// new file: see internal/db) — and the unordered variant runs with the two settings ingest's
// loading uses, insertion order not preserved and no merging. (Until session 56 R kept db.Open's
// 1 GB: at scale S it never reached it, at L it held 1.3 GB of RSS instead of 3.5 GB and took
// 148.5 / 139.7 s against 133.6 / 133.6 s without it, alternating — a slower R, so ratios at L
// 4–10 % in our favour.)
func limitSession(ctx context.Context, d *sql.DB, unordered bool) error {
	stmts := []string{"RESET memory_limit", "RESET max_vacuum_tasks"}
	if unordered {
		stmts = []string{"RESET memory_limit", "SET preserve_insertion_order = false", "SET max_vacuum_tasks = 0"}
	}
	for _, st := range stmts {
		if _, err := d.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// duckdbThreads is the number of threads DuckDB runs with here (0 when it cannot be asked).
func duckdbThreads() int {
	d, err := db.OpenMemory()
	if err != nil {
		return 0
	}
	defer d.Close()
	var n int
	if d.QueryRow("SELECT current_setting('threads')").Scan(&n) != nil {
		return 0
	}
	return n
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "model name") {
			return strings.TrimSpace(strings.SplitN(sc.Text(), ":", 2)[1])
		}
	}
	return runtime.GOARCH
}

func memGiB() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var kb float64
	fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%f", &kb)
	return kb / 1024 / 1024
}

// limitWithHugePages runs the limit R as `aftersales bench-limit`, a process that allocates with
// huge pages, and returns the seconds it measured itself (without the process's start and exit).
func limitWithHugePages(csvDir, dbf string) (measure, error) {
	self, err := os.Executable()
	if err != nil {
		return measure{}, err
	}
	out, err := exec.Command(self, "bench-limit", "--csv", csvDir, "--db", dbf).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return measure{}, fmt.Errorf("%v\n%s", err, ee.Stderr)
		}
		return measure{}, err
	}
	var secs float64
	if _, err := fmt.Sscan(string(out), &secs); err != nil {
		return measure{}, fmt.Errorf("bench-limit printed %q: %v", out, err)
	}
	return measure{secs: secs}, nil
}

// newBenchLimitCmd is the limit R in a process of its own, run by the bench for information: as
// every verb but bench, it allocates with huge pages (db.UseHugePages), so it is DuckDB's read_csv
// with aftersales' allocator setting.
func newBenchLimitCmd() *cobra.Command {
	var csvDir, dbf string
	c := &cobra.Command{
		Use:    "bench-limit --csv DIR --db FILE",
		Short:  "The bench's limit R (DuckDB read_csv of the clean CSV) in a process of its own",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			m, err := readCSVLimit(ctxOf(c), csvDir, dbf, false)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "%.3f\n", m.secs)
			return nil
		},
	}
	c.Flags().StringVar(&csvDir, "csv", "", "folder of the clean CSV files")
	c.Flags().StringVar(&dbf, "db", "", "database file to create (removed afterwards)")
	c.MarkFlagRequired("csv")
	c.MarkFlagRequired("db")
	return c
}
