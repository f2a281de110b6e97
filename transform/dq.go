package transform

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"
)

// dq_unmatched holds the raw rows behind the data-quality findings that compare rows with their
// references: job lines, callbacks and parts movements whose order is unknown, movements whose
// part is not in the catalogue, job lines whose technician is not on file, and work orders whose
// VIN fails the check digit. mart_data_quality counts them per store.
//
// It is kept up to date from the rows loaded since the last run (file_id above that run's
// high-water mark), so that an incremental run does not read the keys of all history again
// (≈ 1.2 s of a month's 5–7 s at scale S). That is exact because orders, catalogue parts and
// technicians are never deleted, only replaced by a re-export under the same key: a row matched
// at the last run stays matched unless it is itself replaced, and a replaced row is a row loaded
// since. So, per finding:
//  1. a stored row whose key was loaded again since is forgotten (its new version is checked in 3);
//  2. a stored row whose missing reference was loaded since is forgotten;
//  3. the rows loaded since are checked against every reference.
//
// A full run starts from an empty table with a high-water mark of −1: step 3 alone, over every row.
// (ANTI and SEMI JOIN are DuckDB's spellings of NOT EXISTS and EXISTS.)
// TestIncrementalEqualsFull compares the table and the mart with a full rebuild's after job lines
// and callbacks that arrive before their orders, re-exports and a new catalogue.
const dqUnmatchedDDL = `CREATE TABLE IF NOT EXISTS dq_unmatched (
  finding VARCHAR NOT NULL,  -- orphan_jobs | orphan_callbacks | orphan_movements | unknown_parts | unknown_techs | vin_check_digit
  store_id VARCHAR NOT NULL,
  row_key VARCHAR NOT NULL,  -- the row's natural key less store_id (order_no/line_no for a job line)
  file_id BIGINT NOT NULL,   -- the file that loaded the row
  value VARCHAR NOT NULL     -- what is missing or wrong: the order, part, technician or VIN
)`

// dqChecks: per finding, the raw rows it examines, their key (k1, or k1/k2), the value it reports
// and the reference that value must find (none for the VIN, checked on its own).
var dqChecks = []struct {
	finding, kind, k1, k2, value, where, target string
}{
	{"orphan_jobs", "order_jobs", "order_no", "line_no", "order_no", "", "raw_work_orders"},
	{"unknown_techs", "order_jobs", "order_no", "line_no", "tech_id", "", "raw_technicians"},
	{"orphan_callbacks", "callbacks", "callback_id", "", "order_no", "", "raw_work_orders"},
	{"orphan_movements", "parts_movements", "movement_id", "", "order_no", " AND r.order_no IS NOT NULL", "raw_work_orders"},
	{"unknown_parts", "parts_movements", "movement_id", "", "part_no", "", "raw_parts"},
	{"vin_check_digit", "work_orders", "order_no", "", "vin", "", ""},
}

// findingRows projects new rows (finding, store_id, k1, k2, file_id, value) to dq_unmatched's
// columns. The row key is built here, over the rows a check found, not over every row it
// examined (2.45 M job lines in a full run at S, of which 27 k orphans).
const findingRows = `n.finding, n.store_id, CASE WHEN n.k2 IS NULL THEN n.k1 ELSE n.k1 || '/' || n.k2 END AS row_key, n.file_id, n.value`

// vinCheckFailing selects the distinct (store_id, vin) of the work orders loaded since the last run ({hw}: its
// high-water mark) whose position 9 is not the
// ISO 3779 check digit. Letters take their transliteration values (A=1 … H=8, J=1 … R=9, S=2 … Z=9;
// ingest rejects I, O, Q and any VIN not of 17 characters), positions their weights
// 8 7 6 5 4 3 2 10 · 9 8 7 6 5 4 3 2. The transliterated positions 1–8 and 10–17 are read as two
// 8-digit integers and their digits taken arithmetically (16 substrings were 1.7× slower, a lambda
// over the positions 4×), after the DISTINCT (translating first made it 3× slower). Tested
// against parse.VINCheckDigit (TestVINCheckDigitMatchesGo).
const vinCheckFailing = `
    SELECT store_id, vin FROM (
        SELECT store_id, vin,
            (8 * (a // 10000000) + 7 * (a // 1000000 % 10) + 6 * (a // 100000 % 10) + 5 * (a // 10000 % 10)
             + 4 * (a // 1000 % 10) + 3 * (a // 100 % 10) + 2 * (a // 10 % 10) + 10 * (a % 10)
             + 9 * (b // 10000000) + 8 * (b // 1000000 % 10) + 7 * (b // 100000 % 10) + 6 * (b // 10000 % 10)
             + 5 * (b // 1000 % 10) + 4 * (b // 100 % 10) + 3 * (b // 10 % 10) + 2 * (b % 10)) % 11 AS r
        FROM (SELECT store_id, vin, cast(d[1:8] AS BIGINT) AS a, cast(d[10:17] AS BIGINT) AS b
              FROM (SELECT store_id, vin, translate(vin, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '12345678012345070923456789') AS d
                    FROM (SELECT DISTINCT store_id, vin FROM raw_work_orders WHERE file_id > {hw} AND {range}))))
    WHERE substr(vin, 9, 1) <> CASE WHEN r = 10 THEN 'X' ELSE cast(r AS VARCHAR) END`

func init() {
	RegisterStep(Step{Order: "049_dq_unmatched", Name: "dq_unmatched", Run: runDQUnmatched, AllRows: true,
		Tests: []string{"unique(finding, store_id, row_key)"}})
}

func runDQUnmatched(ctx context.Context, tx *sql.Tx, _ *Config, incremental bool) error {
	var hw int64
	if err := tx.QueryRowContext(ctx, `SELECT hw FROM tf_run`).Scan(&hw); err != nil {
		return fmt.Errorf("reading the run's high-water mark: %w", err)
	}
	stmts := []string{dqUnmatchedDDL}
	// the store ranges a full run checks one at a time (one range of every store otherwise)
	ranges, err := readStoreRanges(ctx, tx)
	if err != nil {
		return err
	}
	if incremental || len(ranges) == 0 {
		ranges = []storeRange{{}}
	}
	if !incremental {
		stmts = append(stmts, `DELETE FROM dq_unmatched`)
	}
	// the findings grouped by the raw table they examine (step 1) and by the reference they
	// must find (steps 2 and 3: one anti join for the three order checks)
	type ref struct{ table, col string }
	var kinds []string
	var refs []ref
	byKind, keyOf := map[string][]string{}, map[string]string{}
	byRef := map[ref][]string{}
	newRows := map[string]string{}
	for _, c := range dqChecks {
		k2 := "NULL"
		if c.k2 != "" {
			k2 = "r." + c.k2
		}
		newRows[c.finding] = fmt.Sprintf(`SELECT '%s' AS finding, r.store_id, r.%s AS k1, %s AS k2, r.file_id, r.%s AS value FROM raw_%s r WHERE r.file_id > %d%s`,
			c.finding, c.k1, k2, c.value, c.kind, hw, c.where)
		if _, ok := byKind[c.kind]; !ok {
			kinds = append(kinds, c.kind)
		}
		byKind[c.kind] = append(byKind[c.kind], c.finding)
		keyOf[c.kind] = "r." + c.k1 // the findings of one kind share its key
		if c.k2 != "" {
			keyOf[c.kind] = "r." + c.k1 + " || '/' || r." + c.k2
		}
		if c.target != "" {
			r := ref{c.target, c.value}
			if _, ok := byRef[r]; !ok {
				refs = append(refs, r)
			}
			byRef[r] = append(byRef[r], c.finding)
		}
	}
	in := func(findings []string) string { return "'" + strings.Join(findings, "', '") + "'" }
	if incremental {
		for _, k := range kinds {
			// 1. rows loaded again since: the stored finding is about their old version
			stmts = append(stmts, fmt.Sprintf(`DELETE FROM dq_unmatched d USING (SELECT store_id, %s AS row_key FROM raw_%s r WHERE r.file_id > %d) n
				WHERE d.finding IN (%s) AND d.store_id = n.store_id AND d.row_key = n.row_key`, keyOf[k], k, hw, in(byKind[k])))
		}
		for _, r := range refs {
			// 2. references loaded since: the stored rows they resolve are forgotten
			stmts = append(stmts, fmt.Sprintf(`DELETE FROM dq_unmatched d USING (SELECT DISTINCT store_id, %[1]s FROM %[2]s WHERE file_id > %[3]d) t
				WHERE d.finding IN (%[4]s) AND d.store_id = t.store_id AND d.value = t.%[1]s`, r.col, r.table, hw, in(byRef[r])))
		}
	}
	// 3. the rows loaded since that find no reference, and those whose VIN fails its check digit
	for _, r := range refs {
		var src []string
		for _, f := range byRef[r] {
			src = append(src, newRows[f])
		}
		if incremental {
			// The month's new rows are many (at L 3.3 M job lines, callbacks and movements) and
			// name few values the reference does not hold. So: the distinct values they name
			// (store, value), less those of the reference's new rows (a pruned scan: most new rows
			// name new orders), less those of its older rows (the only full scan, its hash table
			// built on the few values left), are the missing values; the findings are the new rows
			// naming one. The same rows as an anti join of the new rows with the whole reference:
			// a value is held by the new or by the older rows, or by none (the values are required
			// columns, never NULL). The bench's month, traced, alternating: at L the orders' check
			// 3.4–3.7 → 1.06–1.12 s (the whole step 5.1–5.3 → 2.3–2.5 s), at S 0.14–0.27 →
			// 0.06–0.10 s. (Before, the new rows were materialized and anti-joined with the
			// reference rows their values found, a semi join that built on every distinct value.)
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO dq_unmatched WITH n AS (%[1]s),
			missing AS MATERIALIZED (
				SELECT k.* FROM (SELECT DISTINCT store_id, value FROM n) k
				ANTI JOIN (SELECT store_id, %[3]s FROM %[2]s WHERE file_id > %[4]d) t ON t.store_id = k.store_id AND t.%[3]s = k.value
				ANTI JOIN (SELECT store_id, %[3]s FROM %[2]s WHERE file_id <= %[4]d) o ON o.store_id = k.store_id AND o.%[3]s = k.value)
			SELECT `+findingRows+` FROM n SEMI JOIN missing m ON m.store_id = n.store_id AND m.value = n.value`,
				strings.Join(src, "\n\t\t\tUNION ALL "), r.table, r.col, hw))
			continue
		}
		// A full run over several store ranges (planStoreRanges: scale L) checks one range at a
		// time, the rows and the reference filtered on the range's store ids: the anti join's
		// hash table then holds one range's orders (at L 12.7 s for all 17 M orders in a traced
		// run, 4–5 s in ten ranges)
		for _, g := range ranges {
			var in []string
			for _, q := range src {
				in = append(in, q+" AND "+g.pred("r.store_id"))
			}
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO dq_unmatched SELECT `+findingRows+` FROM (%s) n
			ANTI JOIN (SELECT * FROM %s WHERE %s) t ON t.store_id = n.store_id AND t.%s = n.value`,
				strings.Join(in, "\n\t\t\tUNION ALL "), r.table, g.pred("store_id"), r.col))
		}
	}
	// (the failing VINs from the raw rows, then their rows: with the rows as one CTE read twice,
	// DuckDB materialized all of them, 0.61 → 0.50 s at S in a full run)
	for _, g := range ranges {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO dq_unmatched WITH failing AS (%s)
		SELECT `+findingRows+` FROM (%s) n SEMI JOIN failing f ON f.store_id = n.store_id AND f.vin = n.value`,
			strings.NewReplacer("{hw}", fmt.Sprint(hw), "{range}", g.pred("store_id")).Replace(vinCheckFailing),
			newRows["vin_check_digit"]+" AND "+g.pred("r.store_id")))
	}
	trace := os.Getenv("AFTERSALES_TRACE") != ""
	for _, st := range stmts {
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("%w\n%s", err, st)
		}
		if trace && time.Since(t0) > 20*time.Millisecond {
			fmt.Fprintf(os.Stderr, "trace %.70s: %v\n", strings.Join(strings.Fields(st), " "), time.Since(t0))
		}
	}
	return nil
}
