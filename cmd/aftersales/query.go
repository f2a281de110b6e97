package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/marcboeker/go-duckdb/v2"
	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/queries"
)

type queryOpts struct {
	dbFlags
	Format string
	Params []string
	List   bool
	XLSX   string
	Out    io.Writer
}

func init() { extraCommands = append(extraCommands, newQueryCmd) }

func newQueryCmd() *cobra.Command {
	o := &queryOpts{}
	c := &cobra.Command{
		Use:   "query --db FILE [--format table|csv|json|xlsx] NAME|SQL [--param k=v]...",
		Short: "Run a named query from queries/ or plain SQL, read-only",
		Long: `Runs a named query (see --list) or a SQL statement against the database, opened read-only:
a query can never change data. --format csv prints RFC 4180 CSV with a header row and nothing else.`,
		Example: `  aftersales query --list
  aftersales query monthly_review --param store=S001 --param month=2026-09
  aftersales query --format csv "SELECT * FROM mart_store_month ORDER BY store_id, month"`,
		RunE: func(c *cobra.Command, args []string) error {
			o.Out = c.OutOrStdout()
			if o.List {
				return listQueries(o.Out)
			}
			if len(args) != 1 {
				return usage("query needs exactly one NAME or SQL (quote the SQL)\nRun `aftersales query --list` to see the named queries.")
			}
			return runQuery(ctxOf(c), o, args[0])
		},
	}
	o.dbFlags.add(c)
	c.Flags().StringVar(&o.Format, "format", "table", "output format: table, csv, json or xlsx")
	c.Flags().StringArrayVar(&o.Params, "param", nil, "query parameter k=v (repeatable)")
	c.Flags().BoolVar(&o.List, "list", false, "list the named queries with their parameters")
	c.Flags().StringVar(&o.XLSX, "xlsx", "", "with --format xlsx: the workbook to write")
	return c
}

func listQueries(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPARAMETERS\tDESCRIPTION")
	for _, q := range queries.All() {
		var ps []string
		for _, p := range q.Params {
			s := p.Name
			if p.Default != "" {
				s += "=" + p.Default
			}
			ps = append(ps, s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", q.Name, strings.Join(ps, " "), q.Description)
	}
	return tw.Flush()
}

func runQuery(ctx context.Context, o *queryOpts, nameOrSQL string) error {
	switch o.Format {
	case "table", "csv", "json", "xlsx":
	default:
		return usage("--format must be table, csv, json or xlsx, not %q", o.Format)
	}
	params := map[string]string{}
	for _, p := range o.Params {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return usage("--param %q must be k=v", p)
		}
		params[strings.TrimSpace(k)] = v
	}
	text, args, err := queries.Resolve(nameOrSQL, params)
	if err != nil {
		return usage("%v", err)
	}
	d, err := openDB(&o.dbFlags, true)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.QueryContext(ctx, text, args...)
	if err != nil {
		return failed("running the query: %v", err)
	}
	defer rows.Close()
	cols, data, err := readAll(rows)
	if err != nil {
		return failed("reading the result: %v", err)
	}
	switch o.Format {
	case "csv":
		cw := csv.NewWriter(o.Out)
		cw.UseCRLF = true
		cw.Write(cols)
		for _, r := range data {
			cw.Write(textRow(r))
		}
		cw.Flush()
		return cw.Error()
	case "json":
		out := make([]map[string]any, len(data))
		for i, r := range data {
			m := map[string]any{}
			for j, c := range cols {
				m[c] = jsonValue(r[j])
			}
			out[i] = m
		}
		enc := json.NewEncoder(o.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "xlsx":
		if o.XLSX == "" {
			return usage("--format xlsx needs --xlsx FILE")
		}
		return writeQueryXLSX(o.XLSX, cols, data)
	}
	tw := tabwriter.NewWriter(o.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, r := range data {
		fmt.Fprintln(tw, strings.Join(textRow(r), "\t"))
	}
	tw.Flush()
	fmt.Fprintf(o.Out, "(%d rows)\n", len(data))
	return nil
}

func readAll(rows *sql.Rows) ([]string, [][]any, error) { return db.ScanAll(rows) }

func textRow(r []any) []string {
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = cellString(v)
	}
	return out
}

// cellString renders a value as text: decimals exactly, timestamps without zone, lists as [a, b].
func cellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case duckdb.Decimal:
		return decimalString(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cellString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []byte:
		return string(x)
	case float64:
		return formatFloat(x)
	}
	return fmt.Sprint(v)
}

// formatFloat prints a DOUBLE without exponent and without binary noise.
func formatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Sprint(x)
	}
	// 15 significant digits drop the binary noise of a DOUBLE (1721762.6799999999 → 1721762.68)
	s := strconv.FormatFloat(x, 'g', 15, 64)
	if strings.ContainsAny(s, "eE") {
		v, _ := strconv.ParseFloat(s, 64)
		s = strconv.FormatFloat(v, 'f', -1, 64)
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func decimalString(d duckdb.Decimal) string {
	if d.Value == nil {
		return ""
	}
	s := new(big.Int).Abs(d.Value).String()
	neg := d.Value.Sign() < 0
	if sc := int(d.Scale); sc > 0 {
		for len(s) <= sc {
			s = "0" + s
		}
		s = s[:len(s)-sc] + "." + s[len(s)-sc:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(decimalString(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return json.Number(formatFloat(x))
	case time.Time, []byte:
		return cellString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}

var _ = os.Stdout
