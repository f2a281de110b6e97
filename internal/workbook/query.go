package workbook

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"time"

	"github.com/marcboeker/go-duckdb/v2"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/xlsxw"
	"github.com/aftersales/aftersales/queries"
)

// Result is a named query's rows with values converted for cells: DECIMAL → float64 (display
// only; the database holds the exact value), lists → text.
type Result struct {
	Cols []string
	Rows [][]any
}

// Col is the index of a column, or -1.
func (r *Result) Col(name string) int {
	for i, c := range r.Cols {
		if c == name {
			return i
		}
	}
	return -1
}

// Named runs a named query from queries/ with its parameters.
func Named(ctx context.Context, d *sql.DB, name string, params map[string]string) (*Result, error) {
	text, args, err := queries.Resolve(name, params)
	if err != nil {
		return nil, err
	}
	rows, err := d.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	defer rows.Close()
	cols, data, err := db.ScanAll(rows)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	res := &Result{Cols: cols, Rows: data}
	for _, vals := range data {
		for i, v := range vals {
			vals[i] = cellValue(v)
		}
	}
	return res, nil
}

func cellValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		if x.Value == nil {
			return nil
		}
		return xlsxw.DecimalFloat(x)
	case []any:
		s := ""
		for i, e := range x {
			if i > 0 {
				s += ", "
			}
			s += fmt.Sprint(e)
		}
		return s
	case time.Time:
		return x.Format("2006-01-02 15:04")
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case int32:
		return int64(x)
	}
	return v
}
