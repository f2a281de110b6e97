// Package ingest loads DMS exports (CONTRACT §1) into the Parquet lake and DuckDB.
//
// One file at a time: sniff the format and encoding, find the header row, map the headers
// to a kind's canonical columns, parse and check every row, write the valid rows as Arrow
// batches to Parquet in the lake (temporary name, then rename), write the manifest entry,
// and in one DuckDB transaction make the rows current in raw_<kind> by natural key together
// with the ingest_files row and the ingest_rejects rows.
package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aftersales/aftersales/ingest/read"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/par"
	"github.com/aftersales/aftersales/internal/parse"
)

// Options are the choices of one ingest call.
type Options struct {
	Store string // --store: the store of every row (fills or checks store_id)
	// Month (--month, YYYY-MM): the month of every row of a kind with a required month column
	// (attendance's month, a technicians roster's valid_from), for sheets that give it in their
	// title only (2026年9月考勤表); it fills or checks that column, as Store does store_id
	Month  string
	Kind   string // --kind: skip detection
	Sheet  string // --sheet: XLSX sheet (default: the first)
	Strict bool   // --strict: a file with any rejected row is rejected whole
	// Reload: --reload, load a file whose content was loaded before as if it were new (it is then
	// the latest ingested and wins its keys); the same content twice in one call is still loaded once
	Reload bool
	Lake   string // lake folder
	// Lang is the language of the rejects' reasons and the files' messages (msg.ZH or msg.EN;
	// "" is English): they are stored so in ingest_files and ingest_rejects.
	Lang string
	// Now gives ingested_at (tests fix it).
	Now func() time.Time
	// Progress, when set, is told the number of records read so far in a file, every 65,536 (from
	// the worker parsing it: with several files, from several goroutines at once).
	Progress func(rows int)
	// Parsed, when set, is told of each file as its reading and checking ends, in input order,
	// before the file is loaded (its line, Files' report, comes after its batch commits).
	Parsed func(path string)
	// Zone is the stores' time zone (--timezone): a Parquet timestamp that carries a time zone is
	// an instant, read as the local time of that instant here. nil: UTC+8, China Standard Time.
	Zone *time.Location
	// Check only reads and checks the files (ingest --check): each Result says what loading it
	// would do, and nothing is written to the lake or the database. DB may be nil (no duplicates
	// are then found); it is only read.
	Check bool
	// Aliases: the DMS's own headers and spellings of fixed values, beyond the built-in ones
	// (the aliases file, --aliases; nil: none)
	Aliases *Aliases
}

// Status values of ingest_files.status.
const (
	StatusLoaded    = "loaded"
	StatusRejected  = "rejected"
	StatusDuplicate = "duplicate"
)

// Reject is one rejected row (CONTRACT §1: file, sheet, row number, column, raw value, reason).
type Reject struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row_number"`
	Column string `json:"column_name,omitempty"`
	Raw    string `json:"raw_value"`
	Reason string `json:"reason"`
}

// Result is the outcome of one file: the ingest_files row and its rejects.
type Result struct {
	FileID     int64     `json:"file_id"`
	Path       string    `json:"path"`
	SHA256     string    `json:"sha256"`
	Kind       string    `json:"kind,omitempty"`
	Store      string    `json:"store_id,omitempty"`
	Status     string    `json:"status"`
	Read       int       `json:"rows_read"`
	Loaded     int       `json:"rows_loaded"`
	Rejected   int       `json:"rows_rejected"`
	Skipped    int       `json:"rows_skipped"`
	Message    string    `json:"message,omitempty"`
	IngestedAt time.Time `json:"ingested_at"`
	Format     string    `json:"format,omitempty"`
	Encoding   string    `json:"encoding,omitempty"`
	Sheet      string    `json:"sheet,omitempty"`
	LakeFiles  []string  `json:"lake_files,omitempty"` // relative to the lake folder
	Rejects    []Reject  `json:"rejects,omitempty"`
	// Replaced: the rows loaded before that this file's rows replaced, by the file they came
	// from, largest first (set when its batch commits; not in the manifest, as a rebuild
	// replays the same replacements)
	Replaced []Replaced `json:"-"`
	// PeriodFirst and PeriodLast: the first and last value of the kind's Period column among the
	// rows loaded (a date, 2006-01-02, or a month); "" when the kind has none or nothing loaded
	PeriodFirst, PeriodLast string `json:"-"`

	// keyHashes holds a hash of each loaded row's natural key, so a batch whose keys are all
	// distinct (the usual case) can skip the dedupe window when it loads.
	keyHashes []uint64
	// keyRanges: per store, the smallest and largest value of the kind's bound column among
	// the loaded rows (bounds.go); nil when the kind has none or the result was not parsed here
	keyRanges []keyRange
}

// Ingester loads files into one database and its lake.
type Ingester struct {
	DB   *sql.DB
	Log  *slog.Logger
	Opts Options

	// checkLake (ingest --check with a database): the temporary lake of the call's rows (check.go)
	checkLake string
}

// Batches: files are committed in groups of up to batchFiles files or batchMaxRows rows (each
// file still all-or-nothing), which saves the per-transaction cost of thousands of small exports.
// Larger batches let DuckDB write whole row groups straight to the database file instead of
// through its WAL (measured at scale S: 256 files 52 s, 2048 files 37 s).
var (
	batchFiles   = 2048
	batchMaxRows = 4 << 20
)

// File ingests one file. A file-level problem is not an error: it is a Result with status
// rejected. An error means the database or lake could not be written.
func (in *Ingester) File(ctx context.Context, path string) (*Result, error) {
	var out *Result
	err := in.Files(ctx, []string{path}, func(_ string, r *Result) { out = r })
	return out, err
}

// Files ingests files in order: a worker reads and checks the next files while the previous
// batch is loaded. report is called for each file, in order, once its batch is committed.
func (in *Ingester) Files(ctx context.Context, paths []string, report func(path string, res *Result)) error {
	if !in.Opts.Check {
		// what a failed or killed ingest left in the manifest, settled before anything is
		// written; a lake ahead of the database stops the ingest (manifest.go)
		if err := reconcileManifest(ctx, in.DB, in.Opts.Lake); err != nil {
			return err
		}
	}
	// the contents loaded before: a file, or one sheet of a workbook (contentKey)
	loaded, err := loadedBefore(ctx, in.DB)
	if err != nil {
		return err
	}
	if in.Opts.Check {
		return in.check(ctx, paths, loaded, report)
	}
	known, err := newLoadedKeys(ctx, in.DB)
	if err != nil {
		return err
	}
	// Each batch's commit goes to DuckDB's write-ahead log (its full row groups are already in
	// the database file, written while inserting) and the database is checkpointed once, at
	// the end: a checkpoint per commit (DuckDB's default beyond 16 MB of log) cost 1.2–2.5 s a
	// batch at scale S, the one at the end 0.8–1.0 s (four alternating pairs of whole ingests:
	// 24.9 → 22.9 s on average, user CPU −3.5 s). A committed batch is as durable either way:
	// a run that fails or is killed later leaves it in the log, which DuckDB replays on opening.
	// Since checkpoints no longer merge row groups (internal/db: max_vacuum_tasks = 0), the one
	// at the end writes only the rows still in the log: 0.1 s after a whole S ingest, 0.2–0.3 s
	// after a month's. The last batch commits with DuckDB's threshold back in place: a commit
	// past it checkpoints, and DuckDB then writes the batch into the database file instead of the
	// log first (DuckTransactionManager::CommitTransaction: no WAL write when checkpointing on
	// commit), so a batch that is the whole call — a month's 250 files — is written once, not
	// twice (six alternating pairs at S: the month's ingest 2.04–2.33 → 1.85–2.10 s, medians 2.15
	// → 1.92; the same rows, row groups and ingest_files; a whole S ingest the same). A run killed
	// during that checkpoint leaves the file's previous checkpoint, without the batch, as a
	// failed commit does; the explicit CHECKPOINT below then finds nothing left to write.
	restore, err := deferCheckpoints(ctx, in.DB)
	if err != nil {
		return err
	}
	defer restore()
	// Parsing allocates a string per cell and little of it lives: collect garbage less often
	// (≈ 2 s of CPU at scale S), with a soft limit so the heap stays well under DuckDB's share.
	// The limit grows with the key index, which lives until the end (loadedKeys.add).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(ingestHeapLimit))
	type item struct {
		path string
		res  *Result
		err  error
	}
	// Workers read and check files in parallel; the emitter hands them on in input order and
	// settles duplicates within this call (the first of two identical files is the one loaded).
	ch := make(chan item, batchFiles) // the next batch is prepared while this one loads
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// one worker per processor (par.Workers), so that parsing keeps up with DuckDB's load on a
	// larger machine too; at most 8 (each holds one file's rows while it prepares them)
	workers := par.Workers(8)
	slots := make([]chan item, len(paths))
	for i := range slots {
		slots[i] = make(chan item, 1)
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range paths {
			select {
			case next <- i:
			case <-wctx.Done():
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for i := range next {
				res, err := in.prepare(wctx, paths[i], loaded)
				slots[i] <- item{paths[i], res, err}
			}
		}()
	}
	go func() {
		defer close(ch)
		seen := map[string]string{}
		for i := range paths {
			var it item
			select {
			case it = <-slots[i]:
			case <-wctx.Done():
				return
			}
			if it.err == nil {
				it.res = in.firstOfCall(seen, it.res)
			}
			select {
			case ch <- it:
			case <-wctx.Done():
				return
			}
			if it.err != nil {
				return
			}
		}
	}()
	var batch []*Result
	var batchPaths []string
	nrows := 0
	start := time.Now()
	// the key index's expected growth, from the files' sizes (a hint: a file that cannot be
	// read counts 0 here and is reported by its worker)
	var bytesAll, bytesDone int64
	var sizes []int64
	if known != nil {
		sizes = make([]int64, len(paths))
		for i, p := range paths {
			if st, err := os.Stat(p); err == nil {
				sizes[i] = st.Size()
				bytesAll += st.Size()
			}
		}
	}
	flush := func() error {
		if known != nil && bytesDone > 0 {
			known.expect = float64(bytesAll) / float64(bytesDone)
		}
		t0, n := time.Now(), len(batch)
		defer func() {
			if os.Getenv("AFTERSALES_TRACE") != "" {
				fmt.Fprintf(os.Stderr, "trace commit %d files from %.1fs to %.1fs\n", n, t0.Sub(start).Seconds(), time.Since(start).Seconds())
			}
		}()
		if err := in.commit(ctx, batch, known); err != nil {
			return err
		}
		for i, r := range batch {
			r.keyHashes, r.keyRanges = nil, nil
			report(batchPaths[i], r)
		}
		batch, batchPaths, nrows = batch[:0], batchPaths[:0], 0
		return nil
	}
	received := 0
	for it := range ch {
		if it.err != nil {
			return fmt.Errorf("%s: %w", it.path, it.err)
		}
		received++
		if in.Opts.Parsed != nil {
			in.Opts.Parsed(it.path)
		}
		if sizes != nil {
			bytesDone += sizes[received-1]
		}
		batch = append(batch, it.res)
		batchPaths = append(batchPaths, it.path)
		nrows += it.res.Loaded
		if len(batch) >= batchFiles || nrows >= batchMaxRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	restore() // (the last batch's commit may checkpoint: see deferCheckpoints above)
	if err := flush(); err != nil {
		return err
	}
	t0 := time.Now()
	if _, err := in.DB.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("writing the loaded rows into the database file (CHECKPOINT): %w", err)
	}
	if os.Getenv("AFTERSALES_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "trace checkpoint from %.1fs to %.1fs\n", t0.Sub(start).Seconds(), time.Since(start).Seconds())
	}
	return nil
}

// loadedBefore reads the contents loaded before this call from ingest_files (none without a
// database: ingest --check of a database not made yet).
func loadedBefore(ctx context.Context, d *sql.DB) (loadedContents, error) {
	loaded := loadedContents{paths: map[string]string{}, workbooks: map[string]bool{}}
	if d == nil {
		return loaded, nil
	}
	rows, err := d.QueryContext(ctx, `SELECT sha256, coalesce(sheet, ''), min(path) FROM ingest_files WHERE status = 'loaded' GROUP BY ALL`)
	if err != nil {
		return loaded, fmt.Errorf("reading ingest_files: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha, sheet, p string
		if err := rows.Scan(&sha, &sheet, &p); err != nil {
			return loaded, fmt.Errorf("reading ingest_files: %w", err)
		}
		loaded.paths[contentKey(sha, sheet)] = p
		if sheet != "" {
			loaded.workbooks[sha] = true
		}
	}
	if err := rows.Err(); err != nil {
		return loaded, fmt.Errorf("reading ingest_files: %w", err)
	}
	return loaded, nil
}

// deferCheckpoints raises DuckDB's checkpoint threshold (a setting of the database, not of a
// connection) so that commits do not checkpoint; restore puts it back (once, however often
// it is called).
func deferCheckpoints(ctx context.Context, d *sql.DB) (restore func(), err error) {
	var prior string
	if err := d.QueryRowContext(ctx, `SELECT current_setting('checkpoint_threshold')`).Scan(&prior); err != nil {
		return nil, fmt.Errorf("reading DuckDB's checkpoint threshold: %w", err)
	}
	if _, err := d.ExecContext(ctx, `SET checkpoint_threshold = '1TB'`); err != nil {
		return nil, fmt.Errorf("setting DuckDB's checkpoint threshold: %w", err)
	}
	done := false
	return func() {
		if !done {
			done = true
			if _, err := d.ExecContext(context.WithoutCancel(ctx), `SET checkpoint_threshold = `+db.Quote(prior)); err != nil {
				d.ExecContext(context.WithoutCancel(ctx), `RESET checkpoint_threshold`)
			}
		}
	}, nil
}

// prepare reads, checks and writes one file to the lake; the result is ready to commit.
// loaded holds the content hashes loaded before this call (read only: workers share it).
func (in *Ingester) prepare(ctx context.Context, path string, loaded loadedContents) (*Result, error) {
	now := time.Now
	if in.Opts.Now != nil {
		now = in.Opts.Now
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	res := &Result{Path: abs, IngestedAt: wallClock(now())}
	sum, err := fileSHA256(path)
	if err != nil {
		res.Status, res.Message = StatusRejected, msg.T(in.lang(), "cannot read the file: %v", err)
		return res, nil
	}
	res.SHA256 = sum
	if !in.Opts.Reload {
		if prior, sheet, ok := loaded.find(sum, path, in.Opts.Sheet); ok {
			res.Status, res.Sheet = StatusDuplicate, sheet
			res.Message = in.duplicateMessage(prior, sheet)
			return res, nil
		}
	}
	lw, err := in.parseFile(ctx, path, res)
	var fe *FileError
	switch {
	case errors.As(err, &fe):
		res.Status, res.Message = StatusRejected, fe.Text(in.lang())
	case err != nil:
		return nil, err
	case in.Opts.Strict && res.Rejected > 0:
		res.Status = StatusRejected
		res.Message = msg.T(in.lang(), "%d row(s) rejected and --strict is set: nothing loaded", res.Rejected)
	default:
		res.Status = StatusLoaded
	}
	if res.Status == StatusRejected {
		if lw != nil {
			lw.abort()
		}
		// Nothing of a file rejected whole is loaded: its data rows count as rejected, so
		// that rows_read = rows_loaded + rows_rejected + rows_skipped still holds.
		res.Loaded = 0
		res.Rejected = res.Read - res.Skipped
		return res, nil
	}
	if in.Opts.Check && in.checkLake == "" {
		lw.abort() // (nothing was written to it)
		return res, nil
	}
	files, err := lw.finish()
	if err != nil {
		return nil, fmt.Errorf("writing the lake: %w", err)
	}
	for _, f := range files {
		rel, err := filepath.Rel(lw.root(), f)
		if err != nil {
			rel = f
		}
		res.LakeFiles = append(res.LakeFiles, filepath.ToSlash(rel))
	}
	return res, nil
}

// wallClock keeps the local wall-clock reading and drops the zone (CONTRACT: local time, no zone).
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000*1000, time.UTC)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// headerScanRows is how far down a sheet the header row is looked for.
const headerScanRows = 30

// parseFile reads, checks and writes one file to temporary lake parts. It fills the
// counts, kind, store and rejects of res. A *FileError rejects the whole file.
// errNoValues: detectHeader found no cell with a value (the caller says "file" or "sheet").
var errNoValues = errors.New("no row holds a value")

func (in *Ingester) parseFile(ctx context.Context, path string, res *Result) (*lakeWriter, error) {
	src, err := openSource(path, in.Opts.Sheet, in.Opts.Zone)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	inf := src.Info()
	res.Format, res.Sheet = inf.Format, inf.Sheet
	// the encoding when the file is closed: a CSV whose first megabyte is ASCII learns it on the
	// way (read.lateEncoding)
	defer func() { res.Encoding = src.Info().Encoding }()

	// Buffer the first rows and find the header among them.
	// A read error among these rows (an undecodable byte, say) is held back until the rows
	// before it have been counted, so rows_read says how far the file was read.
	var head [][]string
	var headRows []int
	var headErr error
	for len(head) < headerScanRows {
		cells, row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			headErr = err
			break
		}
		head = append(head, append([]string(nil), cells...))
		headRows = append(headRows, row)
	}
	var hint *Kind
	if in.Opts.Kind != "" {
		if hint, err = KindByName(in.Opts.Kind); err != nil {
			return nil, fileErr("%v", err)
		}
	}
	hi, kind, mapping, err := detectHeader(head, hint, detectOpts{month: in.Opts.Month != "", name: filepath.Base(path), aliases: in.Opts.Aliases})
	if err != nil && headErr != nil {
		return nil, headErr
	}
	if err != nil {
		inf := src.Info()
		noHeader := errors.Is(err, errNoValues)
		if noHeader {
			if inf.Sheet != "" {
				err = fileErr("sheet %q is empty", inf.Sheet)
			} else {
				err = fileErr("the file is empty (no row holds a value): export it again from the DMS")
			}
		}
		var fe *FileError
		if errors.As(err, &fe) && len(headRows) > 0 {
			fe.Row = headRows[min(hi, len(headRows)-1)]
		}
		if inf.Props != nil {
			if creator, title := inf.Props(); creator == read.OwnCreator {
				return nil, fileErr("this is a workbook aftersales wrote (%q), not a DMS export: keep the reports, payroll sheets and benchmark workbooks out of the folders you ingest", title)
			}
		}
		if errors.As(err, &fe) && (noHeader || strings.HasPrefix(fe.Error(), "no header row")) && len(inf.Sheets) > 1 {
			// the data may be on another sheet than the one read (the first, unless told)
			var others []string
			for _, sh := range inf.Sheets {
				if sh != inf.Sheet {
					others = append(others, fmt.Sprintf("%q", sh))
				}
			}
			fe.More = msg.Errorf(". This was sheet %q; the workbook also has %s: give --sheet NAME to read another", inf.Sheet, strings.Join(others, ", "))
		}
		return nil, err
	}
	res.Kind = kind.Name
	if mapping[0] < 0 && in.Opts.Store == "" {
		return nil, fileErr("%s: the store_id (门店编号) column is missing and no --store was given: add the column or run with --store STORE_ID", kind.Name)
	}

	name := lakeName(res.SHA256, inf.Sheet)
	if in.Opts.Reload {
		// a lake file of its own: the earlier load's entry keeps its file, which a failed
		// reload's cleanup must not take with it
		name = reloadName(name, time.Now())
	}
	lakeDir := in.Opts.Lake
	if in.Opts.Check {
		lakeDir = in.checkLake // ("" without a database: nothing is written)
	}
	lw := newLakeWriter(lakeDir, kind, name)
	if st, err := os.Stat(path); err == nil {
		lw.hint = int(st.Size() / 128) // a row of an export takes 100–200 bytes
	}
	fail := func(err error) (*lakeWriter, error) {
		lw.abort()
		return nil, err
	}
	cctx := cellContext{xlsx: inf.XLSX, date1904: inf.Date1904, numericCell: inf.NumericCell, enums: map[enumText]string{}, lang: in.lang(),
		aliases: in.Opts.Aliases}
	stores := map[string]bool{}
	seen := newKeySeen(lw.hint)
	defer seen.release()
	var rep repeats
	span := period{month: kind.periodCol >= 0 && kind.Columns[kind.periodCol].Type == Month}
	row := &Row{Kind: kind, Values: make([]Value, len(kind.Columns))}
	pairs := timePairs(kind, head[hi], mapping, in.Opts.Aliases)
	for i, p := range pairs {
		mapping[i] = p.date // the column's cell is its date; its time of day is p.time
	}
	hr := newHeaderRepeats(head, hi, mapping)
	monthFilled := 0 // rows whose month --month gave
	pending := head[hi+1:]
	pendingRows := headRows[hi+1:]
	for {
		var cells []string
		var rowNum int
		if len(pending) > 0 {
			cells, rowNum = pending[0], pendingRows[0]
			pending, pendingRows = pending[1:], pendingRows[1:]
		} else if headErr != nil {
			return fail(headErr)
		} else {
			cells, rowNum, err = src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fail(err)
			}
		}
		res.Read++
		if res.Read%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return fail(err)
			}
			if in.Opts.Progress != nil {
				in.Opts.Progress(res.Read)
			}
		}
		first := firstNonEmpty(cells)
		if first < 0 || parse.IsSummaryCell(cells[first]) {
			res.Skipped++
			continue
		}
		if hr.is(cells, rowNum, first) {
			res.Skipped++
			continue
		}
		row.Number = rowNum
		var errs []CellError
		for i := range kind.Columns {
			c := &kind.Columns[i]
			raw := ""
			src := mapping[i]
			if src >= 0 && src < len(cells) {
				raw = cells[src]
			}
			if i == 0 && in.Opts.Store != "" && parse.Trim(raw) == "" {
				raw = in.Opts.Store
			}
			if i == kind.monthCol && in.Opts.Month != "" && parse.Trim(raw) == "" {
				raw = in.Opts.Month
				monthFilled++
			}
			var v Value
			var cerr *CellError
			var p timePair
			paired := false
			if pairs != nil { // (most files have none: no lookup per cell)
				p, paired = pairs[i]
			}
			if paired {
				traw := ""
				if p.time < len(cells) {
					traw = cells[p.time]
				}
				v, cerr = parseTimePair(c, raw, traw, &cctx, rowNum, p)
			} else {
				v, cerr = parseCell(c, raw, &cctx, rowNum, src)
			}
			if cerr != nil {
				errs = append(errs, *cerr)
				row.Values[i] = Value{Null: true}
				continue
			}
			row.Values[i] = v
		}
		store := row.Values[0].S
		if in.Opts.Store != "" && !row.Values[0].Null && store != in.Opts.Store {
			return fail(fileErr("row %d: store_id %q conflicts with --store %s: ingest this file without --store, or with --store %s", rowNum, store, in.Opts.Store, store))
		}
		if mc := kind.monthCol; mc >= 0 && in.Opts.Month != "" && !row.Values[mc].Null && row.Values[mc].S != in.Opts.Month {
			c := kind.Columns[mc]
			return fail(fileErr("row %d: %s %q conflicts with --month %s: ingest this file without --month, or with --month %s", rowNum, c.label(), row.Values[mc].S, in.Opts.Month, row.Values[mc].S))
		}
		if len(errs) == 0 && kind.Check != nil {
			if col, reason := kind.Check(row); reason != nil {
				raw := ""
				if j := mapping[kind.Col(col)]; j >= 0 && j < len(cells) {
					raw = cells[j]
				}
				errs = append(errs, CellError{Column: col, Raw: raw, Reason: msg.Text(in.lang(), reason)})
			}
		}
		if len(errs) > 0 {
			res.Rejected++
			reason := errs[0].Reason
			if len(errs) > 1 {
				var more []string
				for _, e := range errs[1:] {
					more = append(more, e.Column+": "+e.Reason)
				}
				reason = msg.T(in.lang(), "%s (and %d more: %s)", reason, len(errs)-1, strings.Join(more, "; "))
			}
			res.Rejects = append(res.Rejects, Reject{Sheet: inf.Sheet, Row: rowNum, Column: errs[0].Column, Raw: errs[0].Raw, Reason: reason})
			continue
		}
		h := keyHash(kind, row)
		if earlier, again := seen.add(h, rowNum); again {
			rep.note(kind, row, earlier, in.lang())
		}
		// (--check writes the rows to its temporary lake when there is a database to look
		// them up in: check.go)
		if !in.Opts.Check || in.checkLake != "" {
			if err := lw.add(row); err != nil {
				return fail(fmt.Errorf("writing the lake: %w", err))
			}
		}
		res.keyHashes = append(res.keyHashes, h)
		if kind.boundCol >= 0 {
			res.noteKey(store, row.Values[kind.boundCol].S)
		}
		stores[store] = true
		res.Loaded++
		if pc := kind.periodCol; pc >= 0 && !row.Values[pc].Null {
			span.add(row.Values[pc])
		}
	}
	res.PeriodFirst, res.PeriodLast = span.text()
	var notes []string
	if m := columnsNote(kind, head[hi], mapping, in.Opts.Aliases, in.lang()); m != "" {
		notes = append(notes, m)
	}
	if m := repeatedHeadersNote(kind, head[hi], mapping, pairs, in.Opts.Aliases, in.lang()); m != "" {
		notes = append(notes, m)
	}
	if m := rep.message(in.lang()); m != "" {
		notes = append(notes, m)
	}
	if m := hr.message(in.lang()); m != "" {
		notes = append(notes, m)
	}
	if monthFilled > 0 {
		// where a payroll month came from, on the file's line and in ingest_files.message
		notes = append(notes, msg.T(in.lang(), "%s of %d rows from --month %s", kind.Columns[kind.monthCol].Title(in.lang()), monthFilled, in.Opts.Month))
	}
	if m := sheetsNote(inf, in.lang()); m != "" {
		notes = append(notes, m)
	}
	if m := instantsNote(inf, in.lang()); m != "" {
		notes = append(notes, m)
	}
	res.Message = strings.Join(notes, "\n")
	switch {
	case in.Opts.Store != "":
		res.Store = in.Opts.Store
	case len(stores) == 1:
		for s := range stores {
			res.Store = s
		}
	}
	return lw, nil
}

func firstNonEmpty(cells []string) int {
	for i, c := range cells {
		if parse.Trim(c) != "" {
			return i
		}
	}
	return -1
}

// detectOpts: with month, a kind's month column (Kind.monthCol) may be missing (--month supplies
// it); name is the file's name, which a message may quote the month of.
type detectOpts struct {
	month bool
	name  string
	// aliases: the headers the aliases file declares (nil: none)
	aliases *Aliases
}

// detectHeader finds the header row among the first records and the kind it belongs to.
// mapping[i] is the source column of the kind's column i, or -1.
func detectHeader(head [][]string, hint *Kind, o detectOpts) (int, *Kind, []int, error) {
	cands := kinds
	if hint != nil {
		cands = []*Kind{hint}
	}
	type match struct {
		row     int
		kind    *Kind
		mapping []int
		matched int
		missing []string
	}
	var best *match
	keys := make([]string, 0, 64)
	var buf [128]byte
	for r, cells := range head {
		// each cell folded once, not once per candidate kind; a key no kind has is "" (no alias
		// folds to nothing), and an ASCII cell (dates, codes, amounts) is folded without
		// allocating: nearly every cell of these rows is data
		keys = keys[:0]
		found := false
		for _, cell := range cells {
			key := ""
			if b, ok := parse.AppendHeaderKeyASCII(buf[:0], cell); ok {
				if aliasKeys[string(b)] || o.aliases.hasHeader(string(b)) {
					key = string(b)
				}
			} else if k := parse.HeaderKey(cell); aliasKeys[k] || o.aliases.hasHeader(k) {
				key = k
			}
			found = found || key != ""
			keys = append(keys, key)
		}
		if !found {
			continue // no kind matches a cell of this row
		}
		for _, k := range cands {
			m := &match{row: r, kind: k, mapping: make([]int, len(k.Columns))}
			for i := range m.mapping {
				m.mapping[i] = -1
			}
			ai := aliasIndex[k.Name]
			for j, key := range keys {
				if key == "" {
					continue
				}
				col, ok := ai[key]
				if !ok {
					col, ok = o.aliases.header(k.Name, key)
				}
				if ok && m.mapping[col] < 0 {
					m.mapping[col] = j
					m.matched++
				}
			}
			if m.matched < 2 {
				continue
			}
			for i, c := range k.Columns {
				// store_id may come from --store (checked by the caller), the month from --month
				if c.Required && m.mapping[i] < 0 && i != 0 && !(o.month && i == k.monthCol) {
					m.missing = append(m.missing, c.label())
				}
			}
			better := best == nil ||
				(len(m.missing) == 0) && len(best.missing) > 0 ||
				(len(m.missing) == 0) == (len(best.missing) == 0) && m.matched > best.matched ||
				(len(m.missing) == 0) == (len(best.missing) == 0) && m.matched == best.matched && m.row == best.row && len(k.Columns) < len(best.kind.Columns)
			if better {
				best = m
			}
		}
	}
	if best == nil {
		// the first row with a value, to show the user what was read instead
		first := ""
		for _, cells := range head {
			var vals []string
			for _, c := range cells {
				if t := parse.Trim(c); t != "" {
					vals = append(vals, t)
				}
			}
			if len(vals) > 0 {
				first = strings.Join(vals, " | ")
				if r := []rune(first); len(r) > 80 {
					first = string(r[:80]) + "…"
				}
				break
			}
		}
		if first == "" {
			return 0, nil, nil, errNoValues
		}
		if hint != nil {
			// --kind named another kind than the file holds: say which one it holds
			if _, k, _, err := detectHeader(head, nil, o); err == nil && k != hint {
				return 0, nil, nil, fileErr("no header row of %s found in the first %d rows, but the file holds %s (%s): give --kind %s, or leave --kind out", hint.Name, headerScanRows, k.Name, k.Label, k.Name)
			}
		}
		if hint != nil {
			return 0, nil, nil, fileErr("no header row of %s found in the first %d rows (the first row with values reads %q): the headers must be the canonical names or their Chinese aliases (`aftersales columns` lists them); give --kind if detection fails", hint.Name, headerScanRows, first)
		}
		return 0, nil, nil, fileErr("no header row of any input kind found in the first %d rows (the first row with values reads %q): the headers must be the canonical names or their Chinese aliases (`aftersales columns` lists them); give --kind if detection fails", headerScanRows, first)
	}
	if len(best.missing) > 0 {
		// what each missing column may be called, and the headers of that row no column took: a
		// header the user wrote differently is then found at once
		var names []string
		for i, c := range best.kind.Columns {
			if c.Required && best.mapping[i] < 0 && i != 0 && !(o.month && i == best.kind.monthCol) {
				accepted, seen := []string{c.Name}, map[string]bool{parse.HeaderKey(c.Name): true}
				for _, a := range c.Aliases {
					if k := parse.HeaderKey(a); !seen[k] {
						seen[k] = true
						accepted = append(accepted, a)
					}
				}
				accepted = append(accepted, o.aliases.Headers(best.kind.Name, c.Name)...)
				names = append(names, c.Name+": "+strings.Join(accepted, " / "))
			}
		}
		var other []string
		for _, t := range unreadHeaders(head[best.row], best.mapping) {
			other = append(other, fmt.Sprintf("%q", t))
		}
		if mc := best.kind.monthCol; mc >= 0 && best.mapping[mc] < 0 && len(best.missing) == 1 {
			// a sheet that gives its month in its title only (2026年9月考勤表): --month
			c := best.kind.Columns[mc]
			if m, title := titleMonth(head[:best.row]); m != "" {
				return best.row, nil, nil, fileErr("looks like %s (%s), header in row {row}, but it has no %s column. The rows above the header read %q: if %s is %s on every row, ingest the file with --month %s; or add the column (%s)",
					best.kind.Name, best.kind.Label, c.label(), title, c.label(), m, m, strings.Join(names, "; "))
			}
			if m, _ := titleMonth([][]string{{strings.TrimSuffix(o.name, filepath.Ext(o.name))}}); m != "" {
				return best.row, nil, nil, fileErr("looks like %s (%s), header in row {row}, but it has no %s column. The file's name reads %q: if %s is %s on every row, ingest the file with --month %s; or add the column (%s)",
					best.kind.Name, best.kind.Label, c.label(), o.name, c.label(), m, m, strings.Join(names, "; "))
			}
			return best.row, nil, nil, fileErr("looks like %s (%s), header in row {row}, but it has no %s column: if %s is one month on every row, ingest the file with --month YYYY-MM; or add the column (%s)",
				best.kind.Name, best.kind.Label, c.label(), c.label(), strings.Join(names, "; "))
		}
		if len(other) > 0 {
			return best.row, nil, nil, fileErr("looks like %s (%s), header in row {row}, but the required column(s) %s are missing. Accepted headers (case, spaces, full-width forms and a unit like (元) do not matter): %s. Headers of that row not recognised: %s — rename the column in the export, or in the file; or, if the DMS always names it so, declare the header in %s (headers: → %s → the column)",
				best.kind.Name, best.kind.Label, strings.Join(best.missing, ", "), strings.Join(names, "; "), strings.Join(other, ", "), o.aliases.file(), best.kind.Name)
		}
		return best.row, nil, nil, fileErr("looks like %s (%s), header in row {row}, but the required column(s) %s are missing. Accepted headers (case, spaces, full-width forms and a unit like (元) do not matter): %s",
			best.kind.Name, best.kind.Label, strings.Join(best.missing, ", "), strings.Join(names, "; "))
	}
	return best.row, best.kind, best.mapping, nil
}

// titleMonthRe finds a month in a sheet's title: 2026年9月 (考勤表), 2026-09, 2026/9, 2026.9.
var titleMonthRe = regexp.MustCompile(`(?:^|[^0-9])((?:19|20|21)[0-9]{2})\s*(?:年|[-/.])\s*([0-9]{1,2})(?:\s*月|[^0-9./-]|$)`)

// titleMonth returns the month the rows above a header name (YYYY-MM) and the text of the row
// naming it, when they name exactly one month; "" otherwise.
func titleMonth(rows [][]string) (month, title string) {
	for _, cells := range rows {
		var vals []string
		for _, c := range cells {
			if t := parse.Trim(c); t != "" {
				vals = append(vals, t)
			}
		}
		text := strings.Join(vals, " ")
		for _, m := range titleMonthRe.FindAllStringSubmatch(text, -1) {
			mo, _ := strconv.Atoi(m[2])
			if mo < 1 || mo > 12 {
				continue
			}
			ym := fmt.Sprintf("%s-%02d", m[1], mo)
			if month != "" && ym != month {
				return "", ""
			}
			month, title = ym, text
		}
	}
	return month, title
}

// keyHash is an FNV-1a hash of a row's natural key.
func keyHash(k *Kind, r *Row) uint64 {
	h := uint64(14695981039346656037)
	var num [20]byte
	for _, col := range k.keyCols {
		v := r.Values[col]
		if v.S == "" && !v.Null {
			h = fnv1a(h, strconv.AppendInt(num[:0], v.I, 10)) // an integer key, without allocating
		} else {
			h = fnv1a(h, v.S)
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return h
}

func fnv1a[T string | []byte](h uint64, s T) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// lang is the language of the messages and reasons this ingest stores.
func (in *Ingester) lang() string {
	if in.Opts.Lang == "" {
		return msg.EN
	}
	return in.Opts.Lang
}

// A loaded content is a file, or one sheet of a workbook: each sheet of a workbook is loaded
// by its own ingest (--sheet), so a workbook whose first sheet was loaded is not a duplicate
// when another sheet is asked for, and is when the same sheet is asked for again, by its name
// or as the default. Its lake files are named apart (lakeName).
func contentKey(sha, sheet string) string { return sha + "\x00" + sheet }

// loadedContents: the contents loaded before this call (read only: workers share it).
type loadedContents struct {
	paths     map[string]string // contentKey → path of its first load
	workbooks map[string]bool   // sha256 of the workbooks among them
}

// find reports whether the content path would load (its sha256, and the sheet that would be
// read) was loaded before: the path of that load and the sheet. A workbook loaded before is
// opened to learn which sheet the default is; a file of any other format is identified by its
// sha256 alone.
func (l loadedContents) find(sha, path, sheet string) (prior, read string, ok bool) {
	if l.workbooks[sha] {
		src, err := openSource(path, sheet, nil) // a workbook: no time zones
		if err != nil {
			return "", "", false // the parse says what is wrong
		}
		read = src.Info().Sheet
		src.Close()
	}
	prior, ok = l.paths[contentKey(sha, read)]
	return prior, read, ok
}

// firstOfCall settles a file whose content an earlier file of the same call holds (seen: the
// contents loaded so far in the call, by contentKey): it is a duplicate of that file and loads
// nothing; the first file with a content is recorded in seen and returned as it is.
func (in *Ingester) firstOfCall(seen map[string]string, res *Result) *Result {
	if res.Status != StatusLoaded {
		return res
	}
	key := contentKey(res.SHA256, res.Sheet)
	prior, ok := seen[key]
	if !ok {
		seen[key] = res.Path
		return res
	}
	return &Result{Path: res.Path, SHA256: res.SHA256, IngestedAt: res.IngestedAt, Status: StatusDuplicate,
		Sheet: res.Sheet, Message: in.duplicateMessage(prior, res.Sheet)}
}

func (in *Ingester) duplicateMessage(prior, sheet string) string {
	if sheet != "" {
		return msg.T(in.lang(), "same content as %s (sheet %q), loaded before: nothing to do", prior, sheet)
	}
	return msg.T(in.lang(), "same content as %s, loaded before: nothing to do", prior)
}

// reloadSeq numbers the lake files of --reload within a process.
var reloadSeq atomic.Int64

// reloadName is the lake name of a --reload of the content named name, at now: distinct for
// every call, also at the same instant (Windows' clock moves in steps of up to 15.6 ms, and two
// reloads of one content in one run got one name there: the second file's rename failed).
func reloadName(name string, now time.Time) string {
	return fmt.Sprintf("%s-reload%d-%d", name, now.UnixNano(), reloadSeq.Add(1))
}

// lakeName names the lake files of a content: the file's sha256, and for a workbook's sheet a
// hash of the sheet's name after it, so two sheets of one kind and store do not share a file.
func lakeName(sha, sheet string) string {
	if sheet == "" {
		return sha
	}
	h := sha256.Sum256([]byte(sheet))
	return sha + "-" + hex.EncodeToString(h[:6])
}

// period is the span of a file's Period values: microseconds of a timestamp, or months as text.
type period struct {
	month  bool // a month column (else a timestamp)
	lo, hi Value
	any    bool
}

func (p *period) add(v Value) {
	if !p.any {
		p.lo, p.hi, p.any = v, v, true
		return
	}
	if p.month {
		if v.S < p.lo.S {
			p.lo = v
		}
		if v.S > p.hi.S {
			p.hi = v
		}
		return
	}
	if v.I < p.lo.I {
		p.lo = v
	}
	if v.I > p.hi.I {
		p.hi = v
	}
}

// text gives the span's first and last value: a timestamp as its date, a month as it is.
func (p *period) text() (first, last string) {
	if !p.any {
		return "", ""
	}
	if p.month {
		return p.lo.S, p.hi.S
	}
	return time.UnixMicro(p.lo.I).UTC().Format("2006-01-02"), time.UnixMicro(p.hi.I).UTC().Format("2006-01-02")
}
