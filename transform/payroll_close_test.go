package transform

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
)

// TestPayrollCloseDifferenceReopen: a closed month never changes; changed data shows as a
// difference with an adjustment in the next open month; reopening (with a reason) lets the
// month follow the data again; a rebuild restores the closed rows from the lake.
func TestPayrollCloseDifferenceReopen(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "payroll.yaml"))
	run := func() {
		t.Helper()
		if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	snapshot := func() string {
		rows := queryRows(t, d, `SELECT * EXCLUDE (closed) FROM mart_payroll WHERE month = '2026-03' ORDER BY tech_id`)
		return fmtRows(rows)
	}
	run()
	lake := t.TempDir()
	now := time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC)
	before := snapshot()
	n, err := ClosePayroll(t.Context(), d, lake, "S1", "2026-03", "March payroll approved", now)
	if err != nil || n != 8 {
		t.Fatalf("close: %d rows, %v", n, err)
	}
	if _, err := ClosePayroll(t.Context(), d, lake, "S1", "2026-03", "", now); err == nil {
		t.Error("closing twice was accepted")
	}
	// T2's attendance is corrected from 15 to 20 days: ratio 0.75 → 1, points 3 → 4, Σ 14
	if _, err := d.Exec(`UPDATE raw_attendance SET days_worked = 20 WHERE tech_id = 'T2' AND month = '2026-03'`); err != nil {
		t.Fatal(err)
	}
	run()
	if after := snapshot(); after != before {
		t.Errorf("a closed month changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	expectClosed := queryRows(t, d, `SELECT DISTINCT closed FROM mart_payroll WHERE month = '2026-03'`)
	if fmtRows(expectClosed) != "  [true]\n" {
		t.Errorf("closed flag: %v", expectClosed)
	}
	// Recomputed: pool 35001 fen over Σ 14 points: T1 5 → 12500.357, T2 4 → 10000.286, T3 3 → 7500.214,
	// T4 1 → 2500.071, T5 1 → 2500.071; floors 12500+10000+7500+2500+2500 = 35000, 1 fen left →
	// T1 (.357): shares 125.01, 100.00, 75.00, 25.00, 25.00.
	// T2: top-up max(0, 3500 × 1 − 100.00) = 3400.00, pay 3500.00 (was 2625.00) → +875.00
	// T1: share 134.62 → 125.01, top-up 3865.38 → 3874.99, pay 4000.00 unchanged → no difference row
	// T3: 80.77 → 75.00, top-up 2925.00, pay 3000.00 unchanged; T4: 26.93 → 25.00, pay 1250.00 unchanged
	// T5: pay stays 0 (deduction 2500)
	diffs := queryRows(t, d, `SELECT tech_id, closed_pay, recomputed_pay, difference FROM payroll_differences ORDER BY tech_id`)
	if got, want := fmtRows(diffs), "  [T2, 2625.00, 3500.00, 875.00]\n"; got != want {
		t.Errorf("differences:\n%s\nwant\n%s", got, want)
	}
	why := queryRows(t, d, `SELECT why FROM payroll_differences`)
	if len(why) != 1 || !strings.Contains(why[0][0], "attendance ratio 0.75 → 1") || !strings.Contains(why[0][0], "share 80.77 → 100.00") {
		t.Errorf("why: %v", why)
	}
	adj := queryRows(t, d, `SELECT month, tech_id, amount, source_month FROM payroll_adjustments`)
	if got, want := fmtRows(adj), "  [2026-04, T2, 875.00, 2026-03]\n"; got != want {
		t.Errorf("adjustments:\n%s\nwant\n%s", got, want)
	}
	// a rebuilt database gets the closed rows back from the lake
	d2, _ := db.OpenMemory()
	defer d2.Close()
	if n, err := RestorePayroll(t.Context(), d2, lake); err != nil || n != 1 {
		t.Fatalf("restore: %d, %v", n, err)
	}
	if got := fmtRows(queryRows(t, d2, `SELECT tech_id, pay FROM payroll_closed_rows ORDER BY tech_id`)); !strings.Contains(got, "[T2, 2625.00]") {
		t.Errorf("restored rows: %s", got)
	}
	// reopen needs a reason, is recorded, and the month follows the data again
	if err := ReopenPayroll(t.Context(), d, lake, "S1", "2026-03", "", now); err == nil {
		t.Error("reopen without a reason was accepted")
	}
	if err := ReopenPayroll(t.Context(), d, lake, "S1", "2026-03", "attendance of T2 corrected", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run()
	got := fmtRows(queryRows(t, d, `SELECT tech_id, share, topup, pay, closed FROM mart_payroll WHERE month = '2026-03' AND team_id = 'A' ORDER BY tech_id`))
	want := "  [T1, 125.01, 3874.99, 4000.00, false]\n  [T2, 100.00, 3400.00, 3500.00, false]\n  [T3, 75.00, 2925.00, 3000.00, false]\n" +
		"  [T4, 25.00, 1225.00, 1250.00, false]\n  [T5, 25.00, 1975.00, 0.00, false]\n  [T6, 0.00, 0.00, 0.00, false]\n"
	if got != want {
		t.Errorf("after reopen:\n%s\nwant\n%s", got, want)
	}
	events := fmtRows(queryRows(t, d, `SELECT action, reason FROM payroll_events ORDER BY event_at`))
	if events != "  [close, March payroll approved]\n  [reopen, attendance of T2 corrected]\n" {
		t.Errorf("events:\n%s", events)
	}
}

// TestPayrollSnapshotFollowsCommit: a close or reopen whose commit fails leaves the lake's
// snapshot as it was, so that a rebuild never closes (or reopens) a month the database did not.
func TestPayrollSnapshotFollowsCommit(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "payroll.yaml"))
	if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	lake := t.TempDir()
	now := time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC)
	restored := func() string {
		t.Helper()
		d2, _ := db.OpenMemory()
		defer d2.Close()
		if _, err := RestorePayroll(t.Context(), d2, lake); err != nil {
			t.Fatal(err)
		}
		return fmtRows(queryRows(t, d2, `SELECT count(*) FROM payroll_closed_rows`))
	}
	fail := func() error { return errors.New("disk full (test)") }
	testHookPayrollCommit = fail
	_, err := ClosePayroll(t.Context(), d, lake, "S1", "2026-03", "approved", now)
	testHookPayrollCommit = nil
	if err == nil {
		t.Fatal("the failed close was not reported")
	}
	if closed, _ := IsClosed(t.Context(), d, "S1", "2026-03"); closed {
		t.Error("the failed close closed the month")
	}
	if got := restored(); got != "  [0]\n" {
		t.Errorf("a rebuild after the failed close restores closed rows: %s", got)
	}
	if p := PendingSnapshots(lake); len(p) != 0 {
		t.Errorf("the failed close left %v", p)
	}
	if _, err := ClosePayroll(t.Context(), d, lake, "S1", "2026-03", "approved", now); err != nil {
		t.Fatal(err)
	}
	testHookPayrollCommit = fail
	err = ReopenPayroll(t.Context(), d, lake, "S1", "2026-03", "a correction", now)
	testHookPayrollCommit = nil
	if err == nil {
		t.Fatal("the failed reopen was not reported")
	}
	if closed, _ := IsClosed(t.Context(), d, "S1", "2026-03"); !closed {
		t.Error("the failed reopen reopened the month")
	}
	if got := restored(); got != "  [8]\n" {
		t.Errorf("a rebuild after the failed reopen: %s closed rows, want the 8 of the close", got)
	}
}

// TestCloseReadiness: what `payroll --close` refuses — pay the last transform did not see (files
// loaded or a month reopened since), and a month the loaded data does not reach the end of.
func TestCloseReadiness(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "payroll.yaml"))
	ready := func(month string) (string, string) {
		t.Helper()
		stale, incomplete, err := CloseReadiness(t.Context(), d, "S1", month, msg.EN)
		if err != nil {
			t.Fatal(err)
		}
		return stale, incomplete
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if stale, _ := ready("2026-03"); !strings.Contains(stale, "no transform has run") {
		t.Errorf("before any transform: stale %q", stale)
	}
	if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	// the case's latest order opened 2026-03-07 08:00 and was delivered at 12:00; attendance only for March
	if stale, inc := ready("2026-03"); stale != "" || !strings.Contains(inc, "reach only 2026-03-07 12:00 (opened, completed or delivered), before the last day of 2026-03 (2026-03-31)") {
		t.Errorf("March: stale %q, incomplete %q", stale, inc)
	}
	if _, inc := ready("2026-02"); !strings.Contains(inc, "no attendance of store S1 for 2026-02") {
		t.Errorf("February: incomplete %q", inc)
	}
	order := `INSERT INTO raw_work_orders (store_id, order_no, vin, opened_at, order_type, status, file_id, row_number)
		VALUES ('S1', ?, 'LSVAA4180E2100009', ?, 'maintenance', 'open', 0, 0)`
	exec(order, "L1", "2026-03-30 23:59:59")
	if _, inc := ready("2026-03"); !strings.Contains(inc, "2026-03-30 23:59") {
		t.Errorf("an order a second before the last day: incomplete %q", inc)
	}
	// no order opened on the last day, but one completed or delivered on it: the export was taken
	// after the month's end (a store shut on a Sunday or a holiday at the month's end)
	exec(`UPDATE raw_work_orders SET completed_at = TIMESTAMP '2026-03-30 23:59:59', delivered_at = NULL WHERE order_no = 'L1'`)
	if _, inc := ready("2026-03"); !strings.Contains(inc, "2026-03-30 23:59") {
		t.Errorf("an order opened and completed a second before the last day: incomplete %q", inc)
	}
	exec(`UPDATE raw_work_orders SET completed_at = TIMESTAMP '2026-03-31 00:00:00' WHERE order_no = 'L1'`)
	if _, inc := ready("2026-03"); inc != "" {
		t.Errorf("an order completed on the last day: incomplete %q", inc)
	}
	exec(`UPDATE raw_work_orders SET completed_at = NULL, delivered_at = TIMESTAMP '2026-04-01 10:00:00' WHERE order_no = 'L1'`)
	if _, inc := ready("2026-03"); inc != "" {
		t.Errorf("an order delivered after the last day: incomplete %q", inc)
	}
	exec(`UPDATE raw_work_orders SET delivered_at = NULL WHERE order_no = 'L1'`)
	exec(order, "L2", "2026-03-31 00:00:00")
	if _, inc := ready("2026-03"); inc != "" {
		t.Errorf("an order on the last day: incomplete %q", inc)
	}
	// files loaded since the last transform: the store's own and those of no store count
	file := `INSERT INTO ingest_files (file_id, path, sha256, kind, store_id, status, rows_read, rows_loaded, rows_rejected, rows_skipped, ingested_at)
		VALUES ((SELECT coalesce(max(file_id), 0) + 1 FROM ingest_files), ?, 'x', 'work_orders', ?, ?, 3, ?, 0, 0, TIMESTAMP '2026-04-01 09:00')`
	exec(file, "other.csv", "S2", "loaded", 3)
	exec(file, "rejected.csv", "S1", "rejected", 0)
	exec(file, "duplicate.csv", "S1", "duplicate", 0)
	if stale, _ := ready("2026-03"); stale != "" {
		t.Errorf("another store's file, a rejected one and a duplicate: stale %q", stale)
	}
	exec(file, "stores.xlsx", "", "loaded", 3)
	if stale, _ := ready("2026-03"); !strings.Contains(stale, "1 file(s) of store S1 were loaded since the last transform (stores.xlsx)") {
		t.Errorf("a file of every store: stale %q", stale)
	}
	if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if stale, _ := ready("2026-03"); stale != "" {
		t.Errorf("after a transform: stale %q", stale)
	}
	// a close marks the store for the next run's window but changes no pay; a reopen does
	exec(`INSERT INTO transform_dirty VALUES ('S1', TIMESTAMP '1900-01-01', 'payroll 2026-02 closed')`)
	if stale, _ := ready("2026-03"); stale != "" {
		t.Errorf("after another month's close: stale %q", stale)
	}
	exec(`INSERT INTO transform_dirty VALUES ('S1', TIMESTAMP '1900-01-01', 'payroll 2026-02 reopened')`)
	if stale, _ := ready("2026-03"); !strings.Contains(stale, "payroll 2026-02 reopened") {
		t.Errorf("after a reopen: stale %q", stale)
	}
}

// payrollCaseOf is the payroll golden case's data as the data of one store with the id given,
// transformed.
func payrollCaseOf(t *testing.T, store string) *sql.DB {
	t.Helper()
	d, _, cfg := openCase(t, filepath.Join("testdata", "payroll.yaml"))
	for _, tb := range []string{"stores", "technicians", "attendance", "work_orders", "order_jobs"} {
		if _, err := d.Exec(`UPDATE raw_`+tb+` SET store_id = ?`, store); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSnapshotOfAnyStoreID: the lake snapshot of a closed month stays one folder below _payroll,
// whatever the store id holds, and a rebuild restores it (before, "a/../../b" wrote it outside
// the lake, where RestorePayroll never looked).
func TestSnapshotOfAnyStoreID(t *testing.T) {
	const store = "A/../../B"
	d := payrollCaseOf(t, store)
	root := t.TempDir()
	lake := filepath.Join(root, "x", "lake")
	if _, err := ClosePayroll(t.Context(), d, lake, store, "2026-03", "approved", time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var written []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			written = append(written, strings.TrimPrefix(p, root))
		}
		return nil
	})
	if want := "/x/lake/_payroll/A~2F~2E~2E~2F~2E~2E~2FB/2026-03.json"; len(written) != 1 || written[0] != want {
		t.Errorf("written %v, want [%s]", written, want)
	}
	fresh, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if n, err := RestorePayroll(t.Context(), fresh, lake); err != nil || n != 1 {
		t.Errorf("restored %d snapshots, %v", n, err)
	}
	var rows int
	fresh.QueryRow(`SELECT count(*) FROM payroll_closed_rows WHERE store_id = ?`, store).Scan(&rows)
	if rows != 8 {
		t.Errorf("restored %d closed rows, want 8", rows)
	}
	// an id that was written unescaped before: its old snapshot is replaced, not left beside
	if got := legacySnapshotPaths(lake, "S 01", "2026-03"); !slices.Equal(got, []string{filepath.Join(lake, "_payroll", "S 01", "2026-03.json")}) {
		t.Errorf("legacy paths of \"S 01\": %q", got)
	}
	// an id with lower-case letters: before, its folder was the id itself (as unescaped) and, of
	// "a b", its escaped part without the hash
	if got := legacySnapshotPaths(lake, "S_01-a", "2026-03"); !slices.Equal(got, []string{filepath.Join(lake, "_payroll", "S_01-a", "2026-03.json")}) {
		t.Errorf("legacy paths of \"S_01-a\": %q", got)
	}
	if got := legacySnapshotPaths(lake, "a b", "2026-03"); !slices.Equal(got, []string{filepath.Join(lake, "_payroll", "a b", "2026-03.json"), filepath.Join(lake, "_payroll", "a~20b", "2026-03.json")}) {
		t.Errorf("legacy paths of \"a b\": %q", got)
	}
	if got := legacySnapshotPaths(lake, "a/b", "2026-03"); !slices.Equal(got, []string{filepath.Join(lake, "_payroll", "a~2Fb", "2026-03.json")}) {
		t.Errorf("legacy paths of \"a/b\": %q", got)
	}
	for _, id := range []string{"S001", "S_01-A", "..", ""} {
		if got := legacySnapshotPaths(lake, id, "2026-03"); len(got) != 0 {
			t.Errorf("legacy paths of %q: %q", id, got)
		}
	}
}

// TestLegacySnapshotOfAnotherStoreStays: closing a month of `s001` writes its snapshot in a folder
// of its own and removes its snapshot where earlier versions wrote it (`_payroll/s001`), but not
// a snapshot of another store found there — on a file system that ignores case, `_payroll/s001`
// is the folder of `S001`.
func TestLegacySnapshotOfAnotherStoreStays(t *testing.T) {
	for _, owner := range []string{"s001", "S001"} {
		const store = "s001"
		d := payrollCaseOf(t, store)
		lake := t.TempDir()
		old := filepath.Join(lake, "_payroll", "s001", "2026-03.json")
		os.MkdirAll(filepath.Dir(old), 0o755)
		b, _ := json.Marshal(closedSnapshot{Store: owner, Month: "2026-03"})
		if err := os.WriteFile(old, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ClosePayroll(t.Context(), d, lake, store, "2026-03", "approved", time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(snapshotPath(lake, store, "2026-03")); err != nil || filepath.Base(filepath.Dir(snapshotPath(lake, store, "2026-03"))) == "s001" {
			t.Errorf("snapshot of s001 at %s: %v", snapshotPath(lake, store, "2026-03"), err)
		}
		_, err := os.Stat(old)
		if kept := err == nil; kept != (owner != store) {
			t.Errorf("the legacy snapshot of %s in _payroll/s001 kept: %v, want %v", owner, kept, owner != store)
		}
	}
}

// TestRestoreKeepsTheLatestSnapshot: a rebuild restores one snapshot per store-month. Where a
// stale copy lies beside the current one (a close interrupted before it removed its copy at an
// earlier version's path), the one with the later events wins: before, both were inserted and
// the month had its closed rows twice.
func TestRestoreKeepsTheLatestSnapshot(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "payroll.yaml"))
	if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	var store string
	if err := d.QueryRow(`SELECT min(store_id) FROM mart_payroll WHERE month = '2026-03'`).Scan(&store); err != nil {
		t.Fatal(err)
	}
	lake := t.TempDir()
	at := time.Date(2026, 4, 5, 10, 0, 0, 0, time.UTC)
	if _, err := ClosePayroll(t.Context(), d, lake, store, "2026-03", "approved", at); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(snapshotPath(lake, store, "2026-03"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ReopenPayroll(t.Context(), d, lake, store, "2026-03", "a late job line", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := ClosePayroll(t.Context(), d, lake, store, "2026-03", "approved again", at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// the stale copy sorts after the current one, and before it
	for _, folder := range []string{"zz-stale", "00-stale"} {
		stale := filepath.Join(lake, "_payroll", folder, "2026-03.json")
		os.MkdirAll(filepath.Dir(stale), 0o755)
		if err := os.WriteFile(stale, first, 0o644); err != nil {
			t.Fatal(err)
		}
		fresh, err := db.OpenMemory()
		if err != nil {
			t.Fatal(err)
		}
		if n, err := RestorePayroll(t.Context(), fresh, lake); err != nil || n != 1 {
			t.Errorf("%s: restored %d snapshots, %v; want 1", folder, n, err)
		}
		var rows, events int
		var reason string
		fresh.QueryRow(`SELECT count(*) FROM payroll_closed_rows`).Scan(&rows)
		fresh.QueryRow(`SELECT count(*), max_by(reason, event_at) FROM payroll_events`).Scan(&events, &reason)
		if rows != 8 || events != 3 || reason != "approved again" {
			t.Errorf("%s: restored %d closed rows and %d events (last %q), want 8 and 3 (approved again)", folder, rows, events, reason)
		}
		fresh.Close()
		os.RemoveAll(filepath.Dir(stale))
	}
}
