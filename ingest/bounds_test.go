package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestKeyBounds: a later call's DELETE of replaced keys is skipped exactly when every row of the
// batch lies above its store's stored bound (or its store has no rows); keys at or under the
// bound — re-exports, or new keys numbered lower — run it; a database whose bounds are missing
// gets them from its tables; and a rebuild records the same bounds. Each step fails if the skip
// rule is loosened (a re-exported key would be loaded twice) or tightened (a skip not counted).
func TestKeyBounds(t *testing.T) {
	var skipped []string
	testHookDeleteSkipped = func(kind string) { skipped = append(skipped, kind) }
	defer func() { testHookDeleteSkipped = nil }()
	e := newEnv(t)
	dir := t.TempDir()
	n := 0
	load := func(body string) {
		t.Helper()
		n++
		p := filepath.Join(dir, "wo"+string(rune('a'+n))+".csv")
		if err := os.WriteFile(p, []byte("store_id,order_no,vin,order_type,opened_at,status,labor_amount\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		skipped = nil
		if r := e.ingest(p, Options{}); r.Status != StatusLoaded {
			t.Fatalf("%s: %+v", p, r)
		}
	}
	const vin = "LSVAA4180E2123456"
	rows := `SELECT store_id || ' ' || order_no || ' ' || labor_amount::VARCHAR FROM raw_work_orders ORDER BY ALL`
	bounds := `SELECT kind || ' ' || store_id || ' ' || max(bound) FROM raw_key_bounds GROUP BY kind, store_id ORDER BY ALL`

	load("S1,K10," + vin + ",repair,2026-03-01 08:00,open,1\nS1,K20," + vin + ",repair,2026-03-02 08:00,open,2\nS2,K15," + vin + ",repair,2026-03-01 08:00,open,3\n")
	expectRows(t, "bounds after the first load", e.rows(bounds), []string{"work_orders S1 K20", "work_orders S2 K15"})

	// S1's keys above K20: skipped; a new store: skipped
	load("S1,K30," + vin + ",repair,2026-04-01 08:00,open,4\nS3,A1," + vin + ",repair,2026-04-01 08:00,open,5\n")
	expectRows(t, "skipped above the bounds", skipped, []string{"work_orders"})
	// S2's new key K05 lies under its bound K15: the DELETE runs (and finds nothing)
	load("S1,K40," + vin + ",repair,2026-04-02 08:00,open,6\nS2,K05," + vin + ",repair,2026-04-02 08:00,open,7\n")
	expectRows(t, "not skipped under a bound", skipped, nil)
	// a re-export of S1's K20 and K30 with new amounts: replaced, not added
	load("S1,K20," + vin + ",repair,2026-03-02 08:00,open,22\nS1,K30," + vin + ",repair,2026-04-01 08:00,open,33\n")
	expectRows(t, "not skipped for a re-export", skipped, nil)
	// a re-export of the bound itself (S1's K40): not above it
	load("S1,K40," + vin + ",repair,2026-04-02 08:00,open,44\n")
	expectRows(t, "not skipped for the bound's own key", skipped, nil)
	expectRows(t, "rows", e.rows(rows), []string{"S1 K10 1.00", "S1 K20 22.00", "S1 K30 33.00", "S1 K40 44.00", "S2 K05 7.00", "S2 K15 3.00", "S3 A1 5.00"})
	expectRows(t, "bounds", e.rows(bounds), []string{"work_orders S1 K40", "work_orders S2 K15", "work_orders S3 A1"})

	// a database loaded before raw_key_bounds existed: its bounds come from the tables, so a
	// re-export of K30 still replaces the stored row
	if _, err := e.db.Exec(`DELETE FROM raw_key_bounds`); err != nil {
		t.Fatal(err)
	}
	load("S1,K30," + vin + ",repair,2026-04-01 08:00,open,34\n")
	expectRows(t, "not skipped after the bounds were read from the table", skipped, nil)
	expectRows(t, "K30 once", e.rows(`SELECT labor_amount::VARCHAR FROM raw_work_orders WHERE order_no = 'K30'`), []string{"34.00"})
	expectRows(t, "bounds from the table", e.rows(bounds), []string{"work_orders S1 K40", "work_orders S2 K15", "work_orders S3 A1"})

	// a rebuild from the lake records the same bounds
	e2 := e.rebuilt()
	expectRows(t, "bounds after a rebuild", e2.rows(bounds), e.rows(bounds))
	expectRows(t, "rows after a rebuild", e2.rows(rows), e.rows(rows))
}
