package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
)

// TestPayrollCloseChecksItsData: `payroll --close` freezes a month for good, so it refuses pay the
// last transform did not compute from all that is loaded, and a month whose data stops short of
// its end unless --force; each refusal says what to do. The reading verbs note files loaded since
// the last transform.
func TestPayrollCloseChecksItsData(t *testing.T) {
	dir := t.TempDir()
	in, dbf := ingestedSample(t, dir, 1, 2)
	closeMonth := func(month string, extra ...string) result {
		return runBin(t, dir, append([]string{"payroll", "--db", dbf, "--store", "S001", "--month", month, "--close", "--reason", "checked"}, extra...)...)
	}
	expect := func(r result, code int, want string) {
		t.Helper()
		if r.code != code || !strings.Contains(r.stderr+r.stdout, want) {
			t.Errorf("exit %d (want %d), no %q in\n%s%s", r.code, code, want, r.stderr, r.stdout)
		}
	}
	expect(closeMonth("2026-09"), 1, "no transform has run on this database yet")
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// a corrected re-export loaded after the transform
	src := filepath.Join(in, "S001", "callbacks_2026-09.csv")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	fixed := filepath.Join(dir, "callbacks_2026-09_fixed.csv")
	os.WriteFile(fixed, append(b, '\r', '\n'), 0o644)
	if r := runBin(t, dir, "ingest", "--db", dbf, "-q", fixed); r.code != 0 {
		t.Fatal(r.stderr)
	}
	expect(closeMonth("2026-09"), 1, "were loaded since the last transform ("+fixed+"): the payroll does not include that yet. Run `aftersales transform`")
	// the reading verbs say so too, and still write
	note := "note: 1 file loaded since the last transform (" + fixed + ") is not in these figures yet"
	expect(runBin(t, dir, "payroll", "--db", dbf, "--store", "S001", "--month", "2026-09"), 0, note)
	expect(runBin(t, dir, "dashboards", "--db", dbf, "--out", filepath.Join(dir, "dash"), "--month", "2026-09"), 0, note)
	expect(runBin(t, dir, "report", "--db", dbf, "--store", "S001", "--month", "2026-09", "--xlsx", filepath.Join(dir, "r.xlsx")), 0, note)
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	expect(closeMonth("2026-09"), 0, "closed payroll S001 2026-09")
	if r := runBin(t, dir, "payroll", "--db", dbf, "--store", "S001", "--month", "2026-09"); strings.Contains(r.stderr, "note:") {
		t.Errorf("a note after the transform: %s", r.stderr)
	}
	// October without its attendance: refused, then closed as it stands with --force
	d, err := db.Open(dbf, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`DELETE FROM raw_attendance WHERE month = '2026-10'`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	expect(closeMonth("2026-10"), 1, "no attendance of store S001 for 2026-10 is loaded, so the month looks incomplete")
	expect(closeMonth("2026-10", "--force"), 0, "closed payroll S001 2026-10")
}
