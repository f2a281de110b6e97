package transform

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/db"
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
