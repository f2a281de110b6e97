package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/internal/db"
)

// Key bounds: a batch that adds a month to a database holding the others would scan every key
// of each raw table in its DELETE of replaced keys (≈ 0.5 s of a month's 2 s ingest at scale S),
// though DMS numbers its orders, callbacks and movements upwards and a new month's keys are
// above all stored ones. raw_key_bounds keeps, per kind and store, an upper bound of the stored
// rows' first key column after store_id (Kind.boundCol): a row per store and loading batch,
// the bound being their maximum. A batch whose every row lies above its store's bound cannot
// share a key with a stored row, so its DELETE is skipped; any other batch runs it as before,
// whatever order the DMS numbers in. Text compares byte by byte both here (Go) and in DuckDB.
//
// The invariant: every store with rows in raw_<kind> has a bound at least as large as each of
// its rows' values. The ingest keeps it in the transaction that inserts the rows; deleting rows
// never breaks it; a database whose raw tables were loaded before this table existed gets its
// bounds from the tables once (loadKeyBounds); `rebuild` records them from the lake files.
const keyBoundsDDL = `CREATE TABLE IF NOT EXISTS raw_key_bounds (kind VARCHAR NOT NULL, store_id VARCHAR NOT NULL, bound VARCHAR NOT NULL)`

// keyRange is the smallest and largest bound-column value of one store's rows in a file.
type keyRange struct{ store, lo, hi string }

// noteKey widens the file's range for store by v.
func (r *Result) noteKey(store, v string) {
	for i := range r.keyRanges {
		if kr := &r.keyRanges[len(r.keyRanges)-1-i]; kr.store == store {
			kr.lo, kr.hi = min(kr.lo, v), max(kr.hi, v)
			return
		}
	}
	r.keyRanges = append(r.keyRanges, keyRange{store, v, v})
}

// keyBounds holds raw_key_bounds in memory during an ingest: per kind, store → bound, and the
// bounds of the batch being committed (merged by commit once it has).
type keyBounds struct {
	byKind  map[string]map[string]string
	pending map[string]map[string]string
	unknown map[string]bool // kinds whose bounds this call recorded from the lake: not in memory
}

// loadKeyBounds reads raw_key_bounds, first giving bounds from the table itself to any kind whose
// raw table has rows and no bound yet (a database loaded before raw_key_bounds existed).
func loadKeyBounds(ctx context.Context, d *sql.DB) (*keyBounds, error) {
	for _, k := range Kinds() {
		if k.boundCol < 0 {
			continue
		}
		col := k.Columns[k.boundCol].Name
		_, err := d.ExecContext(ctx, fmt.Sprintf(`INSERT INTO raw_key_bounds
			SELECT '%s', store_id, max(%s) FROM raw_%s
			WHERE NOT EXISTS (SELECT 1 FROM raw_key_bounds WHERE kind = '%s')
			GROUP BY store_id`, k.Name, col, k.Name, k.Name))
		if err != nil {
			return nil, fmt.Errorf("reading the key bounds of raw_%s: %w", k.Name, err)
		}
	}
	b := &keyBounds{byKind: map[string]map[string]string{}, pending: map[string]map[string]string{}, unknown: map[string]bool{}}
	rows, err := d.QueryContext(ctx, `SELECT kind, store_id, max(bound) FROM raw_key_bounds GROUP BY kind, store_id`)
	if err != nil {
		return nil, fmt.Errorf("reading raw_key_bounds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, store, bound string
		if err := rows.Scan(&kind, &store, &bound); err != nil {
			return nil, fmt.Errorf("reading raw_key_bounds: %w", err)
		}
		if b.byKind[kind] == nil {
			b.byKind[kind] = map[string]string{}
		}
		b.byKind[kind][store] = bound
	}
	return b, rows.Err()
}

// above reports whether every row of the results lies above its store's bound (a store without
// one has no rows), so that none can replace a stored row. False when it cannot tell: no bounds
// (a rebuild), a kind without a bound column, a result without key ranges.
func (b *keyBounds) above(k *Kind, results []*Result) bool {
	if b == nil || k.boundCol < 0 || b.unknown[k.Name] || !rangesKnown(results) {
		return false
	}
	have := b.byKind[k.Name]
	for _, r := range results {
		for _, kr := range r.keyRanges {
			if bound, ok := have[kr.store]; ok && kr.lo <= bound {
				return false
			}
		}
	}
	return true
}

// rangesKnown reports whether every result that loaded rows noted its key ranges (a rebuild's,
// read from the manifest, have none).
func rangesKnown(results []*Result) bool {
	for _, r := range results {
		if r.Loaded > 0 && r.keyRanges == nil {
			return false
		}
	}
	return true
}

// recordBounds adds the batch's per-store maxima of k's bound column to raw_key_bounds in tx,
// from the results' key ranges, or from the lake files when a result has none (a rebuild).
func recordBounds(ctx context.Context, tx *sql.Tx, k *Kind, lake string, results []*Result, b *keyBounds) error {
	if k.boundCol < 0 {
		return nil
	}
	if !rangesKnown(results) {
		if b != nil {
			b.unknown[k.Name] = true // not in memory: later batches of this call run their DELETE
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO raw_key_bounds
			SELECT '%s', store_id, max(%s) FROM read_parquet([%s]) GROUP BY store_id`,
			k.Name, k.Columns[k.boundCol].Name, strings.Join(quotedLakePaths(lake, results), ", ")))
		return err
	}
	hi := map[string]string{}
	for _, r := range results {
		for _, kr := range r.keyRanges {
			if cur, ok := hi[kr.store]; !ok || kr.hi > cur {
				hi[kr.store] = kr.hi
			}
		}
	}
	if len(hi) == 0 {
		return nil
	}
	var vals []string
	for store, v := range hi {
		vals = append(vals, fmt.Sprintf("('%s', %s, %s)", k.Name, db.Quote(store), db.Quote(v)))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO raw_key_bounds VALUES `+strings.Join(vals, ", ")); err != nil {
		return err
	}
	if b != nil {
		b.pending[k.Name] = hi
	}
	return nil
}

// commit merges the committed batch's bounds.
func (b *keyBounds) commit() {
	if b == nil {
		return
	}
	for kind, hi := range b.pending {
		if b.unknown[kind] {
			continue
		}
		have := b.byKind[kind]
		if have == nil {
			have = map[string]string{}
			b.byKind[kind] = have
		}
		for store, v := range hi {
			if cur, ok := have[store]; !ok || v > cur {
				have[store] = v
			}
		}
	}
	b.pending = map[string]map[string]string{}
}
