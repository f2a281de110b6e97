package transform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/gen"
)

// TestPythonCrosscheck: the marts of a full transform of generated, dirty data equal what
// internal/crosscheck/crosscheck.py — the contract's KPIs in plain Python, sharing nothing with
// the SQL models or reference_test.go — computes from the same raw rows: every row of the
// store-month, comeback, advisor, technician, payroll and benchmark marts of three stores, the
// counts of their data-quality findings about rows, and the parts mart of the first. The raw rows and the marts go to the script as CSV (the raw rows as the
// bench's clean CSV: canonical columns, no lineage).
//
// It needs python3 (standard library only), which .ci/run installs; without it the test is
// skipped, except under CI=1 or AFTERSALES_REQUIRE_PYTHON=1, where it fails.
func TestPythonCrosscheck(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("AFTERSALES_REQUIRE_PYTHON") != "" {
			t.Fatal("python3 is not installed; the cross-check needs it (.ci/run installs it)")
		}
		t.Skip("python3 is not installed: the Python cross-check is skipped")
	}
	opts := gen.Options{Stores: 3, Seed: 23, MinOrders: 150, MaxOrders: 220, Parts: 400, Months: 14, Dirty: true}
	d, now := ingestGenerated(t, opts)
	if _, err := (&Runner{DB: d, Config: DefaultConfig(), Full: true, Now: now}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, k := range ingest.Kinds() {
		if _, err := d.Exec(`COPY (SELECT * EXCLUDE (file_id, row_number) FROM raw_` + k.Name + `) TO ` +
			db.Quote(filepath.Join(dir, k.Name+".csv")) + ` (HEADER, DELIMITER ',')`); err != nil {
			t.Fatal(err)
		}
	}
	marts := []string{"mart_store_month", "mart_comebacks", "mart_advisor_month", "mart_tech_month", "mart_payroll", "mart_benchmark", "mart_data_quality", "mart_parts_month"}
	for _, m := range marts {
		if _, err := d.Exec(`COPY ` + m + ` TO ` + db.Quote(filepath.Join(dir, m+".csv")) + ` (HEADER, DELIMITER ',')`); err != nil {
			t.Fatal(err)
		}
	}
	run := func(script string) (string, error) {
		cmd := exec.Command(py, script, "--csv", dir, "--marts", dir, "--stores", "S001,S002,S003")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	script := filepath.Join("..", "internal", "crosscheck", "crosscheck.py")
	out, err := run(script)
	t.Log(out)
	if keep := os.Getenv("CROSSCHECK_KEEP"); keep != "" {
		// to look into a difference: the raw rows and marts the script read, kept in that folder
		if err := exec.Command("cp", "-r", dir, keep).Run(); err != nil {
			t.Errorf("CROSSCHECK_KEEP=%s: %v", keep, err)
		}
	}
	if err != nil {
		t.Fatalf("the marts differ from the Python reading: %v\n%s", err, out)
	}
	for _, m := range marts {
		if !strings.Contains(out, m+": ") || strings.Contains(out, m+": 0 rows") {
			t.Errorf("the cross-check compared no rows of %s:\n%s", m, out)
		}
	}

	// The check can fail: with a comeback window of 29 days and a dead-stock window of 179 it
	// must find differences in these marts.
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.NewReplacer("W = dt.timedelta(days=30)", "W = dt.timedelta(days=29)",
		"DEAD_DAYS = dt.timedelta(days=180)", "DEAD_DAYS = dt.timedelta(days=179)").Replace(string(src))
	if bad == string(src) {
		t.Fatal("the script's windows were not found: update this test")
	}
	badScript := filepath.Join(t.TempDir(), "crosscheck.py")
	if err := os.WriteFile(badScript, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(badScript); err == nil {
		t.Errorf("a cross-check with other windows found no difference:\n%s", out)
	}
}
