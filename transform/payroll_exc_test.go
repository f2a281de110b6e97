package transform

import (
	"fmt"
	"testing"

	"github.com/aftersales/aftersales/internal/db"
)

// TestPayrollExceptionsWritten: writePayroll stores every exception (more than one INSERT's
// worth), with texts holding quotes and markup kept as they are and amounts to the fen.
func TestPayrollExceptionsWritten(t *testing.T) {
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var exc []exception
	for i := range 1203 {
		exc = append(exc, exception{store: fmt.Sprintf("S%04d", i), month: "2026-10", check: "unassigned_labour", severity: "warn",
			example: fmt.Sprintf("T'%d</script>; DROP TABLE x; --", i), count: int64(i), amount: int64(i*7 - 3000)})
	}
	if err := writePayroll(t.Context(), tx, nil, nil, exc, false); err != nil {
		t.Fatal(err)
	}
	var n, sumCount int64
	var sumAmount, first, last, nulls string
	if err := tx.QueryRow(`SELECT count(*), sum(count), sum(amount)::VARCHAR, min(example), max(example), count(*) FILTER (WHERE amount IS NULL)::VARCHAR FROM int_payroll_exceptions`).Scan(&n, &sumCount, &sumAmount, &first, &last, &nulls); err != nil {
		t.Fatal(err)
	}
	var wantAmount int64
	for _, e := range exc {
		wantAmount += e.amount
	}
	// (no amount is 0 fen, so none is stored as NULL)
	if n != 1203 || sumCount != 1202*1203/2 || sumAmount != fen(wantAmount) || nulls != "0" {
		t.Errorf("got %d rows, counts %d, amounts %s (%s NULL); want 1203, %d, %s, 0", n, sumCount, sumAmount, nulls, 1202*1203/2, fen(wantAmount))
	}
	if first != "T'0</script>; DROP TABLE x; --" || last != "T'9</script>; DROP TABLE x; --" {
		t.Errorf("examples %q … %q", first, last)
	}
}
