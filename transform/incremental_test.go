package transform

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/gen"
)

// persisted lists every table a transform writes that users read.
var persisted = []string{"mart_store_month", "mart_tech_month", "mart_advisor_month", "mart_payroll", "mart_parts_month",
	"mart_comebacks", "mart_benchmark", "mart_data_quality", "int_parts_store_month", "int_payroll_exceptions",
	"payroll_differences", "payroll_adjustments", "dq_unmatched"}

// dumpTables writes every persisted table sorted, DOUBLE columns to 9 significant digits (an
// incremental run sums a window's rows, so the last bits of a float may differ).
func dumpTables(t *testing.T, d *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range persisted {
		cols := queryRows(t, d, fmt.Sprintf(`SELECT column_name, data_type FROM information_schema.columns
			WHERE table_name = '%s' AND table_schema = 'main' ORDER BY ordinal_position`, tb))
		var sel []string
		for _, c := range cols {
			q := `"` + c[0] + `"`
			if c[1] == "DOUBLE" {
				q = fmt.Sprintf(`CASE WHEN %[1]s = 0 THEN 0 ELSE round(%[1]s, 9 - cast(ceil(log10(abs(%[1]s))) AS INTEGER)) END`, q)
			}
			sel = append(sel, q)
		}
		out[tb] = fmtRows(queryRows(t, d, fmt.Sprintf(`SELECT %s FROM %s ORDER BY ALL`, strings.Join(sel, ", "), tb)))
	}
	return out
}

// TestIncrementalEqualsFull: a database brought up to date by incremental runs after each of
// several ingests (new months, exports that replace rows of earlier months with other dates and
// stores' catalogues, a payroll month closed and reopened) has exactly the marts of a full
// rebuild of the same rows, after every step. Its by-store-group models are computed one store
// at a time, the full rebuild's all at once.
func TestIncrementalEqualsFull(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if _, err := gen.Run(gen.Options{Stores: 3, Months: 8, Seed: 3, Out: in, MinOrders: 60, MaxOrders: 90, Parts: 40, Dirty: true}); err != nil {
		t.Fatal(err)
	}
	// re-exports: another draw of two earlier months for S002, same order numbers, other content
	re := filepath.Join(dir, "re")
	if _, err := gen.Run(gen.Options{Stores: 2, Months: 2, Seed: 9, Out: re, EndMonth: "2026-05", MinOrders: 60, MaxOrders: 90, Parts: 40}); err != nil {
		t.Fatal(err)
	}
	var static []string
	byMonth := map[string][]string{}
	files, _ := filepath.Glob(filepath.Join(in, "*", "*"))
	files = append(files, filepath.Join(in, "stores.xlsx"))
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if i := strings.LastIndexByte(base, '_'); i > 0 && len(base)-i == 8 {
			byMonth[base[i+1:]] = append(byMonth[base[i+1:]], f)
		} else {
			static = append(static, f)
		}
	}
	var months []string
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	if len(months) != 8 {
		t.Fatalf("months %v", months)
	}
	var reFiles []string
	for _, k := range []string{"work_orders", "order_jobs", "callbacks", "parts_movements"} {
		g, _ := filepath.Glob(filepath.Join(re, "S002", k+"_*"))
		reFiles = append(reFiles, g...)
	}
	if len(reFiles) != 8 {
		t.Fatalf("re-export files %v", reFiles)
	}
	reParts := filepath.Join(re, "S001", "parts.csv")

	now := func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	type side struct {
		d    *sql.DB
		ing  *ingest.Ingester
		lake string
		full bool
	}
	open := func(name string, full bool) *side {
		d := ingestDB(t)
		lake := filepath.Join(dir, name, "lake")
		return &side{d: d, lake: lake, full: full, ing: &ingest.Ingester{DB: d, Opts: ingest.Options{Lake: lake, Now: now}}}
	}
	inc, full := open("inc", false), open("full", true)
	step := func(what string, files []string, between func(s *side)) {
		t.Helper()
		for _, s := range []*side{inc, full} {
			if err := s.ing.Files(t.Context(), files, func(string, *ingest.Result) {}); err != nil {
				t.Fatal(err)
			}
			if between != nil {
				between(s)
			}
			// the incremental side computes by-store-group models one store at a time (its first,
			// full run too), the full side all stores at once: the marts must not differ
			per := 0
			if !s.full {
				per = 1
			}
			res, err := (&Runner{DB: s.d, Config: DefaultConfig(), Full: s.full, Now: now, StoreMonthsPerGroup: per}).Run(t.Context())
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if !s.full {
				t.Logf("%s: %s %s, %d store(s) from %s", what, res.Mode, res.Why, res.Stores, res.Since)
				if what != "first months" && res.Mode != "incremental" {
					t.Fatalf("%s: the run was not incremental (%s)", what, res.Why)
				}
			}
		}
		a, b := dumpTables(t, inc.d), dumpTables(t, full.d)
		for _, tb := range persisted {
			if a[tb] != b[tb] {
				t.Fatalf("after %s, %s differs from a full rebuild:\n%s", what, tb, firstDiff(a[tb], b[tb]))
			}
		}
	}
	var first []string
	first = append(first, static...)
	for _, m := range months[:5] {
		first = append(first, byMonth[m]...)
	}
	step("first months", first, nil)
	// month 6's job lines, callbacks and parts movements arrive before their orders: orphans at
	// first, matched by the next step (dq_unmatched forgets them)
	late6, early := splitByName(byMonth[months[5]], "work_orders_")
	step("month 6 without its orders", early, nil)
	if n := queryRows(t, inc.d, `SELECT count(*) FROM dq_unmatched WHERE finding = 'orphan_jobs'`); n[0][0] == "0" {
		t.Error("month 6's job lines before their orders made no orphan: the case does not test matching them later")
	}
	step("month 6's orders", late6, nil)
	step("nothing new", nil, nil)
	// a job line and a complaint callback of a first month's order, arriving alone: the window
	// reaches back to that order's opening (CONTRACT: they count in the order's month)
	o := queryRows(t, inc.d, `SELECT o.order_no, min(j.tech_id) FROM raw_work_orders o JOIN raw_order_jobs j USING (store_id, order_no)
		WHERE o.store_id = 'S003' AND o.status = 'delivered' AND o.order_type <> 'internal' AND strftime(o.opened_at, '%Y-%m') = '`+months[0]+`'
		GROUP BY o.order_no ORDER BY o.order_no LIMIT 1`)
	if len(o) != 1 {
		t.Fatalf("no delivered customer order of S003 in %s", months[0])
	}
	lateJob, lateCall := filepath.Join(dir, "order_jobs_late.csv"), filepath.Join(dir, "callbacks_late.csv")
	for f, text := range map[string]string{
		lateJob: "store_id,order_no,line_no,fault_system,labor_hours,labor_amount,tech_id\n" +
			"S003," + o[0][0] + ",99,engine,2.50,300.00," + o[0][1] + "\n",
		lateCall: "store_id,callback_id,order_no,called_at,reached,score,complaint\n" +
			"S003,CB-LATE-1," + o[0][0] + "," + months[0] + "-28 10:00,Y,1,Y\n",
	} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step("a late job line and callback of a first month's order", []string{lateJob, lateCall}, nil)
	if n := queryRows(t, inc.d, `SELECT (SELECT count(*) FROM raw_order_jobs WHERE line_no = 99) + (SELECT count(*) FROM raw_callbacks WHERE callback_id = 'CB-LATE-1')`); n[0][0] != "2" {
		t.Errorf("the late job line and callback were not both loaded (%s of 2): the case does not test them", n[0][0])
	}
	step("re-exports of earlier months", reFiles, func(s *side) {
		// the replaced rows' old dates are recorded for the transform
		if n := queryRows(t, s.d, `SELECT count(*) FROM transform_dirty WHERE reason LIKE 'replaced rows of %'`); n[0][0] == "0" {
			t.Error("replacing rows recorded nothing in transform_dirty")
		}
	})
	// month 7's orders, job lines and callbacks before its parts movements: the new month of the
	// spine reaches the parts grid (the stock carried into it) although no parts input changed,
	// then its movements alone recompute the parts grid from month 7 only (tf_window_parts)
	moves7, orders7 := splitByName(byMonth[months[6]], "parts_movements_")
	if len(moves7) == 0 || len(orders7) == 0 {
		t.Fatalf("month 7: %d movement files, %d others", len(moves7), len(orders7))
	}
	step("month 7 without its parts movements", orders7, nil)
	if n := queryRows(t, inc.d, `SELECT count(*) FROM mart_parts_month WHERE month = '`+months[6]+`'`); n[0][0] == "0" {
		t.Error("month 7's orders gave the parts grid no month 7: the case does not test the spine's new month")
	}
	step("month 7's parts movements and month 8", append(moves7, byMonth[months[7]]...), nil)
	// A new flagged comeback C opened exactly the comeback window after the delivery of an origin
	// O in an earlier month (O not yet failed, and its latest candidate: no other delivery of the
	// VIN after it): O's month must be recomputed although nothing of that month was loaded
	// (the window reaches back to the earliest delivery of a changed order's candidate origin).
	// And a new job line that makes an existing repair order C2 a suspected comeback of O2, an
	// order delivered in the month before C2's opening.
	cb := queryRows(t, inc.d, `SELECT o.store_id, o.order_no, o.vin, strftime(o.delivered_at + INTERVAL 30 DAY, '%Y-%m-%d %H:%M:%S')
		FROM raw_work_orders o
		WHERE o.status = 'delivered' AND o.order_type NOT IN ('internal') AND day(o.delivered_at) BETWEEN 5 AND 25
		  AND strftime(o.delivered_at, '%Y-%m') = '`+months[6]+`'
		  AND NOT EXISTS (SELECT 1 FROM mart_comebacks c WHERE c.store_id = o.store_id AND c.origin_order_no = o.order_no)
		  AND NOT EXISTS (SELECT 1 FROM raw_work_orders p WHERE p.store_id = o.store_id AND p.vin = o.vin AND p.order_no <> o.order_no
		                  AND p.delivered_at >= o.delivered_at AND p.delivered_at <= o.delivered_at + INTERVAL 31 DAY)
		ORDER BY o.store_id, o.order_no LIMIT 1`)
	if len(cb) != 1 {
		t.Fatalf("no origin for the late comeback in %s", months[6])
	}
	s2 := queryRows(t, inc.d, `SELECT c.store_id, c.order_no, o.order_no, min(j.fault_system), min(j.tech_id)
		FROM raw_work_orders c
		JOIN raw_work_orders o ON o.store_id = c.store_id AND o.vin = c.vin AND o.delivered_at < c.opened_at AND o.delivered_at >= c.opened_at - INTERVAL 30 DAY
		JOIN raw_order_jobs j ON j.store_id = o.store_id AND j.order_no = o.order_no AND j.fault_system NOT IN ('maintenance', 'other')
		WHERE c.order_type = 'repair' AND c.status <> 'cancelled' AND NOT coalesce(c.is_comeback, false) AND o.status = 'delivered' AND o.order_type <> 'internal'
		  AND strftime(o.delivered_at, '%Y-%m') < strftime(c.opened_at, '%Y-%m') AND strftime(c.opened_at, '%Y-%m') = '`+months[7]+`'
		  AND NOT EXISTS (SELECT 1 FROM mart_comebacks m WHERE m.store_id = c.store_id AND m.order_no = c.order_no)
		  AND NOT EXISTS (SELECT 1 FROM mart_comebacks m WHERE m.store_id = o.store_id AND m.origin_order_no = o.order_no)
		  AND NOT EXISTS (SELECT 1 FROM raw_work_orders p WHERE p.store_id = c.store_id AND p.vin = c.vin AND p.order_no NOT IN (o.order_no, c.order_no)
		                  AND p.delivered_at >= o.delivered_at AND p.delivered_at < c.opened_at)
		GROUP BY c.store_id, c.order_no, o.order_no ORDER BY 1, 2, 3 LIMIT 1`)
	if len(s2) != 1 {
		t.Fatalf("no repair order of %s with an origin candidate in the month before", months[7])
	}
	lateCB, lateLine := filepath.Join(dir, "work_orders_comeback.csv"), filepath.Join(dir, "order_jobs_comeback.csv")
	for f, text := range map[string]string{
		lateCB: "store_id,order_no,vin,order_type,opened_at,status,is_comeback\n" +
			cb[0][0] + ",CB-EDGE-1," + cb[0][2] + ",repair," + cb[0][3] + ",open,Y\n",
		lateLine: "store_id,order_no,line_no,fault_system,labor_hours,labor_amount,tech_id\n" +
			s2[0][0] + "," + s2[0][1] + ",98," + s2[0][3] + ",1.00,100.00," + s2[0][4] + "\n",
	} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step("a comeback of an earlier month's delivery, and a job line that makes one", []string{lateCB, lateLine}, nil)
	for _, want := range [][2]string{{"CB-EDGE-1", cb[0][1]}, {s2[0][1], s2[0][2]}} {
		if n := queryRows(t, inc.d, `SELECT count(*) FROM mart_comebacks WHERE order_no = '`+want[0]+`' AND origin_order_no = '`+want[1]+`'`); n[0][0] != "1" {
			t.Errorf("%s is not a comeback of %s: the case does not test the window's reach to the origin's month", want[0], want[1])
		}
	}
	// The candidate origins are sought only for changed orders whose window starts before their
	// store's earliest changed opening f (a later delivery cannot move the month earlier): here
	// f is an order E opened just after midnight on the first of month 8, and the comeback C of
	// an order O delivered late on the last day of month 7 opens exactly the window after that
	// delivery, so C's window starts 2.5 hours before f. O alone (a VIN of its own) is loaded
	// first; then E and C together must recompute month 7.
	lastDay := time.Date(2026, 10, 0, 22, 0, 0, 0, time.UTC) // months[6]'s last day, 22:00
	if lastDay.Format("2006-01") != months[6] {
		t.Fatalf("months[6] = %s, expected %s", months[6], lastDay.Format("2006-01"))
	}
	const vinO, vinE = "LFV0TESTEDGE00001", "LFV0TESTEDGE00002"
	ts := func(x time.Time) string { return x.Format("2006-01-02 15:04:05") }
	originFile, laterFile := filepath.Join(dir, "work_orders_origin.csv"), filepath.Join(dir, "work_orders_later.csv")
	for f, text := range map[string]string{
		originFile: "store_id,order_no,vin,order_type,opened_at,delivered_at,status\n" +
			"S002,EDGE-O," + vinO + ",repair," + ts(lastDay.Add(-12*time.Hour)) + "," + ts(lastDay) + ",delivered\n",
		laterFile: "store_id,order_no,vin,order_type,opened_at,status,is_comeback\n" +
			"S002,EDGE-E," + vinE + ",maintenance," + ts(lastDay.Add(150*time.Minute)) + ",open,N\n" +
			"S002,EDGE-C," + vinO + ",repair," + ts(lastDay.Add(30*24*time.Hour)) + ",open,Y\n",
	} {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step("an order delivered late on a month's last day", []string{originFile}, nil)
	step("its comeback a window later, with an earlier new order", []string{laterFile}, nil)
	if n := queryRows(t, inc.d, `SELECT count(*) FROM mart_comebacks WHERE order_no = 'EDGE-C' AND origin_order_no = 'EDGE-O'`); n[0][0] != "1" {
		t.Error("EDGE-C is not a comeback of EDGE-O: the case does not test the candidates' bound")
	}
	step("a new parts catalogue", []string{reParts}, nil)
	closeMonth := "2026-05" // a month the late re-export below changes
	step("payroll closed", nil, func(s *side) {
		if _, err := ClosePayroll(t.Context(), s.d, s.lake, "S001", closeMonth, "approved", now()); err != nil {
			t.Fatal(err)
		}
	})
	// a late correction of the closed month: the difference report and the adjustment
	late, _ := filepath.Glob(filepath.Join(re, "S001", "work_orders_*"))
	for _, k := range []string{"order_jobs", "attendance"} {
		g, _ := filepath.Glob(filepath.Join(re, "S001", k+"_*"))
		late = append(late, g...)
	}
	step("late re-export after the close", late, nil)
	if n := queryRows(t, inc.d, `SELECT count(*) FROM payroll_differences`); n[0][0] == "0" {
		t.Error("the late re-export changed no closed pay: the case does not test the difference report")
	}
	step("payroll reopened", nil, func(s *side) {
		if err := ReopenPayroll(t.Context(), s.d, s.lake, "S001", closeMonth, "correction", now()); err != nil {
			t.Fatal(err)
		}
	})
}

// splitByName splits files into those whose name contains part and the others.
func splitByName(files []string, part string) (match, rest []string) {
	for _, f := range files {
		if strings.Contains(filepath.Base(f), part) {
			match = append(match, f)
		} else {
			rest = append(rest, f)
		}
	}
	return match, rest
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d (of %d / %d)\nincremental: %s\nfull:        %s", i, len(la), len(lb), x, y)
		}
	}
	return ""
}

// TestPartsIncrementalOverGaps: the parts_gaps golden case (hand-computed at full) loaded in two
// steps: the movements before a cut, a transform, the rest as a later file, an incremental
// transform. mart_parts_month then equals a full rebuild's, for cuts that put the window's first
// month after a gap (PX's January issue is a carried month), inside the seven months of PW's
// issues, and after PZ's first movement.
func TestPartsIncrementalOverGaps(t *testing.T) {
	for _, cut := range []string{"2026-04-01", "2026-07-01", "2026-09-01"} {
		t.Run(cut, func(t *testing.T) {
			d, _, cfg := openCase(t, filepath.Join("testdata", "parts_gaps.yaml"))
			ctx := t.Context()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`CREATE TABLE later AS SELECT * FROM raw_parts_movements WHERE moved_at >= CAST(? AS TIMESTAMP)`, cut)
			exec(`DELETE FROM raw_parts_movements WHERE moved_at >= CAST(? AS TIMESTAMP)`, cut)
			run := func(full bool) *Result {
				t.Helper()
				res, err := (&Runner{DB: d, Config: cfg, Full: full}).Run(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			run(false)
			exec(`INSERT INTO raw_parts_movements SELECT * REPLACE (1 AS file_id) FROM later`)
			exec(`INSERT INTO ingest_files (file_id, path, sha256, status, rows_read, rows_loaded, rows_rejected, rows_skipped, ingested_at)
				VALUES (1, 'later.csv', 'x', 'loaded', 0, 0, 0, 0, TIMESTAMP '2026-10-01 00:00:00')`)
			if res := run(false); res.Mode != "incremental" {
				t.Fatalf("second run: %s (%s), want incremental", res.Mode, res.Why)
			}
			exec(`CREATE TABLE inc_parts AS SELECT * FROM mart_parts_month`)
			run(true)
			for _, q := range []string{
				`SELECT * FROM inc_parts EXCEPT ALL SELECT * FROM mart_parts_month`,
				`SELECT * FROM mart_parts_month EXCEPT ALL SELECT * FROM inc_parts`,
			} {
				if rows := queryRows(t, d, q+` ORDER BY ALL`); len(rows) != 0 {
					t.Errorf("incremental and full differ (%s):\n%s", q[:40], fmtRows(rows))
				}
			}
			if rows := queryRows(t, d, `SELECT count(*) FROM inc_parts`); fmtRows(rows) != fmtRows([][]string{{"36"}}) {
				t.Errorf("rows: %v, want 36 (4 parts × 9 months)", rows)
			}
		})
	}
}
