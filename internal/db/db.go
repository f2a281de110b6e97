// Package db opens the DuckDB database the way every verb needs it: the session time zone
// set to UTC (timestamps are zone-less store-local times; see NOTES.md on Parquet's
// isAdjustedToUTC), and a clear message when another process holds the file.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/marcboeker/go-duckdb/v2"
)

// Open opens (creating when writable) the database file. readOnly opens it with
// access_mode=read_only, so a query can never change data.
func Open(path string, readOnly bool) (*sql.DB, error) {
	return open(path, readOnly, defaultFloor)
}

// OpenForTransform opens the database file writable for a transform, with its larger memory
// limit (TransformMemoryLimit).
func OpenForTransform(path string) (*sql.DB, error) {
	return open(path, false, transformFloor)
}

// open opens the database with the memory limit of its size and floor (memoryLimit). The size is
// first the file's; once open, the blocks in use, where fewer: a file rewritten by full rebuilds
// keeps the blocks they freed (at scale L, 3.1 GB after the ingest, 5.4 GB after three full
// transforms, whose third ran with a limit of 1.2 × the file and peaked at 7.3 GB of RSS).
func open(path string, readOnly bool, floor int64) (*sql.DB, error) {
	if path == "" {
		return nil, msg.Errorf("no database given: use --db FILE or set AFTERSALES_DB")
	}
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, msg.Errorf("database %s does not exist yet: run `aftersales ingest --db %s FILES` first", path, path)
		}
	} else if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, msg.Errorf("creating the folder of database %s: %w", path, err)
		}
	}
	if _, err := threadsSetting(); err != nil {
		return nil, err
	}
	dsn := path
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	var mu sync.Mutex
	limit := memoryLimit(fileSize(path), floor)
	conn, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		mu.Lock()
		l := limit
		mu.Unlock()
		return initConn(ex, l)
	})
	if err != nil {
		return nil, Explain(path, err)
	}
	d := sql.OpenDB(conn)
	if err := d.Ping(); err != nil {
		d.Close()
		return nil, Explain(path, err)
	}
	if used, err := usedBytes(d); err == nil && used < fileSize(path) {
		if l := memoryLimit(used, floor); l != limit {
			mu.Lock()
			limit = l // for the pool's later connections, which set it again
			mu.Unlock()
			if _, err := d.Exec("SET memory_limit = " + Quote(l)); err != nil {
				d.Close()
				return nil, Explain(path, err)
			}
		}
	}
	if floor == transformFloor {
		mu.Lock()
		l := limit
		mu.Unlock()
		if err := capThreads(d, l); err != nil {
			d.Close()
			return nil, Explain(path, err)
		}
	}
	return d, nil
}

// bytesPerTransformThread is how much of its memory limit a transform keeps for each DuckDB
// thread: a transform runs at most limit ÷ 250 MB threads (8 under the 2 GB floor at scale S,
// about 18 under scale L's ≈ 4.7 GB: the limit is written in MiB and read as DuckDB's MB, 10^6
// bytes), unless $AFTERSALES_THREADS says how many.
//
// Why: DuckDB runs a thread per core, and each thread of the parts model's windows and sort
// holds state of its own, outside what the memory limit bounds (DuckDB's guide to out-of-memory
// errors: "some of DuckDB's operations circumvent the database's buffer manager"; its first
// advice is fewer threads). Full transforms at scale S on these 2 cores with DuckDB told to run
// more threads (AFTERSALES_THREADS, one run each, session 50): peak RSS 1.50 GB on 2 threads,
// 1.55 on 4, 1.65 on 8, 1.85 on 16, 2.05 on 24, 2.08–2.21 on 32, 2.12 on 48 and 2.19 on 64 —
// past the 2 GB target from about 20 threads, i.e. on a machine of 20 cores or more, and
// with the peak inside the parts model (0.9 GB before it, 1.2–1.3 GB after it). A real machine
// of that many cores gives jemalloc more arenas too, so those are lower bounds. Capping only the
// parts model at 8 threads left 1.89–1.90 GB at 32 (the other models' threads leave more behind
// them); the whole transform at 8 threads, 1.59–1.67 GB (session 49: 3 runs). On a machine of 8
// cores or fewer nothing changes. The ingest is not capped: its peak RSS stayed 1.79 GB on 8 and
// on 16 threads (1.50 GB on 2), the Go side's parse workers being at most 8 (par.Workers).
const bytesPerTransformThread = 250_000_000

// capThreads sets DuckDB's threads to at most limit ÷ bytesPerTransformThread (at least 1) when
// $AFTERSALES_THREADS is not set and DuckDB runs more (threads is a setting of the database
// instance: every connection of the pool has it).
func capThreads(d *sql.DB, limit string) error {
	if n, _ := threadsSetting(); n > 0 {
		return nil // initConn set them
	}
	var cur int64
	if err := d.QueryRow("SELECT current_setting('threads')::BIGINT").Scan(&cur); err != nil {
		return err
	}
	if max := transformThreadsUnder(cur, limit); max < cur {
		_, err := d.Exec(fmt.Sprintf("SET threads = %d", max))
		return err
	}
	return nil
}

// TransformThreads is how many DuckDB threads a transform of the database at path runs with,
// where DuckDB runs threads (for the bench's report).
func TransformThreads(path string, threads int) int {
	return int(transformThreadsUnder(int64(threads), TransformMemoryLimit(path)))
}

// transformThreadsUnder is the threads a transform runs with under the memory limit limit, where
// DuckDB runs threads: $AFTERSALES_THREADS when set; else threads as they are under a limit in a
// form parseMemory does not read (DuckDB takes 1G, none, -1 too); else transformThreads.
func transformThreadsUnder(threads int64, limit string) int64 {
	if n, _ := threadsSetting(); n > 0 {
		return int64(n)
	}
	bytes, ok := parseMemory(limit)
	if !ok {
		return threads
	}
	return transformThreads(threads, bytes)
}

// transformThreads is the threads a transform runs with: threads, at most one per
// bytesPerTransformThread of the memory limit, and at least 1.
func transformThreads(threads, limitBytes int64) int64 {
	return max(1, min(threads, limitBytes/bytesPerTransformThread))
}

var memoryRe = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?)\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib)\s*$`)

// parseMemory reads a memory limit as DuckDB does (KB, MB, GB and TB are powers of 1000; KiB,
// MiB, GiB and TiB of 1024), in bytes; ok is false for any other form.
func parseMemory(s string) (int64, bool) {
	m := memoryRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	unit := map[string]float64{"b": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}[strings.ToLower(m[2])]
	return int64(v * unit), true
}

// usedBytes is the size of the database's blocks in use (its file less the free blocks).
func usedBytes(d *sql.DB) (int64, error) {
	var n int64
	err := d.QueryRow(`SELECT used_blocks * block_size FROM pragma_database_size() WHERE database_name = current_database()`).Scan(&n)
	return n, err
}

// fileSize is the size of the file at path (0 when it does not exist yet).
func fileSize(path string) int64 {
	if st, err := os.Stat(path); err == nil {
		return st.Size()
	}
	return 0
}

// MemoryLimit is DuckDB's memory limit for the connections to the database file at path (it
// spills to disk beyond it): $AFTERSALES_MEMORY_LIMIT, or by default 1.2 times the file's size
// (once open, the size of its blocks in use where smaller: see open), at least 1 GB and at most
// half the machine's memory. 1 GB keeps a run at scale S (a 0.35 GB file) under 2 GB of RSS; at
// scale L (a 4.1 GB file) the full transform's list and window operators, which cannot spill all
// their state, ran out of memory under 1 GB. 1.2 times the file
// (4.9 GB at L) runs the full transform at L in 161 s with 6.3 GB of RSS; 1.5 times took 173 s and
// 6.6–7.2 GB, and 8.3 GB in an incremental run on a file grown by rebuilds (CONTRACT and issue are
// silent on the limit; the RSS targets are 2 GB at S and 8 GB at L).
func MemoryLimit(path string) string { return memoryLimit(fileSize(path), defaultFloor) }

// TransformMemoryLimit is the memory limit of a transform: as MemoryLimit, but at least 2 GB
// (still at most half the machine's memory; $AFTERSALES_MEMORY_LIMIT wins). Why: DuckDB 1.4.1
// (go-duckdb v2.4.3, pinned) crashes in an external hash aggregate — one that ran short of its
// memory reservation and spilled — when the aggregate's radix partitioning grew after it went
// external: a SIGSEGV in TupleDataCollection::Combine or "INTERNAL Error: Attempted to
// dereference unique_ptr that is NULL" from RadixPartitionedHashTable::Combine (fixed upstream
// by duckdb/duckdb#23757, July 2026, in no 1.4 release we can pin). Under 1 GB the full
// transform at scale S, whose earlier models hold ≈ 0.4 GB of temporary tables and cached
// blocks when the parts model's aggregates run, crashed in mart_parts_month in 10 of 20 runs on
// this machine (session 23); with 1.5 GB and 2 GB, 0 of 6 each, and 0 of 20 since with this
// rule. The price: 1.50–1.70 GB of RSS instead of 1.12–1.27 GB, and the parts model's final sort
// in fresh memory rather than in evicted blocks (page faults, costly on these VMs): whole runs
// within their spread, up to ≈ 0.7 s more on average (BENCHMARKS.md, session 23). DuckDB 1.4.3,
// the newest 1.4 that go-duckdb v2.4.3's bindings take, crashed the same way (session 68: 2 of 16
// runs under 1 GB); the floor makes the crash rare, not impossible (an L bench met one in session
// 67), and on Linux the transform's command runs a worker that crashed once more
// (cmd/aftersales/supervise_linux.go).
func TransformMemoryLimit(path string) string { return memoryLimit(fileSize(path), transformFloor) }

const (
	defaultFloor   = 1 << 30
	transformFloor = 2 << 30
)

// memoryLimit: $AFTERSALES_MEMORY_LIMIT, or 1.2 × size, at least floor, at most half the
// machine's memory.
func memoryLimit(size, floor int64) string {
	if v := os.Getenv("AFTERSALES_MEMORY_LIMIT"); v != "" {
		return v
	}
	const gb = 1 << 30
	limit := floor
	if size*6/5 > limit {
		limit = size * 6 / 5
	}
	if half := physicalMemory() / 2; half > gb && limit > half {
		limit = half
	}
	return fmt.Sprintf("%dMB", limit>>20)
}

// physicalMemory is the machine's memory in bytes (0 when unknown).
func physicalMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(l, "MemTotal: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	return 0
}

// initConn sets every connection's session: UTC, the memory limit, and no row-group merging at
// checkpoints (max_vacuum_tasks = 0, a setting of the database instance, so that every checkpoint
// of an aftersales process — commits past the threshold, CHECKPOINT, close — follows it).
//
// Why no merging: at a checkpoint DuckDB merges runs of adjacent row groups that would fit in fewer,
// and a table's tail that gets new rows qualifies again and again. Each ingest's inserts end in
// partly filled row groups (one per thread and insert), so the next append made the checkpoint
// rewrite those tails: at scale S a month's ingest spent 1.1–1.2 s of its 2.6–2.9 s in its final
// CHECKPOINT, 0.6 s of it rewriting 338 k work orders to save one row group (DuckDB's checkpoint
// log: "vacuum … merge_count=4, target_count=3"), and a full ingest's final checkpoint took
// 1–2 s. Without merging, those checkpoints write only the new rows (month: 0.2–0.3 s; full:
// 0.1 s), the raw tables keep a row group or two more per kind (16 → 18 for work orders at S),
// and the full transform reads them as fast (two alternating pairs, 12.6 / 12.3 s before, 11.9 /
// 12.0 s after). At scale L, whose 30 batches each left tails to merge, the bench's ingest went
// 326.5 s (3.27 R) → 200.9 s (2.15 R). Row groups whose rows are all deleted are still dropped
// (that is not a merge); rows a re-export replaced inside a partly deleted row group keep their
// space until a rebuild.
//
// $AFTERSALES_THREADS, when set, is DuckDB's threads (DuckDB's own default is one per core): to
// leave cores to other work on a shared office PC, or to try more threads than cores.
func initConn(ex driver.ExecerContext, limit string) error {
	set := []string{"SET TimeZone='UTC'", "SET memory_limit='" + strings.ReplaceAll(limit, "'", "") + "'", "SET max_vacuum_tasks = 0"}
	if n, _ := threadsSetting(); n > 0 {
		set = append(set, fmt.Sprintf("SET threads = %d", n))
	}
	for _, s := range set {
		if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
			return err
		}
	}
	return nil
}

// threadsSetting is $AFTERSALES_THREADS as a number of DuckDB threads (0 when unset).
func threadsSetting() (int, error) {
	v := strings.TrimSpace(os.Getenv("AFTERSALES_THREADS"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, msg.Errorf("AFTERSALES_THREADS=%s: set it to the number of DuckDB threads (a whole number, 1 or more), or unset it for one per core", v)
	}
	return n, nil
}

// OpenMemory opens an in-memory database (tests, scratch work) with the same session settings.
func OpenMemory() (*sql.DB, error) {
	conn, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error { return initConn(ex, MemoryLimit("")) })
	if err != nil {
		return nil, err
	}
	d := sql.OpenDB(conn)
	return d, d.Ping()
}

var pidRe = regexp.MustCompile(`PID (\d+)`)

// ErrInUse is what errors.Is finds in the error of opening a database another process holds.
var ErrInUse = errors.New("database in use by another process")

type inUseError struct{ err error }

func (e *inUseError) Error() string           { return e.err.Error() }
func (e *inUseError) Text(lang string) string { return msg.Text(lang, e.err) }
func (e *inUseError) Is(target error) bool    { return target == ErrInUse }

// isDir: path names an existing folder.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// Explain turns known engine failures into messages that say what to do.
func Explain(path string, err error) error {
	text := err.Error()
	if strings.Contains(text, "not a valid DuckDB database") {
		if what := NotDuckDB(path); what != nil {
			// not a damaged database but another file given as --db (a workbook, an export,
			// the settings): `rebuild` would replace it, so it is not suggested
			return msg.Errorf("%s is not a DuckDB database but %v: --db names the database file aftersales keeps (data/aftersales.duckdb unless said otherwise); nothing was changed", path, what)
		}
	}
	switch {
	case os.Getenv("AFTERSALES_MEMORY_LIMIT") != "" && strings.Contains(strings.ToLower(text), "memory") &&
		(strings.Contains(text, "Parser Error") || strings.Contains(text, "Unknown unit")):
		// DuckDB's words name neither the variable nor where the value came from
		return msg.Errorf("AFTERSALES_MEMORY_LIMIT=%s is not a memory size DuckDB takes (%v): set it to a size such as 4GB or 1500MB, or unset it for the default (1.2 × the database, at least 1 GB)", os.Getenv("AFTERSALES_MEMORY_LIMIT"), strings.TrimSpace(text))
	case strings.Contains(text, "Could not set lock") || strings.Contains(text, "Conflicting lock") ||
		// Windows: DuckDB opens a database it writes without sharing it, and a second opener
		// gets ERROR_SHARING_VIOLATION, as Windows words it or as Wine does
		strings.Contains(text, "being used by another process") || strings.Contains(text, "Sharing violation"):
		who := msg.Errorf("another process") // (an error value: said in the message's language)
		if m := pidRe.FindStringSubmatch(text); m != nil {
			proc := m[1]
			if cmd, e := os.ReadFile("/proc/" + m[1] + "/cmdline"); e == nil {
				proc += " (" + strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")) + ")"
			}
			who = msg.Errorf("process %s", proc)
		}
		return &inUseError{msg.Errorf("database %s is in use by %s: is another aftersales running? Wait for it to finish and try again. (%v)", path, who, strings.TrimSpace(text))}
	case strings.Contains(text, "Is a directory") || isDir(path): // (Windows says "Access denied")
		return msg.Errorf("%s is a folder: --db names the database file, e.g. --db %s", path, filepath.Join(path, "aftersales.duckdb"))
	case strings.Contains(text, "WAL") || strings.Contains(text, "Corrupt") || strings.Contains(text, "corrupt") ||
		strings.Contains(text, "not a valid DuckDB database") || strings.Contains(text, "Serialization"):
		return msg.Errorf("database %s cannot be opened (%v): it may be damaged; run `aftersales rebuild --db %s` to recreate it from the lake", path, err, path)
	}
	return msg.Errorf("opening database %s: %w", path, err)
}

// NotDuckDB names what the file at path is when its first bytes show it is not a DuckDB database
// (whose header carries "DUCK" at byte 8): an Excel workbook, a legacy .xls, a Parquet file, a
// text file, or another kind. nil when it is one, is empty or shorter than a header (a database
// being created, or truncated), is named *.duckdb or has a database's size (damaged: its header
// overwritten), or cannot be read — those are offered `rebuild`.
func NotDuckDB(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	head = head[:n]
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	// a DuckDB file is three 4 kB headers and then 256 kB blocks: a file of that shape whose
	// header was overwritten is a damaged database, as is any file named *.duckdb
	const headers, block = 3 << 12, 256 << 10
	shaped := st.Size() >= headers && (st.Size()-headers)%block == 0
	switch {
	case n < 12 || string(head[8:12]) == "DUCK" || shaped || strings.EqualFold(filepath.Ext(path), ".duckdb"):
		return nil
	case strings.HasPrefix(string(head), "PK\x03\x04"):
		return msg.Errorf("an Excel workbook or another zip file")
	case strings.HasPrefix(string(head), "\xD0\xCF\x11\xE0"):
		return msg.Errorf("a legacy Excel workbook (.xls)")
	case strings.HasPrefix(string(head), "PAR1"):
		return msg.Errorf("a Parquet file")
	}
	for _, c := range head {
		if c < 0x09 || c > 0x0D && c < 0x20 {
			return msg.Errorf("a file of another kind")
		}
	}
	return msg.Errorf("a text file (a CSV export, settings?)")
}

// Quote quotes a string literal for SQL text (paths in read_parquet lists).
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ScanAll reads every row of a result as values of the driver's types.
func ScanAll(rows *sql.Rows) ([]string, [][]any, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		out = append(out, vals)
	}
	return cols, out, rows.Err()
}
