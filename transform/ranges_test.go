package transform

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/gen"
)

// TestFullRunByStoreRanges: a full run that computes its `by store ranges in full runs` models
// and data-quality checks one range of stores at a time writes exactly the tables of a full run
// over all stores at once — on dirty data with findings of every kind in several stores so that a range that lost or repeated a store's rows shows.
func TestFullRunByStoreRanges(t *testing.T) {
	d, now := ingestGenerated(t, gen.Options{Stores: 5, Months: 4, Seed: 5, MinOrders: 40, MaxOrders: 70, Parts: 30, Dirty: true})
	// the generator's VINs pass their check digit and its parts and technicians are all on
	// file: some of each made wrong here, in every store
	for _, q := range []string{
		`UPDATE raw_work_orders SET vin = left(vin, 8) || CASE WHEN substr(vin, 9, 1) = '0' THEN '1' ELSE '0' END || right(vin, 8) WHERE hash(order_no) % 13 = 0`,
		`UPDATE raw_parts_movements SET part_no = 'NOT-ON-FILE-' || (hash(movement_id) % 3) WHERE hash(movement_id) % 17 = 0`,
		`UPDATE raw_order_jobs SET tech_id = 'T-GONE' WHERE hash(order_no, line_no) % 19 = 0`,
	} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	run := func(per int) (*Result, map[string]string) {
		t.Helper()
		res, err := (&Runner{DB: d, Config: DefaultConfig(), Full: true, Now: now, OrdersPerRange: per}).Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return res, dumpTables(t, d)
	}
	whole, want := run(0)
	if whole.Ranges != 0 {
		t.Fatalf("the default run took %d ranges of stores, want all at once", whole.Ranges)
	}
	t.Log(queryRows(t, d, `SELECT finding, count(*), count(DISTINCT store_id) FROM dq_unmatched GROUP BY ALL ORDER BY ALL`))
	// every finding the ranges must find alike is there
	for _, c := range []string{"orphan_jobs", "orphan_callbacks", "orphan_movements", "unknown_parts", "unknown_techs", "vin_check_digit"} {
		var n int
		if err := d.QueryRow(`SELECT count(DISTINCT store_id) FROM dq_unmatched WHERE finding = ?`, c).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 2 {
			t.Fatalf("the data should hold %s findings in several stores (%d)", c, n)
		}
	}
	for _, per := range []int{1, 300} {
		res, got := run(per)
		if res.Ranges < 2 {
			t.Fatalf("OrdersPerRange %d: %d ranges, want several", per, res.Ranges)
		}
		for _, tb := range persisted {
			if got[tb] != want[tb] {
				t.Errorf("OrdersPerRange %d (%d ranges): %s differs from the run over all stores: %s", per, res.Ranges, tb, firstDiff(want[tb], got[tb]))
			}
		}
		if res.Tests != whole.Tests {
			t.Errorf("OrdersPerRange %d: %d data tests counted, %d over all stores", per, res.Tests, whole.Tests)
		}
	}
	// the raw tables' key tests still find a repeated key (in the last store)
	if _, err := d.Exec(`INSERT INTO raw_callbacks SELECT * FROM raw_callbacks WHERE store_id = (SELECT max(store_id) FROM raw_callbacks) LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	_, err := (&Runner{DB: d, Config: DefaultConfig(), Full: true, Now: now, OrdersPerRange: 1}).Run(t.Context())
	var tf *TestFailure
	if !errors.As(err, &tf) || tf.Test.Model != "raw_callbacks" || tf.Count != 1 {
		t.Errorf("a repeated callback key over store ranges: %v, want raw_callbacks' unique test failing on 1 key", err)
	}
}

// ingestDB is a new in-memory database with the ingest schema and no rows, closed when the test
// ends (internal/testenv.Empty, which this package's tests cannot import: testenv imports it).
func ingestDB(t *testing.T) *sql.DB {
	t.Helper()
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := ingest.EnsureSchema(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// ingestGenerated generates the data opts asks for (into a temporary folder), ingests all of it
// into a new in-memory database and returns that database and the clock the ingest used.
func ingestGenerated(t *testing.T, opts gen.Options) (*sql.DB, func() time.Time) {
	t.Helper()
	dir := t.TempDir()
	opts.Out = filepath.Join(dir, "in")
	if _, err := gen.Run(opts); err != nil {
		t.Fatal(err)
	}
	d := ingestDB(t)
	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	files, _ := filepath.Glob(filepath.Join(opts.Out, "*", "*"))
	files = append(files, filepath.Join(opts.Out, "stores.xlsx"))
	ing := &ingest.Ingester{DB: d, Opts: ingest.Options{Lake: filepath.Join(dir, "lake"), Now: now}}
	if err := ing.Files(t.Context(), files, func(string, *ingest.Result) {}); err != nil {
		t.Fatal(err)
	}
	return d, now
}

// TestStoreRangesCoverEveryStore: the ranges planned from the work orders' stores cover every
// store id exactly once, also ids of stores without work orders before, between and after them.
func TestStoreRangesCoverEveryStore(t *testing.T) {
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`CREATE TABLE raw_work_orders AS SELECT store_id FROM (VALUES ('S002'), ('S002'), ('S004'), ('S006'), ('S006'), ('S006'), ('S008'), ('O''K')) v(store_id)`); err != nil {
		t.Fatal(err)
	}
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, tc := range []struct {
		per  int
		want int
	}{{100, 0}, {4, 2}, {3, 4}, {2, 5}, {1, 5}} {
		ranges, err := planStoreRanges(t.Context(), tx, true, tc.per)
		if err != nil {
			t.Fatal(err)
		}
		if len(ranges) != tc.want {
			t.Fatalf("%d orders per range: %d ranges %v, want %d", tc.per, len(ranges), ranges, tc.want)
		}
		if len(ranges) == 0 {
			continue
		}
		stored, err := readStoreRanges(t.Context(), tx)
		if err != nil || fmt.Sprint(stored) != fmt.Sprint(ranges) {
			t.Fatalf("tf_store_ranges %v (%v), planned %v", stored, err, ranges)
		}
		var sum []string
		for _, g := range ranges {
			sum = append(sum, fmt.Sprintf("(%s)::INTEGER", g.pred("s")))
		}
		for _, s := range []string{"", "A", "O'K", "S001", "S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009", "Z"} {
			var n int
			if err := tx.QueryRow(`SELECT `+strings.Join(sum, " + ")+` FROM (SELECT ? AS s)`, s).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%d orders per range: store %q in %d ranges (%v)", tc.per, s, n, ranges)
			}
		}
	}
	if ranges, err := planStoreRanges(t.Context(), tx, false, 1); err != nil || ranges != nil {
		t.Errorf("an incremental run: ranges %v (%v), want none", ranges, err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM tf_store_ranges`).Scan(&n); err != nil || n != 0 {
		t.Errorf("an incremental run left %d store ranges (%v)", n, err)
	}
}

// TestDataQualityOfIngest: the findings read from ingest_files — rows rejected at ingest (warn,
// their number per store) and files loaded with a note (info, their number, the latest as the
// example) — for the stores whose files they are.
func TestDataQualityOfIngest(t *testing.T) {
	d, now := ingestGenerated(t, gen.Options{Stores: 2, Months: 2, Seed: 5, MinOrders: 40, MaxOrders: 60, Parts: 20, Dirty: true})
	dir := t.TempDir()
	noted := filepath.Join(dir, "S002 工单.csv")
	os.WriteFile(noted, []byte("门店编号,工单号,VIN,维修类别,进厂时间,工单状态,备注\nS002,N1,LSVAA4180E2123456,机修,2026-09-01 08:00,在修,x\nS002,N1,LSVAA4180E2123456,机修,2026-09-01 08:00,在修,y\n"), 0o644)
	ing := &ingest.Ingester{DB: d, Opts: ingest.Options{Lake: filepath.Join(dir, "lake"), Now: now}}
	if _, err := ing.File(t.Context(), noted); err != nil {
		t.Fatal(err)
	}
	if _, err := (&Runner{DB: d, Config: DefaultConfig()}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range queryRows(t, d, `SELECT store_id, sum(rows_rejected)::VARCHAR FROM ingest_files WHERE rows_rejected > 0 GROUP BY ALL ORDER BY 1`) {
		want = append(want, strings.Join(r, "|")+"|rejected_rows|warn")
	}
	if len(want) == 0 {
		t.Fatal("the generator's dirty data has no rejected rows")
	}
	want = append(want, "S002|1|file_notes|info")
	sort.Strings(want)
	var got []string
	for _, r := range queryRows(t, d, `SELECT store_id, count::VARCHAR, "check", severity FROM mart_data_quality WHERE "check" IN ('rejected_rows', 'file_notes') ORDER BY ALL`) {
		got = append(got, strings.Join(r, "|"))
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ex := queryRows(t, d, `SELECT example FROM mart_data_quality WHERE "check" = 'file_notes'`)
	if len(ex) != 1 || !strings.Contains(ex[0][0], "S002 工单.csv: ") || !strings.Contains(ex[0][0], "Columns not read: \"备注\"") ||
		!strings.HasSuffix(ex[0][0], "…") || strings.Contains(ex[0][0], "\n") {
		t.Errorf("file_notes example: %q", ex)
	}
}
