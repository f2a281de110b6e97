package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aftersales/aftersales/internal/msg"
)

// The manifest and the database must tell the same story: `rebuild` recreates the database from
// the manifest's final entries alone. A batch's entry is pending while its transaction runs
// (record.go, commit); this file settles what a failed or killed ingest left, and refuses to load
// into a database that the lake has moved past.

// pendingSuffix marks the entry of a batch whose commit has not returned (yet, or ever).
const pendingSuffix = ".pending"

// LakeAheadError: the lake's manifest has final entries for file_ids the database does not hold —
// the database was deleted, replaced or restored from an older copy while its lake was kept.
// Loading more would give the new files the file_ids of those entries and leave a manifest from
// which `rebuild` makes a database other than this one.
type LakeAheadError struct {
	Lake    string // the lake folder
	Entry   string // the first entry beyond the database
	FirstID int64  // its first file_id
	LastDB  int64  // the database's last file_id (0: none)
	Entries int    // how many final entries lie beyond the database
	DB      string // the database file, when the caller names it in the message
}

func (e *LakeAheadError) Error() string { return e.Text(msg.EN) }

// Text is the message in lang.
func (e *LakeAheadError) Text(lang string) string {
	held := msg.T(lang, "holds no ingested file")
	if e.LastDB > 0 {
		held = msg.T(lang, "ends at file_id %d", e.LastDB)
	}
	rebuild := msg.T(lang, "`aftersales rebuild` with the same --db")
	if e.DB != "" {
		rebuild = "`aftersales rebuild --db " + e.DB + "`"
	}
	return msg.T(lang, "the lake %s holds files this database has not loaded: %d manifest entries from file_id %d on (%s), while the database %s. "+
		"The database was deleted, replaced or restored from an older copy while its lake was kept, and loading now would mix the two. "+
		"To recreate the database from its lake, run %s, then ingest again; "+
		"to start a new database instead, give it a lake of its own (--lake DIR) or move %s aside",
		e.Lake, e.Entries, e.FirstID, e.Entry, held, rebuild, e.Lake)
}

// entryID is the first file_id of a manifest entry named <id>.json or <id>.json.pending.
func entryID(name string) (int64, bool) {
	name = strings.TrimSuffix(name, pendingSuffix)
	if !strings.HasSuffix(name, ".json") {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimSuffix(name, ".json"), 10, 64)
	return id, err == nil
}

func readEntry(path string) ([]*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rs []*Result
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, msg.Errorf("manifest entry %s is damaged: %w", path, err)
	}
	return rs, nil
}

// PendingEntries lists the pending entries of the lake's manifest: batches of an ingest that
// failed or was killed before (or just after) its commit. `rebuild` leaves them out.
func PendingEntries(lake string) ([]string, error) {
	out, err := filepath.Glob(filepath.Join(ManifestDir(lake), "*.json"+pendingSuffix))
	sort.Strings(out)
	return out, err
}

// reconcileManifest runs before an ingest writes anything. Every final entry must lie within the
// database's file_ids (else LakeAheadError). A pending entry whose files the database holds
// (the same file_ids and contents) was committed by a run that died before renaming it: it is
// renamed. Any other pending entry was never committed: it is removed, with its lake files that
// no final entry names (a re-run writes them again).
func reconcileManifest(ctx context.Context, d *sql.DB, lake string) error {
	// (asked first: Windows reads a path through a file as not existing, not as "not a directory")
	if st, serr := os.Stat(lake); serr == nil && !st.IsDir() {
		return msg.Errorf("the lake %s is a file: --lake names a folder (default: lake/ beside the database)", lake)
	}
	dir := ManifestDir(lake)
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the manifest %s: %w", dir, err)
	}
	var last int64
	if err := d.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) FROM ingest_files`).Scan(&last); err != nil {
		return fmt.Errorf("reading ingest_files: %w", err)
	}
	var ahead []int64
	var pending []string
	for _, de := range des {
		id, ok := entryID(de.Name())
		switch {
		case !ok:
		case strings.HasSuffix(de.Name(), pendingSuffix):
			pending = append(pending, filepath.Join(dir, de.Name()))
		case id > last:
			ahead = append(ahead, id)
		}
	}
	if len(ahead) > 0 {
		first := slices.Min(ahead)
		return &LakeAheadError{Lake: lake, Entry: manifestPath(lake, first), FirstID: first, LastDB: last, Entries: len(ahead)}
	}
	return settlePending(ctx, d, lake, pending)
}

// SettlePending settles the pending entries of the lake's manifest against the database d as
// the next ingest would (see reconcileManifest): `rebuild` does it first when the current
// database still opens, so that a batch committed just before a crash is not left out.
func SettlePending(ctx context.Context, d *sql.DB, lake string) error {
	pending, err := PendingEntries(lake)
	if err != nil {
		return err
	}
	return settlePending(ctx, d, lake, pending)
}

func settlePending(ctx context.Context, d *sql.DB, lake string, pending []string) error {
	var named map[string]bool // the lake files final entries name: read once, when first needed
	for _, p := range pending {
		rs, err := readEntry(p)
		if err != nil || len(rs) == 0 {
			// a pending entry cut short while being written never reached a commit (the
			// transaction reads it whole): nothing to keep, and no lake file to tell apart
			os.Remove(p)
			continue
		}
		committed, err := holdsBatch(ctx, d, rs)
		if err != nil {
			return err
		}
		if committed {
			if err := os.Rename(p, manifestPath(lake, rs[0].FileID)); err != nil {
				return fmt.Errorf("finishing the manifest entry %s: %w", p, err)
			}
			continue
		}
		if named == nil {
			files, err := readManifest(lake)
			if err != nil {
				return err
			}
			named = map[string]bool{}
			for _, mf := range files {
				for _, r := range mf.results {
					for _, f := range r.LakeFiles {
						named[f] = true
					}
				}
			}
		}
		removeLakeFiles(lake, rs, named)
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("removing the manifest entry %s of a batch that was never committed: %w", p, err)
		}
	}
	return nil
}

// removeLakeFiles removes the lake files of results, but those keep names.
func removeLakeFiles(lake string, rs []*Result, keep map[string]bool) {
	for _, r := range rs {
		for _, f := range r.LakeFiles {
			if !keep[f] {
				os.Remove(filepath.Join(lake, filepath.FromSlash(f)))
			}
		}
	}
}

// holdsBatch: ingest_files has every result of the batch under its file_id, with its content.
func holdsBatch(ctx context.Context, d *sql.DB, rs []*Result) (bool, error) {
	rows, err := d.QueryContext(ctx, `SELECT file_id, sha256 FROM ingest_files WHERE file_id BETWEEN ? AND ?`,
		rs[0].FileID, rs[len(rs)-1].FileID)
	if err != nil {
		return false, fmt.Errorf("reading ingest_files: %w", err)
	}
	defer rows.Close()
	have := map[int64]string{}
	for rows.Next() {
		var id int64
		var sha string
		if err := rows.Scan(&id, &sha); err != nil {
			return false, err
		}
		have[id] = sha
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, r := range rs {
		if sha, ok := have[r.FileID]; !ok || sha != r.SHA256 {
			return false, nil
		}
	}
	return true, nil
}

// dropPending undoes a batch whose load failed before its commit: its pending entry and the lake
// files it wrote (no committed batch names them: a file already loaded is a duplicate and writes
// none).
func dropPending(lake, pending string, batch []*Result) {
	removeLakeFiles(lake, batch, nil)
	if pending != "" { // ("": the load failed before the entry was written)
		os.Remove(pending)
	}
}

// ManifestCoverage lists the ranges of file_ids (from, to) that no final entry holds below the
// largest one, and that largest file_id (0: none): files whose entries and lake files were
// deleted, or written to another lake (--lake), are missing from a rebuild from this manifest.
func ManifestCoverage(lake string) (gaps [][2]int64, last int64, err error) {
	files, err := readManifest(lake)
	if err != nil {
		return nil, 0, err
	}
	next := int64(1)
	for _, mf := range files {
		for _, r := range mf.results {
			if r.FileID > next {
				gaps = append(gaps, [2]int64{next, r.FileID - 1})
			}
			next = max(next, r.FileID+1)
		}
	}
	return gaps, next - 1, nil
}
