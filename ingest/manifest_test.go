package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// manifestNames lists the manifest's entry files, pending ones included.
func (e *env) manifestNames() []string {
	e.t.Helper()
	des, err := os.ReadDir(ManifestDir(e.lake))
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	sort.Strings(out)
	return out
}

// lakeFiles lists the lake's Parquet files, relative to it.
func (e *env) lakeFiles() []string {
	e.t.Helper()
	var out []string
	filepath.Walk(e.lake, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			rel, _ := filepath.Rel(e.lake, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// expectNothingLeft: after a batch that failed (what), no manifest entry, lake file, file or row.
func (e *env) expectNothingLeft(what string) {
	e.t.Helper()
	if got := e.manifestNames(); len(got) != 0 {
		e.t.Errorf("manifest after %s: %v", what, got)
	}
	if got := e.lakeFiles(); len(got) != 0 {
		e.t.Errorf("lake files after %s: %v", what, got)
	}
	expectRows(e.t, "ingest_files after "+what, e.rows(`SELECT count(*) FROM ingest_files`), []string{"0"})
	expectRows(e.t, "raw_work_orders after "+what, e.rows(`SELECT count(*) FROM raw_work_orders`), []string{"0"})
}

// state is what a rebuild must reproduce: the manifest tables and the raw rows with lineage.
func (e *env) state() []string {
	return append(e.rows(`SELECT file_id, sha256, status, rows_loaded FROM ingest_files ORDER BY file_id`),
		e.rows(`SELECT count(*), sum(hash(t)) FROM raw_work_orders t`)[0],
		e.rows(`SELECT count(*), sum(hash(t)) FROM raw_parts t`)[0])
}

func (e *env) files(paths ...string) error {
	in := &Ingester{DB: e.db, Opts: Options{Lake: e.lake}}
	return in.Files(e.t.Context(), paths, func(string, *Result) {})
}

// TestFailedLoadLeavesNothing: a batch whose load fails before its commit leaves neither a
// manifest entry (which `rebuild` would replay) nor lake files; the same ingest again loads it,
// and a rebuild gives the same tables.
func TestFailedLoadLeavesNothing(t *testing.T) {
	e := newEnv(t)
	testHookCommit = func(int) error { return errors.New("disk full (test)") }
	err := e.files(fixture("gbk_work_orders.csv"), fixture("parts_leading_zero.csv"))
	testHookCommit = nil
	if err == nil || !strings.Contains(err.Error(), "disk full (test)") {
		t.Fatalf("the failed load is not reported: %v", err)
	}
	e.expectNothingLeft("a failed load")
	if err := e.files(fixture("gbk_work_orders.csv"), fixture("parts_leading_zero.csv")); err != nil {
		t.Fatal(err)
	}
	expectRows(t, "manifest", e.manifestNames(), []string{"00000001.json"})
	expectRows(t, "rebuilt", e.rebuilt().state(), e.state())
}

// TestLakeAheadOfDatabase: a new database beside the lake of an earlier one (deleted, replaced
// or restored from an older copy) is refused before anything is written, with the way out;
// rebuilt from that lake, it loads.
func TestLakeAheadOfDatabase(t *testing.T) {
	e := newEnv(t)
	e.ingest(fixture("gbk_work_orders.csv"), Options{})
	e.ingest(fixture("parts_leading_zero.csv"), Options{})
	before, lake := e.manifestNames(), e.lakeFiles()
	fresh := newEnv(t)
	fresh.lake = e.lake
	err := fresh.files(fixture("work_orders_rules.csv"))
	var ahead *LakeAheadError
	if !errors.As(err, &ahead) || ahead.FirstID != 1 || ahead.Entries != 2 || ahead.LastDB != 0 {
		t.Fatalf("a new database beside an old lake: %v", err)
	}
	for _, want := range []string{e.lake, "aftersales rebuild", "--lake"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not say %q: %v", want, err)
		}
	}
	expectRows(t, "manifest after the refusal", fresh.manifestNames(), before)
	expectRows(t, "lake after the refusal", fresh.lakeFiles(), lake)
	expectRows(t, "the new database after the refusal", fresh.rows(`SELECT count(*) FROM ingest_files`), []string{"0"})
	// the database is one file behind: refused too
	behind := newEnv(t)
	behind.lake = e.lake
	if _, err := Rebuild(t.Context(), behind.db, e.lake, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := behind.db.Exec(`DELETE FROM ingest_files WHERE file_id = 2`); err != nil {
		t.Fatal(err)
	}
	if err := behind.files(fixture("work_orders_rules.csv")); !errors.As(err, &ahead) || ahead.FirstID != 2 || ahead.LastDB != 1 {
		t.Fatalf("a database one file behind its lake: %v", err)
	}
	r := e.rebuilt()
	if err := r.files(fixture("work_orders_rules.csv")); err != nil {
		t.Fatal(err)
	}
	expectRows(t, "manifest", r.manifestNames(), []string{"00000001.json", "00000002.json", "00000003.json"})
}

// TestPendingEntrySettled: the next ingest settles the pending entry a killed run left — renamed
// when the database committed its batch (killed between the commit and the rename), removed with
// its lake files when it did not (killed during the load) — and `rebuild` leaves a pending entry
// out.
func TestPendingEntrySettled(t *testing.T) {
	t.Run("committed", func(t *testing.T) {
		e := newEnv(t)
		e.ingest(fixture("gbk_work_orders.csv"), Options{})
		final := filepath.Join(ManifestDir(e.lake), "00000001.json")
		if err := os.Rename(final, final+pendingSuffix); err != nil {
			t.Fatal(err)
		}
		if p, _ := PendingEntries(e.lake); len(p) != 1 {
			t.Errorf("pending entries: %v", p)
		}
		e.ingest(fixture("parts_leading_zero.csv"), Options{})
		expectRows(t, "manifest", e.manifestNames(), []string{"00000001.json", "00000002.json"})
		expectRows(t, "rebuilt", e.rebuilt().state(), e.state())
	})
	t.Run("not committed", func(t *testing.T) {
		// the other run: A then B, whose entry 2 and lake files stand for a batch killed mid-load
		other := newEnv(t)
		other.ingest(fixture("gbk_work_orders.csv"), Options{})
		other.ingest(fixture("parts_leading_zero.csv"), Options{})
		e := newEnv(t)
		e.lake = other.lake
		if _, err := Rebuild(t.Context(), e.db, e.lake, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Exec(`DELETE FROM ingest_files WHERE file_id = 2; DELETE FROM raw_parts`); err != nil {
			t.Fatal(err)
		}
		entry := filepath.Join(ManifestDir(e.lake), "00000002.json")
		if err := os.Rename(entry, entry+pendingSuffix); err != nil {
			t.Fatal(err)
		}
		want := e.state()
		expectRows(t, "a rebuild leaves the pending entry out", e.rebuilt().state(), want)
		e.ingest(fixture("work_orders_rules.csv"), Options{})
		expectRows(t, "manifest", e.manifestNames(), []string{"00000001.json", "00000002.json"})
		for _, f := range e.lakeFiles() {
			if strings.HasPrefix(f, "parts/") {
				t.Errorf("the uncommitted batch's lake file is still there: %s", f)
			}
		}
		expectRows(t, "ingest_files", e.rows(`SELECT file_id, status FROM ingest_files ORDER BY 1`), []string{"1|loaded", "2|loaded"})
		expectRows(t, "rebuilt", e.rebuilt().state(), e.state())
	})
	t.Run("another batch under the same file_ids", func(t *testing.T) {
		// the database committed B as file 2; a pending entry of file 2 holds another file (C)
		x := newEnv(t)
		x.ingest(fixture("gbk_work_orders.csv"), Options{})
		x.ingest(fixture("parts_leading_zero.csv"), Options{})
		e := newEnv(t)
		e.ingest(fixture("gbk_work_orders.csv"), Options{})
		e.ingest(fixture("work_orders_rules.csv"), Options{})
		b, err := os.ReadFile(filepath.Join(ManifestDir(x.lake), "00000002.json"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(ManifestDir(e.lake), "00000002.json"+pendingSuffix), b, 0o644)
		for _, f := range x.lakeFiles() {
			if strings.HasPrefix(f, "parts/") {
				data, _ := os.ReadFile(filepath.Join(x.lake, f))
				os.MkdirAll(filepath.Dir(filepath.Join(e.lake, f)), 0o755)
				os.WriteFile(filepath.Join(e.lake, f), data, 0o644)
			}
		}
		e.ingest(fixture("reexport_v1.csv"), Options{})
		expectRows(t, "manifest", e.manifestNames(), []string{"00000001.json", "00000002.json", "00000003.json"})
		for _, f := range e.lakeFiles() {
			if strings.HasPrefix(f, "parts/") {
				t.Errorf("the other batch's lake file is still there: %s", f)
			}
		}
		expectRows(t, "rebuilt", e.rebuilt().state(), e.state())
	})
}

// TestManifestEntryAfterTheFlush: a batch's manifest entry is written only once its lake files
// are flushed to disk (the flush runs while the rows are inserted), and a failed flush leaves
// nothing: no entry, no lake files, no row; the same ingest again loads the files.
func TestManifestEntryAfterTheFlush(t *testing.T) {
	e := newEnv(t)
	var flushed [][]string // per flush: the lake files named, and the entries seen as it ended
	var entriesAtFlush [][]string
	flushLake = func(dir string, files []string) error {
		time.Sleep(50 * time.Millisecond) // (a slow disk: the inserts go on meanwhile)
		for _, f := range files {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("a lake file to flush is missing: %v", err)
			}
		}
		flushed = append(flushed, files)
		entriesAtFlush = append(entriesAtFlush, e.manifestNames())
		return syncLake(dir, files)
	}
	defer func() { flushLake = syncLake }()
	if err := e.files(fixture("gbk_work_orders.csv"), fixture("parts_leading_zero.csv")); err != nil {
		t.Fatal(err)
	}
	if len(flushed) != 1 || len(flushed[0]) != len(e.lakeFiles()) || len(flushed[0]) == 0 {
		t.Fatalf("one flush of the batch's %d lake files expected: %v", len(e.lakeFiles()), flushed)
	}
	if len(entriesAtFlush[0]) != 0 {
		t.Errorf("the manifest entry was written before the lake files were flushed: %v", entriesAtFlush[0])
	}
	expectRows(t, "manifest", e.manifestNames(), []string{"00000001.json"})

	// a flush that fails: nothing of the batch stays
	f := newEnv(t)
	flushLake = func(string, []string) error { return errors.New("I/O error (test)") }
	err := f.files(fixture("gbk_work_orders.csv"), fixture("parts_leading_zero.csv"))
	flushLake = syncLake
	if err == nil || !strings.Contains(err.Error(), "flushing the lake to disk") || !strings.Contains(err.Error(), "I/O error (test)") {
		t.Fatalf("the failed flush is not reported: %v", err)
	}
	f.expectNothingLeft("a failed flush")
	if err := f.files(fixture("gbk_work_orders.csv"), fixture("parts_leading_zero.csv")); err != nil {
		t.Fatal(err)
	}
	expectRows(t, "the same files again", f.state(), e.state())
}
