package db

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestMemoryLimit: 1.2 times the database file's size, at least 1 GB, at most half the machine's
// memory; $AFTERSALES_MEMORY_LIMIT wins.
func TestMemoryLimit(t *testing.T) {
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "")
	dir := t.TempDir()
	if got := MemoryLimit(filepath.Join(dir, "new.duckdb")); got != "1024MB" {
		t.Errorf("a database not yet created: %s, want 1024MB", got)
	}
	small := filepath.Join(dir, "s.duckdb")
	if err := os.WriteFile(small, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := MemoryLimit(small); got != "1024MB" {
		t.Errorf("a 1 MB database: %s, want 1024MB", got)
	}
	big := filepath.Join(dir, "l.duckdb")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(3 << 30) // sparse: no disk used
	f.Close()
	want := int64(3<<30) * 6 / 5 // 3.6 GB
	if half := physicalMemory() / 2; half > 1<<30 && half < want {
		want = half
	}
	if physicalMemory() <= 0 {
		t.Fatal("the machine's memory is unknown")
	}
	if got := MemoryLimit(big); got != fmt.Sprintf("%dMB", want>>20) {
		t.Errorf("a 3 GB database: %s, want %dMB", got, want>>20)
	}
	// a transform's: at least 2 GB (where half the machine's memory allows), else the same
	floor := int64(2 << 30)
	if half := physicalMemory() / 2; half > 1<<30 && half < floor {
		floor = half
	}
	if got := TransformMemoryLimit(small); got != fmt.Sprintf("%dMB", floor>>20) {
		t.Errorf("a transform of a 1 MB database: %s, want %dMB", got, floor>>20)
	}
	if got := TransformMemoryLimit(big); got != fmt.Sprintf("%dMB", want>>20) {
		t.Errorf("a transform of a 3 GB database: %s, want %dMB", got, want>>20)
	}
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "3GB")
	if got := MemoryLimit(big); got != "3GB" {
		t.Errorf("AFTERSALES_MEMORY_LIMIT=3GB: %s", got)
	}
	if got := TransformMemoryLimit(small); got != "3GB" {
		t.Errorf("AFTERSALES_MEMORY_LIMIT=3GB, a transform: %s", got)
	}
}

// TestOpenForTransform: a transform's connections run with its limit, a second connection too
// (each new connection sets the limit again), and other opens with the ordinary one.
func TestOpenForTransform(t *testing.T) {
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "")
	path := filepath.Join(t.TempDir(), "a.duckdb")
	if shownLimit(t, MemoryLimit(path)) == shownLimit(t, TransformMemoryLimit(path)) && physicalMemory() > 4<<30 {
		t.Fatalf("the two limits show alike: %s", shownLimit(t, MemoryLimit(path)))
	}
	for _, c := range []struct {
		name string
		open func() (*sql.DB, error)
		want string
	}{
		{"Open", func() (*sql.DB, error) { return Open(path, false) }, shownLimit(t, MemoryLimit(path))},
		{"OpenForTransform", func() (*sql.DB, error) { return OpenForTransform(path) }, shownLimit(t, TransformMemoryLimit(path))},
	} {
		d, err := c.open()
		if err != nil {
			t.Fatal(err)
		}
		for i, got := range poolLimits(t, d) {
			if got != c.want {
				t.Errorf("%s, connection %d: memory_limit %s, want %s", c.name, i+1, got, c.want)
			}
		}
		d.Close()
	}
}

// shownLimit is how DuckDB shows a memory limit set as limit (it prints e.g. 1.9 GiB).
func shownLimit(t *testing.T, limit string) string {
	t.Helper()
	m, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.SetMaxOpenConns(1)
	var v string
	if _, err := m.Exec("SET memory_limit = " + Quote(limit)); err != nil {
		t.Fatal(err)
	}
	if err := m.QueryRow("SELECT current_setting('memory_limit')").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// poolLimits is the memory limit that two connections of d's pool see, the second opened while
// the first is held (a new connection sets the limit again).
func poolLimits(t *testing.T, d *sql.DB) []string {
	t.Helper()
	ctx := t.Context()
	var out []string
	for range 2 {
		c, err := d.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var v string
		if err := c.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestCheckpointsDoNotMergeRowGroups: a table's partly filled row groups stay as they are at a
// checkpoint (DuckDB would merge them, rewriting their rows, whenever rows are appended behind
// them), a row group whose rows are all deleted is still dropped, and a read-only connection
// opens with the same setting. It fails without max_vacuum_tasks = 0.
func TestCheckpointsDoNotMergeRowGroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.duckdb")
	d, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	d.SetMaxOpenConns(1)
	rowGroups := func() string { // the row groups' sizes, in order
		t.Helper()
		var s string
		if err := d.QueryRow(`SELECT list(n ORDER BY row_group_id)::VARCHAR FROM
			(SELECT row_group_id, max(count) AS n FROM pragma_storage_info('t') GROUP BY row_group_id)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := d.Exec(`CREATE TABLE t (a BIGINT)`); err != nil {
		t.Fatal(err)
	}
	// two inserts of 150,000 rows, each a full row group of 122,880 and a partly filled one
	// of 27,120, checkpointed after each: with merging, the second checkpoint folds the first
	// insert's partial row group and the second insert's two into two ([122880, 122880, 54240])
	for i := 0; i < 2; i++ {
		if _, err := d.Exec(`INSERT INTO t SELECT range FROM range(150000)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(`CHECKPOINT`); err != nil {
			t.Fatal(err)
		}
		want := []string{"[122880, 27120]", "[122880, 27120, 122880, 27120]"}[i]
		if got := rowGroups(); got != want {
			t.Errorf("after %d checkpointed inserts, row groups of %s rows, want %s (merged at a checkpoint?)", i+1, got, want)
		}
	}
	// the first insert's full row group emptied: dropped at the next checkpoint
	if _, err := d.Exec(`DELETE FROM t WHERE rowid < 122880`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	if got, want := rowGroups(), "[27120, 122880, 27120]"; got != want {
		t.Errorf("after deleting the rows of a row group: row groups of %s rows, want %s", got, want)
	}
	var n int
	if err := d.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 300000-122880 {
		t.Fatalf("rows: %d, %v; want %d", n, err, 300000-122880)
	}
	d.Close()
	r, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var v string
	if err := r.QueryRow(`SELECT current_setting('max_vacuum_tasks')`).Scan(&v); err != nil || v != "0" {
		t.Errorf("read-only connection: max_vacuum_tasks = %q, %v; want 0", v, err)
	}
}

// TestLimitFromBlocksInUse: a file that keeps the blocks a dropped table freed is sized by the
// blocks in use, not by its length, for the first connection and the pool's later ones.
func TestLimitFromBlocksInUse(t *testing.T) {
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "")
	path := filepath.Join(t.TempDir(), "a.duckdb")
	d, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE t AS SELECT md5(range::VARCHAR) AS h FROM range(2000000)",
		"CHECKPOINT", "DROP TABLE t", "CHECKPOINT",
	} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	const floor = 16 << 20
	size := fileSize(path)
	if size*6/5 <= 2*floor {
		t.Fatalf("the file is %d bytes: too small to tell the two rules apart", size)
	}
	d, err = open(path, false, floor)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	used, err := usedBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	if used*6/5 >= floor {
		t.Fatalf("%d bytes in use of %d: the dropped table's blocks were not freed", used, size)
	}
	want, byFile := shownLimit(t, "16MB"), shownLimit(t, memoryLimit(size, floor))
	if want == byFile {
		t.Fatalf("both rules give %s", want)
	}
	for i, got := range poolLimits(t, d) {
		if got != want {
			t.Errorf("connection %d: memory_limit %s, want %s (by the file's length: %s)", i+1, got, want, byFile)
		}
	}
}

// TestNotDuckDB: a file given as --db that is not a DuckDB database is named by its kind from its
// first bytes; a database, a file too short for a header, and a binary file named *.duckdb (a
// damaged database, which rebuild may replace) are not.
func TestNotDuckDB(t *testing.T) {
	dir := t.TempDir()
	dbf := filepath.Join(dir, "a.duckdb")
	d, err := Open(dbf, false)
	if err != nil {
		t.Fatal(err)
	}
	d.Exec("CREATE TABLE t (x INTEGER)")
	d.Close()
	junk := []byte{0x9c, 0x01, 0x00, 0xff, 0x10, 0x80, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03}
	for name, c := range map[string]struct {
		body []byte
		want string
	}{
		"a.duckdb":       {nil, ""}, // the database just made
		"r.xlsx":         {append([]byte("PK\x03\x04"), make([]byte, 20)...), "an Excel workbook or another zip file"},
		"old.xls":        {append([]byte{0xD0, 0xCF, 0x11, 0xE0}, make([]byte, 20)...), "a legacy Excel workbook (.xls)"},
		"x.parquet":      {[]byte("PAR1\x15\x04\x15\x80\x01\x15\x80\x01\x4c\x15\x02\x15"), "a Parquet file"},
		"settings.yaml":  {[]byte("defaults:\n  pool_rate: 0.35\n"), "a text file (a CSV export, settings?)"},
		"w.csv":          {[]byte("门店编号,工单号,车架号\r\nS001,W1,X\r\n"), "a text file (a CSV export, settings?)"},
		"blob.bin":       {junk, "a file of another kind"},
		"damaged.duckdb": {junk, ""},
		"named.duckdb":   {[]byte("this is not a database, it was overwritten by mistake"), ""},
		"shaped.db":      {append([]byte("overwritten header"), make([]byte, 3<<12+256<<10-18)...), ""},
		"short.duckdb":   {[]byte("DUCK"), ""},
		"empty.bin":      {[]byte{}, ""},
	} {
		p := filepath.Join(dir, name)
		if c.body != nil {
			os.WriteFile(p, c.body, 0o644)
		}
		got := ""
		if e := NotDuckDB(p); e != nil {
			got = e.Error()
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
	// and opening one says so, without suggesting a rebuild that would replace it
	_, err = Open(filepath.Join(dir, "r.xlsx"), true)
	if err == nil || !strings.Contains(err.Error(), "is not a DuckDB database but an Excel workbook") || strings.Contains(err.Error(), "rebuild") {
		t.Errorf("opening a workbook as the database: %v", err)
	}
}

// TestExplainInUse: a database another process holds is said to be in use, whether DuckDB met
// a lock (Linux, macOS) or a file opened without sharing (Windows, and Wine's wording of it).
func TestExplainInUse(t *testing.T) {
	for _, text := range []string{
		`IO Error: Could not set lock on file "/d/a.duckdb": Conflicting lock is held in /usr/bin/aftersales (PID 4242) by user li.`,
		`IO Error: Cannot open file "c:\d\a.duckdb": The process cannot access the file because it is being used by another process.`,
		"IO Error: Cannot open file \"z:\\d\\a.duckdb\": Sharing violation. \r\n", // (Windows' text ends with a line break)
	} {
		err := Explain("a.duckdb", errors.New(text))
		if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "is another aftersales running?") || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("%s\n→ %v", text, err)
		}
	}
	if err := Explain("a.duckdb", errors.New(`IO Error: Cannot open file "a.duckdb": Permission denied`)); errors.Is(err, ErrInUse) {
		t.Errorf("a permission error taken for a database in use: %v", err)
	}
}

// TestExplainFolder: a folder given as the database is named as such, also where DuckDB reports
// it only as "Access denied" (Windows).
func TestExplainFolder(t *testing.T) {
	dir := t.TempDir()
	for _, text := range []string{`IO Error: Could not read from file "x": Is a directory`, `IO Error: Cannot open file "x": Access denied.`} {
		if err := Explain(dir, errors.New(text)); !strings.Contains(err.Error(), "is a folder: --db names the database file") {
			t.Errorf("%s\n→ %v", text, err)
		}
	}
	if err := Explain(filepath.Join(dir, "a.duckdb"), errors.New(`IO Error: Cannot open file "x": Access denied.`)); strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a file taken for a folder: %v", err)
	}
}

// AFTERSALES_THREADS sets DuckDB's threads for every connection; unset, DuckDB keeps its own (one
// per core); a value that is not a positive whole number is an error that names it.
func TestThreadsSetting(t *testing.T) {
	threads := func() int { return poolThreads(t, openWritable) }
	t.Setenv("AFTERSALES_THREADS", "")
	def := threads()
	if def != runtime.NumCPU() {
		t.Logf("DuckDB's own default: %d threads on %d cores", def, runtime.NumCPU())
	}
	t.Setenv("AFTERSALES_THREADS", "7")
	if n := threads(); n != 7 {
		t.Errorf("AFTERSALES_THREADS=7: %d threads", n)
	}
	for _, v := range []string{"many", "0", "-2"} {
		t.Setenv("AFTERSALES_THREADS", v)
		_, err := Open(filepath.Join(t.TempDir(), "t.duckdb"), false)
		if err == nil || !strings.Contains(err.Error(), "AFTERSALES_THREADS="+v) {
			t.Errorf("AFTERSALES_THREADS=%s: %v, want an error naming the value", v, err)
		}
	}
}

// TestTransformThreads: a transform runs at most a DuckDB thread per 250 MB of its memory limit
// unless AFTERSALES_THREADS says otherwise; other opens keep DuckDB's threads. On a machine of
// any size the cap shows with a small limit: 250 MB leaves one thread.
func TestTransformThreads(t *testing.T) {
	for _, c := range []struct{ threads, limit, want int64 }{
		{2, 2_048_000_000, 2}, {8, 2_048_000_000, 8}, {32, 2_048_000_000, 8}, {64, 4_900_000_000, 19},
		{4, 250_000_000, 1}, {4, 100_000_000, 1}, {4, 499_999_999, 1}, {4, 500_000_000, 2},
	} {
		if got := transformThreads(c.threads, c.limit); got != c.want {
			t.Errorf("transformThreads(%d, %d) = %d, want %d", c.threads, c.limit, got, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2048MB", 2_048_000_000, true}, {"3GB", 3_000_000_000, true}, {"1.5 GiB", 3 << 29, true},
		{"512mib", 512 << 20, true}, {"1000 bytes", 1000, true}, {"80%", 0, false}, {"", 0, false}, {"12", 0, false},
	} {
		if got, ok := parseMemory(c.in); got != c.want || ok != c.ok {
			t.Errorf("parseMemory(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}

	threads := func(open func(string) (*sql.DB, error)) int { return poolThreads(t, open) }
	t.Setenv("AFTERSALES_THREADS", "")
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "250MB")
	def := threads(openWritable)
	if def < 2 {
		t.Skipf("DuckDB runs %d thread here: nothing to cap", def)
	}
	if n := threads(OpenForTransform); n != 1 {
		t.Errorf("a transform under a 250 MB limit: %d threads, want 1 (DuckDB's own: %d)", n, def)
	}
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "")
	if n := threads(OpenForTransform); n != int(min(int64(def), 8)) && physicalMemory() > 4<<30 {
		t.Errorf("a transform under its own limit (at least 2 GB): %d threads, want %d", n, min(def, 8))
	}
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "250MB")
	t.Setenv("AFTERSALES_THREADS", "3")
	if n := threads(OpenForTransform); n != 3 {
		t.Errorf("AFTERSALES_THREADS=3 under a 250 MB limit: a transform ran %d threads, want 3", n)
	}
}

// TestMemoryLimitSettingNamed: an AFTERSALES_MEMORY_LIMIT DuckDB does not take fails the open
// with a message that names the variable and its value (DuckDB's own names neither); a form
// DuckDB takes opens.
func TestMemoryLimitSettingNamed(t *testing.T) {
	for _, v := range []string{"abc", "80%"} {
		t.Setenv("AFTERSALES_MEMORY_LIMIT", v)
		_, err := Open(filepath.Join(t.TempDir(), "m.duckdb"), false)
		if err == nil || !strings.Contains(err.Error(), "AFTERSALES_MEMORY_LIMIT="+v+" is not a memory size") {
			t.Errorf("AFTERSALES_MEMORY_LIMIT=%s: %v, want an error naming the variable and value", v, err)
		}
	}
	for _, v := range []string{"1G", "1500 mb"} {
		t.Setenv("AFTERSALES_MEMORY_LIMIT", v)
		d, err := Open(filepath.Join(t.TempDir(), "m.duckdb"), false)
		if err != nil {
			t.Errorf("AFTERSALES_MEMORY_LIMIT=%s: %v", v, err)
			continue
		}
		d.Close()
	}
}

// openWritable opens a database file writable, as Open(path, false).
func openWritable(path string) (*sql.DB, error) { return Open(path, false) }

// poolThreads is DuckDB's threads in a new database opened by open, as two connections of its
// pool see them, the second opened while the first is held (threads is a setting of the database
// instance, which every connection shares: the two must agree).
func poolThreads(t *testing.T, open func(string) (*sql.DB, error)) int {
	t.Helper()
	d, err := open(filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := t.Context()
	var ns [2]int
	for i := range ns {
		c, err := d.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&ns[i]); err != nil {
			t.Fatal(err)
		}
	}
	if ns[0] != ns[1] {
		t.Errorf("two connections of one pool: %d and %d threads", ns[0], ns[1])
	}
	return ns[0]
}
