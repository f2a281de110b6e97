package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aftersales/aftersales/internal/db"
)

// ManifestDir is the folder of the lake that holds one JSON entry per ingested file: the
// ingest_files row with its rejects and lake files. The lake plus these entries is the truth
// from which `aftersales rebuild` recreates the database.
func ManifestDir(lake string) string { return filepath.Join(lake, "_manifest") }

// record writes the manifest entry and, in one transaction, the raw rows, the ingest_files
// row and the rejects. The manifest entry is written before the commit: if the process dies
// between the two, the entry names a file_id the database never committed, and the next
// ingest (which takes the same file_id) overwrites it.
func (in *Ingester) record(ctx context.Context, res *Result) error {
	tx, err := in.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting a transaction: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) + 1 FROM ingest_files`).Scan(&res.FileID); err != nil {
		return fmt.Errorf("reading ingest_files: %w", err)
	}
	if err := writeManifest(in.Opts.Lake, res); err != nil {
		return fmt.Errorf("writing the manifest entry: %w", err)
	}
	if err := apply(ctx, tx, in.Opts.Lake, res); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing %s: %w", res.Path, err)
	}
	return nil
}

func writeManifest(lake string, res *Result) error {
	dir := ManifestDir(lake)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	final := filepath.Join(dir, fmt.Sprintf("%08d.json", res.FileID))
	f, err := os.CreateTemp(dir, ".entry.*.tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	f.Close()
	return os.Rename(f.Name(), final)
}

// readManifest lists the entries in file_id order.
func readManifest(lake string) ([]*Result, error) {
	names, err := filepath.Glob(filepath.Join(ManifestDir(lake), "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Result
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("manifest entry %s is damaged: %w", n, err)
		}
		out = append(out, &r)
	}
	return out, nil
}

// apply makes a result current inside tx: raw rows upserted by natural key (the latest row
// of a key within the file wins), the ingest_files row and the rejects.
func apply(ctx context.Context, tx *sql.Tx, lake string, res *Result) error {
	if res.Status == StatusLoaded && len(res.LakeFiles) > 0 {
		k, err := KindByName(res.Kind)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, upsertSQL(k, lake, res.LakeFiles), res.FileID); err != nil {
			return fmt.Errorf("loading %s into raw_%s: %w", res.Path, k.Name, err)
		}
	}
	lakeFiles := "[" + strings.Join(quoteAll(res.LakeFiles), ",") + "]::VARCHAR[]"
	_, err := tx.ExecContext(ctx, `INSERT INTO ingest_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+lakeFiles+`)`,
		res.FileID, res.Path, res.SHA256, nullStr(res.Kind), nullStr(res.Store), res.Status,
		res.Read, res.Loaded, res.Rejected, res.Skipped, nullStr(res.Message), res.IngestedAt,
		nullStr(res.Format), nullStr(res.Encoding), nullStr(res.Sheet))
	if err != nil {
		return fmt.Errorf("recording %s in ingest_files: %w", res.Path, err)
	}
	const batch = 200
	for i := 0; i < len(res.Rejects); i += batch {
		j := min(i+batch, len(res.Rejects))
		var sb strings.Builder
		args := make([]any, 0, (j-i)*7)
		sb.WriteString("INSERT INTO ingest_rejects VALUES ")
		for n, r := range res.Rejects[i:j] {
			if n > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, res.FileID, res.Path, nullStr(r.Sheet), r.Row, nullStr(r.Column), r.Raw, r.Reason)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("recording the rejects of %s: %w", res.Path, err)
		}
	}
	return nil
}

// upsertSQL reads the lake files of one source and replaces the rows of the same natural keys.
// Timestamps are read back as wall-clock values: Arrow writes them with isAdjustedToUTC and
// the session time zone is UTC (internal/db), so the cast keeps the written clock reading.
func upsertSQL(k *Kind, lake string, files []string) string {
	var cols, sel []string
	for _, c := range k.Columns {
		cols = append(cols, c.Name)
		if c.Type == Timestamp {
			sel = append(sel, fmt.Sprintf("CAST(%s AS TIMESTAMP)", c.Name))
		} else {
			sel = append(sel, c.Name)
		}
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, db.Quote(filepath.Join(lake, filepath.FromSlash(f))))
	}
	return fmt.Sprintf(`INSERT OR REPLACE INTO raw_%s (%s, file_id, row_number)
SELECT %s, ?::BIGINT, row_number FROM read_parquet([%s])
QUALIFY row_number() OVER (PARTITION BY %s ORDER BY row_number DESC) = 1`,
		k.Name, strings.Join(cols, ", "), strings.Join(sel, ", "), strings.Join(paths, ", "), strings.Join(k.Key, ", "))
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = db.Quote(x)
	}
	return out
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Rebuild recreates the manifest and raw tables of an empty database from the lake,
// replaying the manifest entries in file_id order.
func Rebuild(ctx context.Context, d *sql.DB, lake string, progress func(done, total int)) (int, error) {
	if err := EnsureSchema(ctx, d); err != nil {
		return 0, err
	}
	entries, err := readManifest(lake)
	if err != nil {
		return 0, err
	}
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for i, e := range entries {
		for _, f := range e.LakeFiles {
			if _, err := os.Stat(filepath.Join(lake, filepath.FromSlash(f))); err != nil {
				return 0, fmt.Errorf("manifest entry %d (%s) names lake file %s, which is missing: %w", e.FileID, e.Path, f, err)
			}
		}
		if err := apply(ctx, tx, lake, e); err != nil {
			return 0, err
		}
		if progress != nil {
			progress(i+1, len(entries))
		}
	}
	return len(entries), tx.Commit()
}
