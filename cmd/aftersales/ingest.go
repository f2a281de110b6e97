package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/ingest/read"
	"github.com/aftersales/aftersales/internal/msg"
)

type ingestOpts struct {
	dbFlags
	Store, Kind, Sheet string
	Month              string // --month: the month of attendance and roster rows without one
	TimeZone           string // --timezone ("": ingest.DefaultZone)
	Strict, Reload     bool
	Check              bool // read and check only: nothing loaded
	Quiet              bool
	Totals             bool // only the totals and files rejected whole (the demo)
	Paths              []string
	Out                io.Writer
	Progress           bool
	// Aliases: the aliases file (--aliases); with DefaultAliases (no --aliases given),
	// data/aliases.yaml when it exists
	Aliases        string
	DefaultAliases bool
}

// loadAliases reads the aliases file path, or with byDefault data/aliases.yaml when it exists;
// nil when there is none. A mistake in it is a usage error (exit 2), named by its line.
func loadAliases(path string, byDefault bool) (*ingest.Aliases, error) {
	if byDefault {
		if _, err := os.Stat(ingest.DefaultAliasesFile); err != nil {
			return nil, nil
		}
		path = ingest.DefaultAliasesFile
	}
	if path == "" {
		return nil, nil
	}
	a, err := ingest.LoadAliases(path)
	if err != nil {
		return nil, usage("%v", err)
	}
	return a, nil
}

func newIngestCmd() *cobra.Command {
	o := &ingestOpts{}
	c := &cobra.Command{
		Use:   "ingest --db FILE [--store ID] [--kind KIND] [--strict] PATH|PATTERN...",
		Short: "Load DMS exports (CSV UTF-8/GBK, XLSX, Parquet) into the lake and the database",
		Long: `Load files, folders or patterns (exports/*.csv, matched by aftersales where the shell leaves them, as
Windows' does). Each file is detected (format, encoding, header row, kind) and
loaded in its own transaction; one line per file says rows read / loaded / rejected / skipped,
and the dates (or months) its rows span. Rejected rows are kept in ingest_rejects with file, row, column, value and reason.
The same file again loads nothing (unless --reload); a corrected re-export replaces the rows of the same keys,
and its line says how many rows of which earlier files it replaced. In a folder, files that are not
CSV, XLSX, Excel 2003 XML or Parquet (Thumbs.db, a PDF…) and the reports, payroll sheets and benchmark
workbooks aftersales wrote are named and left aside; hidden files and Excel's ~$ lock files are skipped. A folder named through a
symbolic link is read where the link points; links to folders inside it are named, not followed. --check reads and checks
the files and says what loading them would do, and loads nothing.

Kinds: stores, technicians, attendance, work_orders, order_jobs, parts, parts_movements, callbacks.
Exit status: 0 done, 1 a file was rejected whole (or, with --strict, any row was rejected), 2 wrong usage.`,
		Example: `  aftersales ingest --db data/aftersales.duckdb data/sample
  aftersales ingest --store S001 --kind work_orders 工单导出.xlsx
  aftersales ingest --store S001 --month 2026-09 9月考勤表.xlsx
  aftersales ingest --strict exports/2026-03/*.csv`,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage("ingest needs at least one file or folder\nRun `aftersales ingest --help` for usage.")
			}
			o.Paths, o.Out, o.Progress = args, c.OutOrStdout(), isTerminal()
			o.DefaultAliases = !c.Flags().Changed("aliases")
			return runIngest(ctxOf(c), o)
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Store, "store", "", "store id of every row (fills a missing store_id column; a different store_id in the file rejects it)")
	c.Flags().StringVar(&o.Month, "month", "", "month of every row of an attendance sheet (月份) or technicians roster (生效月份) that has no such column, as a sheet titled 2026年9月考勤表 (fills the column; a different month in the file rejects it)")
	c.Flags().StringVar(&o.Kind, "kind", "", "input kind, instead of detecting it from the headers")
	c.Flags().StringVar(&o.Sheet, "sheet", "", "XLSX sheet to read (default: the first)")
	c.Flags().StringVar(&o.TimeZone, "timezone", ingest.DefaultZone, "the stores' time zone (IANA name): a Parquet timestamp with a time zone is an instant, read as local time there; other timestamps are read as they are")
	c.Flags().BoolVar(&o.Strict, "strict", false, "reject a file whole when any of its rows is rejected; exit 1")
	c.Flags().BoolVar(&o.Reload, "reload", false, "load the files even if the same content was loaded before: each is then the latest ingested and wins its keys (to put an export back on top of one ingested after it by mistake)")
	c.Flags().BoolVarP(&o.Quiet, "quiet", "q", false, "print only the totals and problems")
	c.Flags().StringVar(&o.Aliases, "aliases", "", "the DMS's own headers and words for fixed values, beyond the built-in ones (default data/aliases.yaml when it exists; aftersales columns lists what it adds)")
	c.Flags().BoolVar(&o.Check, "check", false, "read and check the files and say what loading them would do, without loading anything (the database, if there is one, is only read: for files loaded before)")
	return c
}

// dataExt are the file names a folder walk offers to ingest: what read.Open reads (CSV and
// text, XLSX, Parquet, no extension) and old workbooks (.xls, WPS .et), which it rejects with a
// way out; an .xml file is offered only when it begins as an Excel 2003 XML spreadsheet
// (read.SpreadsheetXML). Anything else found in a folder — Thumbs.db, desktop.ini, a PDF, a
// photo, another XML file — is left aside and named, instead of being rejected and failing the
// run. A file named on the command line is always tried.
var dataExt = map[string]bool{".csv": true, ".txt": true, ".tsv": true, "": true, ".xlsx": true, ".xlsm": true,
	".xls": true, ".et": true, ".parquet": true}

// asideFile is a file of a folder that is not ingested: not data, or (own) a workbook
// aftersales wrote, with its title.
type asideFile struct {
	path, title string
	own         bool
	dirLink     bool // a symbolic link to a folder, not followed
}

// ownOutput: the names aftersales gives the workbooks it writes into folders (report.go,
// payroll.go: 月报, 工资表, 集团对标); a file so named and created by aftersales is its own output, not an export
// (checked by name first: opening every workbook of a folder would cost the ingest).
var ownOutput = regexp.MustCompile(`^(月报|工资表|集团对标)-.*\.xlsx$`)

// expandPaths lists files under folders (sorted; hidden files, Excel's ~$ lock files and
// lake/database files skipped) and the other files found there that are not data (aside).
func expandPaths(paths []string) (files []string, aside []asideFile, err error) {
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil && strings.ContainsAny(p, "*?[") {
			// a pattern as typed: Windows' cmd.exe and PowerShell leave 导出\*.csv to the program
			// (a Unix shell expands it first, unless it is quoted)
			matches, gerr := glob(p, runtime.GOOS == "windows")
			if gerr != nil || len(matches) == 0 {
				return nil, nil, usage("no file matches %s", p)
			}
			sortExports(matches)
			f, a, err := expandPaths(matches)
			if err != nil {
				return nil, nil, err
			}
			files, aside = append(files, f...), append(aside, a...)
			continue
		}
		if err != nil {
			return nil, nil, usage("cannot read %s: %v", p, err)
		}
		if !st.IsDir() {
			// (a lake file is <lake>/<kind>/store=<id>/<sha256>[-<sheet hash>].parquet)
			if l := filepath.Dir(filepath.Dir(filepath.Dir(p))); strings.HasSuffix(p, ".parquet") && isLake(l) {
				return nil, nil, usage("%s is a file of the lake %s (a copy of a file already loaded), not an export: give the DMS export itself", p, l)
			}
			files = append(files, p)
			continue
		}
		if isLake(p) {
			return nil, nil, usage("%s is a lake (aftersales' own Parquet copies of loaded files, with its _manifest), not a folder of exports: "+
				"give the folder of the DMS exports; to recreate a database from a lake, use `aftersales rebuild --db FILE --lake %s`", p, p)
		}
		// A folder named through a symbolic link (/data/exports -> /mnt/nas/dms) is walked
		// where it points, its files named under the link as given (WalkDir alone would not
		// descend into a link: it would offer the link itself as one file and fail the run).
		root := p
		if real, err := filepath.EvalSymlinks(p); err == nil && real != filepath.Clean(p) {
			root = real
		}
		var found []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if root != p {
				rel, rerr := filepath.Rel(root, path)
				if rerr != nil {
					return rerr
				}
				if rel != "." {
					path = filepath.Join(p, rel)
				} else {
					path = p
				}
			}
			name := d.Name()
			if d.Type()&fs.ModeSymlink != 0 {
				// a link inside the folder: a link to a file is read like the file; a link to a
				// folder is not followed (it could lead back up the tree) and is named as left aside
				if st, serr := os.Stat(path); serr == nil && st.IsDir() {
					aside = append(aside, asideFile{path: path, dirLink: true})
					return nil
				}
			}
			if d.IsDir() {
				// a lake below the folder (named lake/ or not) holds copies of loaded files
				if path != p && (strings.HasPrefix(name, ".") || name == "lake" || isLake(path)) {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(name))
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || ext == ".duckdb" || ext == ".wal" || ext == ".md" {
				return nil
			}
			if !dataExt[ext] && !(ext == ".xml" && read.SpreadsheetXML(path)) {
				aside = append(aside, asideFile{path: path})
				return nil
			}
			if ownOutput.MatchString(name) {
				if title, ok := read.OwnWorkbook(path); ok {
					aside = append(aside, asideFile{path: path, title: title, own: true})
					return nil
				}
			}
			found = append(found, path)
			return nil
		})
		if err != nil {
			return nil, nil, failed("listing %s: %v", p, err)
		}
		sortExports(found)
		files = append(files, found...)
	}
	slices.SortFunc(aside, func(a, b asideFile) int { return strings.Compare(a.path, b.path) })
	return files, aside, nil
}

// glob is filepath.Glob, and with fold its letters match either case, as Windows' own
// patterns do (导出\*.CSV matches 工单.csv there; filepath.Glob would not).
func glob(pattern string, fold bool) ([]string, error) {
	if !fold {
		return filepath.Glob(pattern)
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	dir, file := filepath.Split(pattern)
	if vol := filepath.VolumeName(dir); len(dir) > len(vol)+1 {
		dir = dir[:len(dir)-1] // C:\a\ → C:\a; C:\ and \ stay
	}
	dirs := []string{dir}
	if strings.ContainsAny(dir, "*?[") {
		var err error
		if dirs, err = glob(dir, true); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, d := range dirs {
		entries, _ := os.ReadDir(cmp.Or(d, "."))
		for _, e := range entries {
			if ok, _ := filepath.Match(strings.ToLower(file), strings.ToLower(e.Name())); ok {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	return out, nil
}

// sortExports orders a folder's files by name, each browser copy after the file it copies:
// "工单.csv", "工单 (1).csv", "工单 (2).csv", "工单 (10).csv". Of two files with rows of the same key
// the one ingested later wins, and a browser names an export downloaded again after an earlier
// one "NAME (1)" — which plain name order put first, so the earlier export won.
func sortExports(paths []string) {
	key := func(p string) string {
		dir, base := filepath.Split(p)
		ext := filepath.Ext(base)
		stem, n := strings.TrimSuffix(base, ext), 0
		if m := copySuffix.FindStringSubmatch(stem); m != nil {
			stem = stem[:len(stem)-len(m[0])]
			n, _ = strconv.Atoi(m[1])
		}
		return fmt.Sprintf("%s%s%s\x00%09d", dir, stem, ext, n)
	}
	keys := make(map[string]string, len(paths))
	for _, p := range paths {
		keys[p] = key(p)
	}
	sort.SliceStable(paths, func(i, j int) bool { return keys[paths[i]] < keys[paths[j]] })
}

// copySuffix is the " (1)" a browser adds to the name of a file downloaded again.
var copySuffix = regexp.MustCompile(` ?\(([0-9]{1,9})\)$`)

// isLake reports whether dir is a lake: it holds the manifest of loaded files.
func isLake(dir string) bool {
	st, err := os.Stat(ingest.ManifestDir(dir))
	return err == nil && st.IsDir()
}

func runIngest(ctx context.Context, o *ingestOpts) error {
	if o.Month != "" {
		if err := monthFlag("--month", &o.Month); err != nil {
			return err
		}
	}
	zone, err := time.LoadLocation(cmp.Or(o.TimeZone, ingest.DefaultZone))
	if err != nil || o.TimeZone == "Local" {
		return usage("--timezone %q is not a time zone: give an IANA name such as Asia/Shanghai", o.TimeZone)
	}
	aliases, err := loadAliases(o.Aliases, o.DefaultAliases)
	if err != nil {
		return err
	}
	files, aside, err := expandPaths(o.Paths)
	if err != nil {
		return err
	}
	if !aliases.Empty() && !o.Quiet {
		// (what a reader of the output needs to know why 快修 loaded as repair)
		h, v := aliases.Counts()
		fmt.Fprintln(o.Out, termSafe(msg.T(lang, "reading the DMS's own words declared in %s: %d header(s), %d value spelling(s)", aliases.Path, h, v), true))
	}
	for i, a := range aside {
		if o.Quiet && i == 3 {
			fmt.Fprintln(o.Out, msg.T(lang, "    … and %d more", len(aside)-3))
			break
		}
		if a.own {
			fmt.Fprintln(o.Out, termSafe(msg.T(lang, "%s: not read — a workbook aftersales wrote (%q), not a DMS export", a.path, a.title), true))
			continue
		}
		if a.dirLink {
			fmt.Fprintln(o.Out, termSafe(msg.T(lang, "%s: not read — a link to a folder, not followed (name it on the command line to read that folder)", a.path), true))
			continue
		}
		fmt.Fprintln(o.Out, termSafe(msg.T(lang, "%s: not read — not a CSV, XLSX or Parquet file (name it on the command line to try it)", a.path), true))
	}
	var d *sql.DB
	switch _, statErr := os.Stat(o.DB); {
	case o.Check && statErr != nil:
		// no database yet: nothing was loaded before, and --check makes none
	case o.Check:
		if d, err = openDB(&o.dbFlags, true); err != nil {
			return err
		}
		defer d.Close()
	default:
		if d, err = openDB(&o.dbFlags, false); err != nil {
			return err
		}
		defer d.Close()
		if err := ingest.EnsureSchema(ctx, d); err != nil {
			return failed("%v", err)
		}
	}
	// a database whose files are in no entry of this lake (a --lake given once, or not given
	// once): said now, not when a rebuild would need them
	if entries, _ := filepath.Glob(filepath.Join(ingest.ManifestDir(o.lakeDir()), "*.json")); !o.Check && len(entries) == 0 {
		var n int
		if d.QueryRowContext(ctx, `SELECT count(*) FROM ingest_files`).Scan(&n) == nil && n > 0 {
			fmt.Fprintln(os.Stderr, msg.T(lang, "note: the lake %q holds none of the %d files this database has loaded (a database copied without its lake, or loaded with another --lake?); "+
				"a rebuild needs every file in one lake: give the same --lake each time", o.lakeDir(), n))
		}
	}
	in := &ingest.Ingester{DB: d, Log: logger(), Opts: ingest.Options{
		Store: o.Store, Month: o.Month, Kind: o.Kind, Sheet: o.Sheet, Strict: o.Strict, Reload: o.Reload, Lake: o.lakeDir(), Lang: lang, Check: o.Check,
		Zone: zone, Aliases: aliases,
	}}
	// On a terminal: a bar of the files, each counted twice — once read and checked, once loaded
	// (a batch of up to 2,048 files loads at once: counting loads alone, the bar stood still while
	// the first batch was read and then jumped); one file alone, the rows it has read so far.
	var bar *progressbar.ProgressBar
	switch {
	case o.Progress && len(files) > 1:
		bar = progressbar.NewOptions(2*len(files), progressbar.OptionSetDescription(msg.T(lang, "ingest")),
			progressbar.OptionSetWriter(os.Stderr), progressbar.OptionClearOnFinish())
		in.Opts.Parsed = func(string) { bar.Add(1) }
	case o.Progress && len(files) == 1:
		bar = progressbar.NewOptions(-1, progressbar.OptionSetDescription(msg.T(lang, "ingest")),
			progressbar.OptionSetWriter(os.Stderr), progressbar.OptionClearOnFinish())
		in.Opts.Progress = func(rows int) { bar.Describe(msg.T(lang, "%d rows read", rows)) }
	}
	var tot ingest.Result
	rejectedFiles, rejectedRows, duplicates, noted, replaced, backward := 0, 0, 0, 0, 0, 0
	err = in.Files(ctx, files, func(f string, res *ingest.Result) {
		if bar != nil {
			bar.Add(1)
		}
		tot.Read += res.Read
		tot.Loaded += res.Loaded
		tot.Rejected += res.Rejected
		tot.Skipped += res.Skipped
		rejectedRows += len(res.Rejects)
		back := 0
		for _, r := range res.Replaced {
			replaced += r.Rows
			back += r.Backward
		}
		backward += back
		switch res.Status {
		case ingest.StatusRejected:
			rejectedFiles++
		case ingest.StatusDuplicate:
			duplicates++
		case ingest.StatusLoaded:
			if res.Message != "" {
				noted++ // a note: columns or sheets not read, headers or keys repeated
			}
		}
		// --quiet: the files rejected whole and the files with a WARNING (work orders put back
		// to an earlier status: the summary points to their lines), and (but in the demo's
		// totals) the files with rejected rows or a note
		if !o.Quiet || res.Status == ingest.StatusRejected || back > 0 || (res.Rejected > 0 || res.Status == ingest.StatusLoaded && res.Message != "") && !o.Totals {
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintln(o.Out, summaryLine(f, res, o.Check))
		}
	})
	if bar != nil {
		bar.Clear()
	}
	if err != nil {
		var ahead *ingest.LakeAheadError
		switch {
		case errors.As(err, &ahead):
			ahead.DB = o.DB
			return failed("%v", ahead)
		case diskFull(err):
			return failed("ingesting: %v\nThe disk is full. Files committed before stay loaded (ingest_files lists them); nothing of the batch that failed was kept. "+
				"Free space for the database %s and its lake %s (the database takes about 0.5 × and the lake 1.2 × the size of the input files), "+
				"then run the same command again: the files already loaded are skipped as duplicates and the rest load", err, o.DB, o.lakeDir())
		}
		return failed("ingesting: %v", err)
	}
	dup := ""
	if duplicates > 0 {
		dup = msg.T(lang, "; %d file(s) loaded before (the same content): nothing to do for them", duplicates)
	}
	if noted > 0 {
		dup += msg.T(lang, "; %d file(s) with a note (see its line)", noted)
	}
	switch {
	case replaced > 0 && o.Check:
		dup += msg.T(lang, "; %d of the rows would replace rows loaded before with the same key", replaced)
	case replaced > 0:
		dup += msg.T(lang, "; %d of the rows loaded replaced rows loaded before with the same key", replaced)
	}
	switch {
	case backward > 0 && o.Check:
		dup += msg.T(lang, "; %d work order(s) would be put back to an earlier status (see the WARNING on their file's line)", backward)
	case backward > 0:
		dup += msg.T(lang, "; %d work order(s) put back to an earlier status (see the WARNING on their file's line)", backward)
	}
	if o.Check {
		fmt.Fprintln(o.Out, msg.T(lang, "%d file(s) checked, nothing loaded: read %d, would load %d, would reject %d, skip %d rows; %d file(s) would be rejected whole%s",
			len(files), tot.Read, tot.Loaded, tot.Rejected, tot.Skipped, rejectedFiles, dup))
	} else {
		fmt.Fprintln(o.Out, msg.T(lang, "%d file(s): read %d, loaded %d, rejected %d, skipped %d rows; %d file(s) rejected%s",
			len(files), tot.Read, tot.Loaded, tot.Rejected, tot.Skipped, rejectedFiles, dup))
	}
	if o.Check {
		if rejectedFiles > 0 || o.Strict && tot.Rejected > 0 {
			return failed("the check found what ingest would reject: fix those files (or export them again) before loading")
		}
		return nil
	}
	if rejectedRows > 0 {
		fmt.Fprintln(o.Out, msg.T(lang, "rejected rows are listed in ingest_rejects: aftersales query --db %s \"SELECT * FROM ingest_rejects ORDER BY file_id, row_number\"", o.DB))
	}
	if rejectedFiles > 0 {
		return failed("%d file(s) rejected whole; nothing of them was loaded", rejectedFiles)
	}
	if o.Strict && tot.Rejected > 0 {
		return failed("%d row(s) rejected (--strict)", tot.Rejected)
	}
	return nil
}

// kindName is a kind as the summary names it: its Chinese name with the kind in Chinese
// (工单 work_orders), the kind alone in English.
func kindName(kind string) string {
	k, err := ingest.KindByName(kind)
	if lang == msg.EN || err != nil {
		return kind
	}
	return k.Label + " " + kind
}

// columnName is a column as the summary names it: in Chinese with the export's usual Chinese
// header first (车架号 vin), in English the canonical name alone.
func columnName(kind, col string) string {
	if k, err := ingest.KindByName(kind); err == nil {
		for i := range k.Columns {
			if k.Columns[i].Name == col {
				return k.Columns[i].Title(lang)
			}
		}
	}
	return col
}

// replacedLine says which rows loaded before a file replaced (the later row of a natural key
// wins): of which earlier files, largest first, three of them named.
func replacedLine(rs []ingest.Replaced, check bool) string {
	total := 0
	var from []string
	for i, r := range rs {
		total += r.Rows
		if i < 3 {
			if r.InCall {
				from = append(from, msg.T(lang, "%d of %s (checked above)", r.Rows, r.Path))
			} else {
				from = append(from, msg.T(lang, "%d of %s (file_id %d)", r.Rows, r.Path, r.FileID))
			}
		}
	}
	if len(rs) > 3 {
		from = append(from, msg.T(lang, "and %d more file(s)", len(rs)-3))
	}
	if check {
		return msg.T(lang, "would replace %d row(s) loaded before with the same key (a key keeps its latest row): %s", total, strings.Join(from, msg.T(lang, "; ")))
	}
	return msg.T(lang, "replaced %d row(s) loaded before with the same key (a key keeps its latest row): %s", total, strings.Join(from, msg.T(lang, "; ")))
}

// backwardLine warns of work orders a file put back to an earlier status than the rows it
// replaced had (delivered → open, say): the mark of an older export loaded after a newer one,
// which would undo deliveries in every KPI. Empty when there are none. With check (ingest
// --check), of what loading the file would do.
func backwardLine(rs []ingest.Replaced, check bool) string {
	n, newest := 0, ingest.Replaced{}
	for _, r := range rs {
		n += r.Backward
		if r.Backward > 0 && r.FileID > newest.FileID {
			newest = r
		}
	}
	if n == 0 {
		return ""
	}
	if check {
		return msg.T(lang, "WARNING: %d of them are work orders it would put back to an earlier status (delivered → open or completed, completed → open): this file may be an older export than %s. If so, leave it out of the load", n, newest.Path)
	}
	return msg.T(lang, "WARNING: %d of them are work orders put back to an earlier status (delivered → open or completed, completed → open): this file may be an older export than %s. If so, load that newer export again with --reload so that it wins", n, newest.Path)
}

// periodText is the span of a loaded file's rows, by the column its kind dates them by
// ("; 进厂时间 opened_at 2026-09-01 至 2026-09-30"): an export of the wrong month shows on its line.
func periodText(r *ingest.Result) string {
	k, err := ingest.KindByName(r.Kind)
	if err != nil || k.Period == "" || r.PeriodFirst == "" {
		return ""
	}
	if r.PeriodFirst == r.PeriodLast {
		return msg.T(lang, "; %s %s", columnName(r.Kind, k.Period), r.PeriodFirst)
	}
	return msg.T(lang, "; %s %s to %s", columnName(r.Kind, k.Period), r.PeriodFirst, r.PeriodLast)
}

// summaryLine is a file's line; with check, as loading it would go (ingest --check).
func summaryLine(path string, r *ingest.Result, check bool) string {
	switch r.Status {
	case ingest.StatusDuplicate:
		return termSafe(msg.T(lang, "%s: duplicate — %s", path, r.Message), true)
	}
	s := msg.T(lang, "%s: %s, read %d, loaded %d, rejected %d, skipped %d", path, kindName(r.Kind), r.Read, r.Loaded, r.Rejected, r.Skipped)
	if check {
		s = msg.T(lang, "%s: %s, read %d, would load %d, would reject %d, skip %d", path, kindName(r.Kind), r.Read, r.Loaded, r.Rejected, r.Skipped)
	}
	s += periodText(r)
	if r.Status == ingest.StatusRejected && check {
		s = msg.T(lang, "%s: WOULD BE REJECTED — %s (read %d, rejected %d, skipped %d)", path, r.Message, r.Read, r.Rejected, r.Skipped)
	} else if r.Status == ingest.StatusRejected {
		s = msg.T(lang, "%s: REJECTED — %s (read %d, loaded 0, rejected %d, skipped %d)", path, r.Message, r.Read, r.Rejected, r.Skipped)
	} else if r.Message != "" {
		// notes on a loaded file, a line each: rows that repeat a key of the file
		// (ingest/notes.go), a workbook's other sheets not read
		s += "\n    " + strings.ReplaceAll(r.Message, "\n", "\n    ")
	}
	if len(r.Replaced) > 0 {
		s += "\n    " + replacedLine(r.Replaced, check)
		if l := backwardLine(r.Replaced, check); l != "" {
			s += "\n    " + l
		}
	}
	for i, rj := range r.Rejects {
		if i == 3 {
			s += "\n" + msg.T(lang, "    … and %d more rejected row(s)", len(r.Rejects)-3)
			break
		}
		where := msg.T(lang, "row %d", rj.Row)
		if rj.Sheet != "" {
			where = msg.T(lang, "sheet %q row %d", rj.Sheet, rj.Row)
		}
		s += "\n" + msg.T(lang, "    %s column %s value %q: %s", where, columnName(r.Kind, rj.Column), rj.Raw, rj.Reason)
	}
	return termSafe(s, true) // (file names and messages may quote the data)
}
