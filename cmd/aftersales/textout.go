package main

import (
	"context"
	"database/sql"
	"strings"
	"text/tabwriter"
)

type dbQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// d2text runs a query and renders it as an aligned text table; n is the number of rows.
func d2text(ctx context.Context, d dbQuerier, q string, args ...any) (string, int, error) {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	cols, data, err := readAll(rows)
	if err != nil || len(data) == 0 {
		return "", 0, err
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	tw.Write([]byte(strings.Join(cols, "\t") + "\n"))
	for _, r := range data {
		tw.Write([]byte(strings.Join(textRow(r), "\t") + "\n"))
	}
	tw.Flush()
	return b.String(), len(data), nil
}
