package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
)

// ManifestDir is the folder of the lake that holds one JSON entry per ingested file: the
// ingest_files row with its rejects and lake files. The lake plus these entries is the truth
// from which `aftersales rebuild` recreates the database.
func ManifestDir(lake string) string { return filepath.Join(lake, "_manifest") }

// commit makes a batch of results current in ONE transaction: file_ids in order, manifest
// entries, raw rows, ingest_files rows and rejects. Every file stays all-or-nothing; a batch only
// saves the per-transaction cost of thousands of small monthly exports. The batch's manifest
// entry is written before the commit under a pending name (<first file_id>.json.pending), which
// the transaction reads its ingest_files rows from, and renamed to its final name once the
// commit has returned: `rebuild` replays final entries only, so a batch that failed or was
// killed before its commit can never come back through the lake. A failed load removes its
// pending entry and lake files at once; what a killed run leaves is settled by the next ingest
// (reconcileManifest), which finishes an entry whose file_ids the database holds and removes
// one whose it does not.
func (in *Ingester) commit(ctx context.Context, batch []*Result, known *loadedKeys) error {
	if len(batch) == 0 {
		return nil
	}
	tx, err := in.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting a transaction: %w", err)
	}
	defer tx.Rollback()
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) + 1 FROM ingest_files`).Scan(&next); err != nil {
		return fmt.Errorf("reading ingest_files: %w", err)
	}
	var lakeFiles []string
	for i, res := range batch {
		res.FileID = next + int64(i)
		for _, f := range res.LakeFiles {
			lakeFiles = append(lakeFiles, filepath.Join(in.Opts.Lake, filepath.FromSlash(f)))
		}
	}
	// The lake files are durable before the manifest names them, and both before the commit.
	// On Linux the flush runs while the batch's rows are inserted (they read the lake files from
	// the page cache, whether or not on disk yet: flushDuringApply); the entry is written once
	// it has returned, just before the transaction reads it (apply's last step). In line before
	// the inserts, the flush was 0.3–0.7 s of the loader's time a batch of 2,048 files (at L 16 s
	// of an ingest), while the loader is what the parsing waits for. A run killed before the
	// entry is written leaves lake files that no entry names, as one killed while parsing does:
	// never read, replaced when the same file is ingested again.
	entryJSON, err := json.MarshalIndent(batch, "", " ")
	if err != nil {
		return fmt.Errorf("writing the manifest entry: %w", err)
	}
	flushed := make(chan struct{}) // closed when the flush has returned
	var flushErr error
	var flushTook time.Duration
	go func() {
		t0 := time.Now()
		if len(lakeFiles) > 0 {
			flushErr = flushLake(in.Opts.Lake, lakeFiles)
		}
		flushTook = time.Since(t0)
		close(flushed)
	}()
	waitFlush := func() error {
		<-flushed
		if flushErr != nil {
			return fmt.Errorf("flushing the lake to disk: %w", flushErr)
		}
		return nil
	}
	pending := ""
	writeEntry := func() (string, error) {
		if err := waitFlush(); err != nil {
			return "", err
		}
		p, err := writeManifest(in.Opts.Lake, batch[0].FileID, entryJSON)
		if err != nil {
			return "", fmt.Errorf("writing the manifest entry: %w", err)
		}
		pending = p
		return p, nil
	}
	if !flushDuringApply {
		err = waitFlush() // before the inserts open the lake files
	}
	t1 := time.Now()
	if err == nil {
		err = apply(ctx, tx, in.Opts.Lake, writeEntry, batch, known)
	}
	if err == nil && testHookCommit != nil {
		err = testHookCommit(len(batch))
	}
	if err != nil {
		// not committed: the batch leaves nothing in the lake either (once the flush, which
		// reads the lake files' names on some systems, has returned)
		tx.Rollback()
		waitFlush()
		dropPending(in.Opts.Lake, pending, batch)
		return err
	}
	t2 := time.Now()
	if err := tx.Commit(); err != nil {
		// (whether DuckDB committed is not certain after an I/O error: the next ingest looks at
		// the database and settles the pending entry)
		return fmt.Errorf("committing: %w", err)
	}
	if err := os.Rename(pending, manifestPath(in.Opts.Lake, batch[0].FileID)); err != nil {
		return fmt.Errorf("the files are loaded, but their manifest entry %s could not be renamed (the next ingest does it): %w", pending, err)
	}
	known.add()
	known.keyBounds().commit()
	if os.Getenv("AFTERSALES_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "trace lake flush %v (during the apply: %v) apply %v commit %v\n", flushTook, flushDuringApply, t2.Sub(t1), time.Since(t2))
	}
	return nil
}

// writeManifest writes a batch's entry file (b: its results in file_id order, as JSON) under
// its pending name (see commit) and returns that path.
func writeManifest(lake string, first int64, b []byte) (string, error) {
	dir := ManifestDir(lake)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	pending := manifestPath(lake, first) + pendingSuffix
	f, err := os.CreateTemp(dir, ".entry.*.tmp")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	f.Close()
	return pending, os.Rename(f.Name(), pending)
}

// manifestFile is one entry file of the manifest: the results of one committed batch.
type manifestFile struct {
	path    string
	results []*Result
}

// readManifest lists the final entry files in file_id order (pending ones are not read).
func readManifest(lake string) ([]manifestFile, error) {
	names, err := filepath.Glob(filepath.Join(ManifestDir(lake), "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []manifestFile
	for _, n := range names {
		rs, err := readEntry(n)
		if err != nil {
			return nil, err
		}
		out = append(out, manifestFile{n, rs})
	}
	return out, nil
}

// apply makes a batch of results current inside tx: per kind, the rows of the batch's lake files
// replace the rows of the same natural keys (within the batch the later file, then the later row
// of a file, wins), then the ingest_files rows and the rejects, read from the batch's manifest
// entry: entry returns its path once the rows are in (commit writes it then, after the lake's
// flush; a rebuild's entry is already there).
//
// known (nil in a rebuild) holds the key hashes this ingest has loaded into tables that were
// empty when it began: a batch none of whose keys is among them has nothing to replace, and its
// DELETE (a scan of the whole raw table per kind and batch) is skipped. So is the DELETE of a
// batch whose rows all lie above their stores' key bounds (bounds.go), which every insert
// records, a rebuild's too.
func apply(ctx context.Context, tx *sql.Tx, lake string, entry func() (string, error), batch []*Result, known *loadedKeys) error {
	byKind := map[string][]*Result{}
	var kindOrder []string
	for _, res := range batch {
		if res.Status == StatusLoaded && len(res.LakeFiles) > 0 {
			if _, ok := byKind[res.Kind]; !ok {
				kindOrder = append(kindOrder, res.Kind)
			}
			byKind[res.Kind] = append(byKind[res.Kind], res)
		}
	}
	// Raw rows carry their file_id and row_number; their exact physical order means nothing (but
	// its rough one does: upsertSQL), and letting DuckDB insert from several lake files in
	// parallel without keeping it saves ≈ 25 %.
	if _, err := tx.ExecContext(ctx, `SET preserve_insertion_order = false`); err != nil {
		return err
	}
	defer tx.ExecContext(ctx, `RESET preserve_insertion_order`)
	for _, kn := range kindOrder {
		k, err := KindByName(kn)
		if err != nil {
			return err
		}
		keys, complete := known.batchKeys(byKind[kn])
		known.pending(kn, keys, complete)
		repeats := !complete || hasRepeat(keys)
		if complete && repeats && len(byKind[kn]) > 1 {
			overlapsInBatch(byKind[kn], keys)
		}
		u := upsertSQL(k, lake, byKind[kn], repeats)
		t0 := time.Now()
		// (the key bounds first: a map lookup per file, where the index is a pass over every
		// key loaded so far — at scale L, 2 s of the loader's time over the ingest)
		if known.keyBounds().above(k, byKind[kn]) || complete && known.disjoint(kn, keys) {
			if testHookDeleteSkipped != nil {
				testHookDeleteSkipped(kn)
			}
			// nothing loaded before has any of these keys
		} else if err := deleteReplaced(ctx, tx, k, u, byKind[kn]); err != nil {
			return fmt.Errorf("loading %s into raw_%s: %w", byKind[kn][0].Path, k.Name, err)
		}
		t1 := time.Now()
		if _, err := tx.ExecContext(ctx, u.insert); err != nil {
			return fmt.Errorf("loading %s into raw_%s: %w", byKind[kn][0].Path, k.Name, err)
		}
		if err := recordBounds(ctx, tx, k, lake, byKind[kn], known.keyBounds()); err != nil {
			return fmt.Errorf("loading %s into raw_%s: %w", byKind[kn][0].Path, k.Name, err)
		}
		if os.Getenv("AFTERSALES_TRACE") != "" {
			fmt.Fprintf(os.Stderr, "trace %s files %d: replaced rows %v, insert %v\n", kn, len(byKind[kn]), t1.Sub(t0), time.Since(t1))
		}
	}
	sortReplaced(batch)
	path, err := entry()
	if err != nil {
		return err
	}
	return recordManifest(ctx, tx, path)
}

// recordManifest inserts the ingest_files and ingest_rejects rows of a batch straight from its
// manifest entry file (one set-based statement each, whatever the number of files and rejects).
func recordManifest(ctx context.Context, tx *sql.Tx, path string) error {
	src := fmt.Sprintf(`read_json(%s, format = 'array', columns = {file_id: 'BIGINT', path: 'VARCHAR', sha256: 'VARCHAR',
		kind: 'VARCHAR', store_id: 'VARCHAR', status: 'VARCHAR', rows_read: 'BIGINT', rows_loaded: 'BIGINT', rows_rejected: 'BIGINT',
		rows_skipped: 'BIGINT', message: 'VARCHAR', ingested_at: 'VARCHAR', format: 'VARCHAR', encoding: 'VARCHAR', sheet: 'VARCHAR',
		lake_files: 'VARCHAR[]', rejects: 'STRUCT(sheet VARCHAR, row_number BIGINT, column_name VARCHAR, raw_value VARCHAR, reason VARCHAR)[]'})`, db.Quote(path))
	_, err := tx.ExecContext(ctx, `INSERT INTO ingest_files
		SELECT file_id, path, sha256, kind, store_id, status, rows_read, rows_loaded, rows_rejected, rows_skipped, message,
		       strptime(left(ingested_at, 19), '%Y-%m-%dT%H:%M:%S'), format, encoding, sheet, coalesce(lake_files, []::VARCHAR[])
		FROM `+src+` ORDER BY file_id`)
	if err != nil {
		return fmt.Errorf("recording %s in ingest_files: %w", path, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ingest_rejects
		SELECT file_id, path, r.sheet, r.row_number, r.column_name, coalesce(r.raw_value, ''), r.reason
		FROM (SELECT file_id, path, unnest(rejects) AS r FROM `+src+` WHERE rejects IS NOT NULL)
		ORDER BY file_id, r.row_number`)
	if err != nil {
		return fmt.Errorf("recording the rejects of %s: %w", path, err)
	}
	return nil
}

func manifestPath(lake string, first int64) string {
	return filepath.Join(ManifestDir(lake), fmt.Sprintf("%08d.json", first))
}

// upsert is the SQL that puts a batch of one kind's lake files in its raw table: replaced finds
// the rows loaded before that the batch's keys replace (deleteReplaced), delete removes them and
// insert adds the batch's rows.
type upsert struct{ replaced, delete, insert string }

// upsertSQL reads the lake files of a batch of one kind and replaces the rows of the same
// natural keys. Timestamps are read back as wall-clock values: Arrow writes them with
// isAdjustedToUTC, and the microseconds written are taken as they are, whatever the session's
// time zone. The file_id of each row comes from its lake file's place in the list read.
func upsertSQL(k *Kind, lake string, results []*Result, dedupe bool) upsert {
	var cols, sel, on []string
	for _, c := range k.Columns {
		cols = append(cols, c.Name)
		if c.Type == Timestamp {
			// the written microseconds, as they are: no time zone arithmetic (and 28 % faster
			// than a cast of TIMESTAMP WITH TIME ZONE, which goes through ICU)
			sel = append(sel, fmt.Sprintf("make_timestamp(epoch_us(p.%s))", c.Name))
		} else {
			sel = append(sel, "p."+c.Name)
		}
	}
	for _, key := range k.Key {
		on = append(on, fmt.Sprintf("raw_%s.%s = n.%s", k.Name, key, key))
	}
	src := fmt.Sprintf("read_parquet([%s])", strings.Join(quotedLakePaths(lake, results), ", "))
	withIDs := lakeWithIDs(lake, results)
	// The insert reads the files in the month their rows begin in, the input's order within a
	// month (a stable sort). A first ingest of two years of a group's exports lists them store by
	// store, and every row group of the raw tables then spanned every month: a scan bounded by a
	// date (an incremental transform's window, 2–3 months) read them all. Loaded month by month
	// within each batch, row groups span a few months and DuckDB's zone maps skip the others (the
	// bench's month in alternating pairs, the window's movements at S 0.30–0.46 → 0.16–0.20 s, at
	// L 2.0–2.2 → 1.2–1.4 s, its orders a little less; whole ingests and full transforms
	// unchanged: BENCHMARKS.md). The rows are the same either way: which file wins a key is
	// decided by file_id, not by this order.
	inTime := slices.Clone(results)
	slices.SortStableFunc(inTime, func(a, b *Result) int { return strings.Compare(periodMonth(a), periodMonth(b)) })
	insertSrc := lakeWithIDs(lake, inTime)
	keys := strings.Join(k.Key, ", ")
	qualify := fmt.Sprintf("QUALIFY row_number() OVER (PARTITION BY %s ORDER BY f.file_id DESC, p.row_number DESC) = 1", strings.Join(prefixed("p.", k.Key), ", "))
	if !dedupe {
		qualify = "" // every key of the batch is distinct: no window needed
	}
	// The rows replaced, grouped by store, the file that had loaded them and the first file of
	// the batch with their key (which replaced them, as if the files were loaded one by one),
	// with the earliest instant they counted at (Kind.Since; a job line or callback counts where
	// its order does). A SELECT, then a DELETE without RETURNING: DuckDB 1.4's RETURNING fetches
	// the deleted rows one by one (replacing 174,144 work orders: 13.2 s, against 25 ms without).
	since, orders := k.Since, ""
	if k.SinceOrder {
		since, orders = "o.opened_at", "\nLEFT JOIN raw_work_orders o USING (store_id, order_no)"
	}
	// Work orders whose status the replacing row puts back (delivered → completed or open,
	// completed → open): the mark of an older export loaded after a newer one (Replaced.Backward).
	// A cancellation is not a step back: an order may be voided after it was delivered.
	newStatus, backward := "", "0"
	if k.Name == "work_orders" {
		rank := func(c string) string {
			return fmt.Sprintf("CASE %s WHEN 'open' THEN 0 WHEN 'completed' THEN 1 WHEN 'delivered' THEN 2 END", c)
		}
		// the status of the row that replaces: in the first file of the batch with the key, its
		// last row (a key repeated in a file keeps its last row, as the insert's QUALIFY does)
		newStatus = ", arg_min(p.status, (f.file_id, -p.row_number)) AS new_status"
		backward = fmt.Sprintf("count(*) FILTER (WHERE %s > %s)", rank("r.status"), rank("n.new_status"))
	}
	return upsert{
		replaced: fmt.Sprintf(`WITH n AS (SELECT %s, min(f.file_id) AS new_file%s FROM %s GROUP BY %s)
SELECT r.store_id, CAST(min(%s) AS VARCHAR), r.file_id, n.new_file, count(*), %s
FROM raw_%s r JOIN n USING (%s)%s
GROUP BY r.store_id, r.file_id, n.new_file`, strings.Join(prefixed("p.", k.Key), ", "), newStatus, withIDs, strings.Join(prefixed("p.", k.Key), ", "),
			since, backward, k.Name, keys, orders),
		delete: fmt.Sprintf(`DELETE FROM raw_%s USING (SELECT DISTINCT %s FROM %s) n WHERE %s`, k.Name, keys, src, strings.Join(on, " AND ")),
		insert: fmt.Sprintf(`INSERT INTO raw_%s (%s, file_id, row_number)
SELECT %s, f.file_id, p.row_number
FROM %s
%s`, k.Name, strings.Join(cols, ", "), strings.Join(sel, ", "), insertSrc, qualify),
	}
}

// lakeWithIDs reads the results' lake files, in their order, with each row's file_id: each lake
// file's position in the list (read_parquet's file_index, from 0) joined with its result's
// file_id — a join on that integer rather than on the file's name (filename = true), which hashed
// a path per row (scratch, the 4,999,099 movements of 1,150 files at S: 0.40–0.54 → 0.34–0.37 s),
// and no path to spell as DuckDB gives it back.
func lakeWithIDs(lake string, results []*Result) string {
	var ids []string
	for _, res := range results {
		for range res.LakeFiles {
			ids = append(ids, fmt.Sprintf("(%d, %d)", len(ids), res.FileID))
		}
	}
	return fmt.Sprintf("read_parquet([%s]) p\nJOIN (VALUES %s) f(file_index, file_id) ON p.file_index = f.file_index",
		strings.Join(quotedLakePaths(lake, results), ", "), strings.Join(ids, ", "))
}

// periodMonth is the month a result's rows begin in ("" when its kind has no period column).
func periodMonth(r *Result) string {
	if len(r.PeriodFirst) >= 7 {
		return r.PeriodFirst[:7]
	}
	return r.PeriodFirst
}

// quotedLakePaths lists the results' lake files as SQL string literals of their absolute paths,
// in the results' order and each result's LakeFiles' order: lakeWithIDs pairs read_parquet's
// file_index, a file's place in this list, with its result's file_id by walking the same order.
func quotedLakePaths(lake string, results []*Result) []string {
	var paths []string
	for _, res := range results {
		for _, f := range res.LakeFiles {
			paths = append(paths, db.Quote(filepath.Join(lake, filepath.FromSlash(f))))
		}
	}
	return paths
}

// deleteReplaced finds the rows loaded before that a batch replaces, deletes them and records,
// per store, the earliest instant they counted at in transform_dirty: an incremental transform
// recomputes from there (the new rows themselves it finds by file_id). It also tells each file
// of the batch which rows loaded before it replaced (Result.Replaced).
func deleteReplaced(ctx context.Context, tx *sql.Tx, k *Kind, u upsert, results []*Result) error {
	since, byNew, err := findReplaced(ctx, tx, u)
	if err != nil || len(byNew) == 0 {
		return err // (none of the batch's keys was loaded before)
	}
	if _, err := tx.ExecContext(ctx, u.delete); err != nil {
		return err
	}
	reason := "replaced rows of " + k.Name
	for store, at := range since {
		if _, err := tx.ExecContext(ctx, `INSERT INTO transform_dirty VALUES (?, CAST(? AS TIMESTAMP), ?)`, store, at, reason); err != nil {
			return err
		}
	}
	return nameReplaced(ctx, tx, results, byNew)
}

// querier is a transaction or a database (ingest --check reads without one).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// findReplaced runs u.replaced: per store, the earliest instant the replaced rows counted at,
// and per file of the batch, what it replaces by the file_id that had loaded it.
func findReplaced(ctx context.Context, q querier, u upsert) (since map[string]string, byNew map[int64]map[int64]Replaced, err error) {
	rows, err := q.QueryContext(ctx, u.replaced)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	since = map[string]string{}
	byNew = map[int64]map[int64]Replaced{} // file of the batch → file loaded before → rows
	for rows.Next() {
		var store, at sql.NullString
		var old, nw int64
		var n, back int
		if err := rows.Scan(&store, &at, &old, &nw, &n, &back); err != nil {
			return nil, nil, err
		}
		if prev, ok := since[store.String]; at.Valid && (!ok || at.String < prev) {
			since[store.String] = at.String
		}
		if byNew[nw] == nil {
			byNew[nw] = map[int64]Replaced{}
		}
		r := byNew[nw][old]
		r.Rows += n
		r.Backward += back
		byNew[nw][old] = r
	}
	return since, byNew, rows.Err()
}

// KindChangesSQL selects (store_id, since) for the raw rows of the named kinds (none of them
// SinceOrder) loaded by a file_id above hw: the earliest instant each new row counts at (its
// kind's Since: from the beginning for the parts catalogue and the stores list), as rows whose
// minimum per store is what callers use.
func KindChangesSQL(hw int64, kinds ...string) string {
	var parts []string
	for _, name := range kinds {
		k, err := KindByName(name)
		if err != nil || k.SinceOrder {
			panic(fmt.Sprintf("KindChangesSQL: %q is not a kind dated by its own rows", name))
		}
		parts = append(parts, fmt.Sprintf(`SELECT store_id, CAST(%s AS TIMESTAMP) AS since FROM raw_%s WHERE file_id > %d`, k.Since, k.Name, hw))
	}
	return strings.Join(parts, "\nUNION ALL ")
}

// OrderRefsSQL selects (store_id, order_no) of the rows of the named kinds (all of them
// SinceOrder: job lines, callbacks — rows that count where their order does) loaded by a file_id
// above hw; of no kinds, no rows.
func OrderRefsSQL(hw int64, kinds ...string) string {
	var parts []string
	for _, name := range kinds {
		k, err := KindByName(name)
		if err != nil || !k.SinceOrder {
			panic(fmt.Sprintf("OrderRefsSQL: %q is not a kind dated by its order", name))
		}
		parts = append(parts, fmt.Sprintf(`SELECT store_id, order_no FROM raw_%s WHERE file_id > %d`, k.Name, hw))
	}
	if len(parts) == 0 {
		return `SELECT NULL::VARCHAR AS store_id, NULL::VARCHAR AS order_no WHERE false`
	}
	return strings.Join(parts, "\nUNION ALL ")
}

func prefixed(p string, s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = p + x
	}
	return out
}

// Rebuild recreates the manifest and raw tables of an empty database from the lake, replaying
// the manifest's entry files in file_id order, each as the batch it was committed as. (An entry
// file of a batch that died before its commit, and whose file_ids were never taken again, is
// replayed too: the lake is the truth.)
func Rebuild(ctx context.Context, d *sql.DB, lake string, progress func(done, total int)) (int, error) {
	if err := EnsureSchema(ctx, d); err != nil {
		return 0, err
	}
	files, err := readManifest(lake)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, mf := range files {
		for _, e := range mf.results {
			for _, f := range e.LakeFiles {
				if _, err := os.Stat(filepath.Join(lake, filepath.FromSlash(f))); err != nil {
					return 0, msg.Errorf("manifest entry %d (%s) names lake file %s, which is missing: %w", e.FileID, e.Path, f, err)
				}
			}
		}
	}
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for i, mf := range files {
		if len(mf.results) == 0 {
			continue
		}
		if err := apply(ctx, tx, lake, func() (string, error) { return mf.path, nil }, mf.results, nil); err != nil {
			return 0, err
		}
		n += len(mf.results)
		if progress != nil {
			progress(i+1, len(files))
		}
	}
	return n, tx.Commit()
}

// batchKeys returns the sorted key hashes of a batch's rows of one kind; complete is false when
// some result has none (a rebuild from the manifest), and then nothing may be concluded from them.
// It runs on the loader's path between two loads, so its buffers come from the index's spares
// (see loadedKeys.buffer): growing a fresh slice file by file cost 1.4 of 36 s at scale S, most
// of it in first touches of new memory.
func (lk *loadedKeys) batchKeys(results []*Result) (keys []uint64, complete bool) {
	n := 0
	for _, r := range results {
		if r.keyHashes == nil && r.Loaded > 0 {
			return nil, false
		}
		n += len(r.keyHashes)
	}
	keys = lk.buffer(n)
	for _, r := range results {
		keys = append(keys, r.keyHashes...)
	}
	if lk != nil {
		lk.tmp = sortKeys(keys, lk.tmp)
	} else {
		sortKeys(keys, nil)
	}
	return keys, true
}

// sortKeys sorts key hashes in place: a least-significant-digit radix sort by bytes. A batch
// holds millions of them (3.5 M at scale S), sorted on the loader's path between two loads:
// 90 ms instead of slices.Sort's 300 ms for 3.5 M. tmp is scratch space, grown when too short
// and returned for the next call.
func sortKeys(a, tmp []uint64) []uint64 {
	if len(a) < 1024 {
		slices.Sort(a)
		return tmp
	}
	if cap(tmp) < len(a) {
		tmp = make([]uint64, len(a))
	}
	src, dst := a, tmp[:len(a)]
	for shift := 0; shift < 64; shift += 8 {
		var count [256]int
		for _, v := range src {
			count[byte(v>>shift)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, v := range src {
			d := byte(v >> shift)
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	// eight passes: the last one wrote back into a
	return tmp
}

// hasRepeat reports whether a sorted list holds a value twice: then a natural key may occur twice
// among the batch's rows (within a file or across files) and the load needs its dedupe window.
func hasRepeat(sorted []uint64) bool {
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return true
		}
	}
	return false
}

// flushLake makes a batch's lake files durable (syncLake; a test's stand-in checks the order
// of the flush and the manifest entry, or fails it).
var flushLake = syncLake

// testHookCommit, when set by a test, is told of every batch's commit, just before it; an error
// it returns fails the batch as a failed load would.
var testHookCommit func(files int) error

// testHookDeleteSkipped, when set by a test, is told of every DELETE skipped.
var testHookDeleteSkipped func(kind string)

// loadedKeys holds, per kind whose raw table was empty when this ingest began, the sorted key
// hashes of the rows committed since. Equal keys have equal hashes, so a batch sharing no hash
// with them shares no key with the table; a collision of different keys only costs a DELETE.
// A committed batch's keys wait in unmerged until a check needs the index (disjoint): in an
// ingest of new data the key bounds settle every batch and the index is never merged (at scale L
// the merges took ≈ 2.8 s of the loader's time, each a pass over every key loaded so far).
type loadedKeys struct {
	byKind   map[string][]uint64
	unmerged map[string][][]uint64 // committed batches' sorted keys, not yet in byKind
	batch    map[string][]uint64   // the sorted keys of the batch being loaded, kept once it commits
	// spare: key buffers of merged batches, for the next batch's keys; tmp: the sort's scratch
	spare [][]uint64
	tmp   []uint64
	// expect: the bytes of all the ingest's files ÷ those committed so far (with the batch being
	// committed), by which the index is expected to grow; when it must grow it is given that
	// room at once (scale S: one allocation instead of three, each a copy of the last)
	expect float64
	bounds *keyBounds
}

// keyBounds returns the ingest's key bounds (nil in a rebuild, which has no index).
func (lk *loadedKeys) keyBounds() *keyBounds {
	if lk == nil {
		return nil
	}
	return lk.bounds
}

// buffer is an empty slice with room for n keys: the smallest spare one that is large enough
// (kinds differ a hundredfold in size), else a new one.
func (lk *loadedKeys) buffer(n int) []uint64 {
	if lk == nil {
		return make([]uint64, 0, n)
	}
	best := -1
	for i, b := range lk.spare {
		if cap(b) >= n && (best < 0 || cap(b) < cap(lk.spare[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]uint64, 0, n)
	}
	b := lk.spare[best]
	lk.spare = slices.Delete(lk.spare, best, best+1)
	return b[:0]
}

// newLoadedKeys starts the index with the kinds whose raw table is empty, and reads the key
// bounds (bounds.go).
func newLoadedKeys(ctx context.Context, d *sql.DB) (*loadedKeys, error) {
	bounds, err := loadKeyBounds(ctx, d)
	if err != nil {
		return nil, err
	}
	lk := &loadedKeys{byKind: map[string][]uint64{}, unmerged: map[string][][]uint64{}, batch: map[string][]uint64{}, bounds: bounds}
	for _, k := range Kinds() {
		var any bool
		if err := d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM raw_`+k.Name+`)`).Scan(&any); err != nil {
			return nil, fmt.Errorf("reading raw_%s: %w", k.Name, err)
		}
		if !any {
			lk.byKind[k.Name] = []uint64{}
		}
	}
	return lk, nil
}

// disjoint reports whether none of the sorted keys may be in kind's table.
func (lk *loadedKeys) disjoint(kind string, keys []uint64) bool {
	if lk == nil {
		return false
	}
	if _, ok := lk.byKind[kind]; !ok {
		return false // the table held rows before this ingest: only a DELETE can tell
	}
	lk.merge(kind)
	have := lk.byKind[kind]
	i, j := 0, 0
	for i < len(have) && j < len(keys) {
		switch {
		case have[i] < keys[j]:
			i++
		case have[i] > keys[j]:
			j++
		default:
			return false
		}
	}
	return true
}

// pending notes the sorted keys of the batch being loaded (a failed batch ends the ingest, so
// they are merged by add after the commit without being checked again). A batch whose keys are
// not known ends the index for its kind: every later batch of it runs its DELETE.
func (lk *loadedKeys) pending(kind string, keys []uint64, complete bool) {
	if lk == nil {
		return
	}
	if !complete {
		delete(lk.byKind, kind)
		delete(lk.unmerged, kind)
		return
	}
	lk.batch[kind] = keys
}

// add keeps the committed batch's key hashes for the index (merged when a check needs them).
func (lk *loadedKeys) add() {
	if lk == nil {
		return
	}
	batch := lk.batch
	lk.batch = map[string][]uint64{}
	for kn, keys := range batch {
		if _, ok := lk.byKind[kn]; ok {
			if lk.unmerged == nil {
				lk.unmerged = map[string][][]uint64{}
			}
			lk.unmerged[kn] = append(lk.unmerged[kn], keys)
		} else {
			lk.spare = append(lk.spare, keys)
		}
	}
	lk.setMemoryLimit()
}

// merge brings kind's index up to date with the batches committed since its last merge: one
// merge of their keys, sorted together, into it (and their buffers become spares).
func (lk *loadedKeys) merge(kind string) {
	lists := lk.unmerged[kind]
	if len(lists) == 0 {
		return
	}
	if os.Getenv("AFTERSALES_TRACE") != "" {
		defer func(t0 time.Time) {
			fmt.Fprintf(os.Stderr, "trace key index of %s: %d batch(es) merged in %v\n", kind, len(lists), time.Since(t0))
		}(time.Now())
	}
	keys := lists[0]
	if len(lists) > 1 {
		n := 0
		for _, l := range lists {
			n += len(l)
		}
		keys = lk.buffer(n)
		for _, l := range lists {
			keys = append(keys, l...)
		}
		lk.tmp = sortKeys(keys, lk.tmp)
		lk.spare = append(lk.spare, lists...)
	}
	delete(lk.unmerged, kind)
	have := lk.byKind[kind]
	room := 0
	if lk.expect > 1 && lk.expect <= 64 {
		room = int(float64(len(have)+len(keys)) * lk.expect * 1.05)
	}
	lk.byKind[kind] = mergeInto(have, keys, room)
	lk.spare = append(lk.spare, keys)
	if len(lk.spare) > 2*len(kinds) {
		// one batch's worth is what the next can use: keep the largest
		slices.SortFunc(lk.spare, func(a, b []uint64) int { return cap(b) - cap(a) })
		clear(lk.spare[2*len(kinds):])
		lk.spare = lk.spare[:2*len(kinds)]
	}
	lk.setMemoryLimit()
}

// setMemoryLimit: the index is live memory (8 bytes a row: 840 MB at 100 M rows, plus its room to
// grow: the expected rest of the ingest, or a quarter), and growing it briefly holds it twice.
// Under a fixed soft limit smaller than that, Go collects and returns memory without pause: at
// scale L, parsing slowed by half batch after batch, with 130 s of system time in page faults.
// The limit is the parsing's share plus twice the index's room (the unmerged batches counted).
func (lk *loadedKeys) setMemoryLimit() {
	n := 0
	for _, keys := range lk.byKind {
		n += cap(keys)
	}
	for _, lists := range lk.unmerged {
		for _, keys := range lists {
			n += cap(keys)
		}
	}
	for _, keys := range lk.spare {
		n += cap(keys) / 2
	}
	debug.SetMemoryLimit(ingestHeapLimit + 16*int64(n))
}

// mergeInto merges the sorted keys into the sorted have, in place from the back, instead of into
// a new slice at every batch (whose first touches of fresh memory cost more than the merge). When
// have is too short it grows to room keys, or by append's rule (a quarter at a time when large)
// when room is smaller than the merge needs.
func mergeInto(have, keys []uint64, room int) []uint64 {
	n := len(have)
	if need := n + len(keys); cap(have) < need && room >= need {
		grown := make([]uint64, n, room)
		copy(grown, have)
		have = grown
	}
	have = slices.Grow(have, len(keys))[:n+len(keys)]
	i, j := n-1, len(keys)-1
	for k := len(have) - 1; j >= 0; k-- {
		if i >= 0 && have[i] > keys[j] {
			have[k] = have[i]
			i--
		} else {
			have[k] = keys[j]
			j--
		}
	}
	return have
}

// ingestHeapLimit is Go's soft memory limit during an ingest, besides the key index: room for
// two files being parsed and a batch's results, well under DuckDB's share.
const ingestHeapLimit = 512 << 20
