package transform

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailedRunKeepsPreviousMarts: a broken invariant of our own tables fails the run, names the
// test, the table and sample rows, and leaves the previous marts as they were.
func TestFailedRunKeepsPreviousMarts(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "comebacks.yaml"))
	r := &Runner{DB: d, Config: cfg}
	if _, err := r.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := fmtRows(queryRows(t, d, `SELECT * FROM mart_store_month ORDER BY ALL`))
	// a duplicate natural key in a raw table (something ingest never writes)
	if _, err := d.Exec(`INSERT INTO raw_work_orders SELECT * REPLACE (opened_at + INTERVAL 1 HOUR AS opened_at) FROM raw_work_orders WHERE order_no = 'A1'`); err != nil {
		t.Fatal(err)
	}
	// (an incremental run checks the keys of the rows it reads; this row came from no file)
	r.Full = true
	_, err := r.Run(t.Context())
	var tf *TestFailure
	if !errors.As(err, &tf) || !strings.Contains(err.Error(), "unique") || !strings.Contains(err.Error(), "A1") {
		t.Fatalf("want a failed data test naming the table and the row, got %v", err)
	}
	if after := fmtRows(queryRows(t, d, `SELECT * FROM mart_store_month ORDER BY ALL`)); after != before {
		t.Error("a failed run changed the marts")
	}
	if n := queryRows(t, d, `SELECT count(*) FROM transform_runs`); n[0][0] != "1" {
		t.Errorf("a failed run was recorded as a run: %v", n)
	}
}
