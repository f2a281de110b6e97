package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/marcboeker/go-duckdb/v2"
	"github.com/spf13/cobra"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/xlsxw"
	"github.com/aftersales/aftersales/queries"
	"github.com/aftersales/aftersales/transform"
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
a query can never change data. --format csv prints RFC 4180 CSV with a header row and nothing else.
Rows are written as they are read, so a result of millions of rows needs little memory; the table
format shows the first 10,000 of them, and an xlsx workbook continues on a new sheet past Excel's
1,048,575 rows.`,
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
	t := &textTable{}
	t.add([]string{msg.T(lang, "NAME"), msg.T(lang, "PARAMETERS"), msg.T(lang, "DESCRIPTION")})
	for _, q := range queries.All() {
		var ps []string
		for _, p := range q.Params {
			s := p.Name
			if p.Default != "" {
				s += "=" + p.Default
			}
			ps = append(ps, s)
		}
		t.add([]string{q.Name, strings.Join(ps, " "), q.Describe(lang)})
	}
	return t.write(w)
}

// sqlErrorHint says what to do about DuckDB's error for a query the user wrote, by its class
// (DuckDB's own text stays English and is shown as it is): nil for a class without a hint.
func sqlErrorHint(err error, dbPath string) error {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return nil
	}
	switch de.Type {
	case duckdb.ErrorTypeParser:
		return msg.Errorf("the SQL is not valid: check the words at the ^ mark, or give the name of a named query (`aftersales query --list`)")
	case duckdb.ErrorTypeCatalog:
		return msg.Errorf("a table, view or function of that name does not exist: `aftersales query --db %s \"SHOW TABLES\"` lists the tables and views, `aftersales query --list` the named queries", dbPath)
	case duckdb.ErrorTypeBinder:
		return msg.Errorf("a column named in the query is not in its tables, or a value does not fit its type: `aftersales query --db %s \"DESCRIBE table\"` lists a table's columns", dbPath)
	case duckdb.ErrorTypeConversion:
		return msg.Errorf("a value cannot be converted to the type the query asks for: compare it with text in quotes, a date as DATE '2026-03-05'")
	case duckdb.ErrorTypeOutOfMemory:
		return msg.Errorf("the query needs more memory than it may use: narrow it to a store or a month, or add LIMIT")
	case duckdb.ErrorTypeInvalidInput:
		if strings.Contains(de.Msg, "read-only mode") {
			return msg.Errorf("query only reads the database: data changes through ingest, transform and payroll --close")
		}
	}
	return nil
}

// transformTable finds DuckDB's error for a missing table that transform creates.
var transformTable = regexp.MustCompile(`Table with name ((mart|stg|int|cfg)_\w+|kpi_dictionary|transform_runs) does not exist`)

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
	if st, ok := params["store"]; ok {
		noteUnknownStore(ctx, d, st)
	}
	rows, err := d.QueryContext(ctx, text, args...)
	if err != nil {
		// a query of the marts before any transform: say what to do, not only DuckDB's
		// "Table with name mart_store_month does not exist!"
		if transformTable.MatchString(err.Error()) {
			if _, _, ran, e := transform.LoadedSinceLastRun(ctx, d, ""); e == nil && !ran {
				return failed("running the query: %v\n(no transform has run on %s yet, so there are no marts: run `aftersales transform --db %s` first)", err, o.DB, o.DB)
			}
		}
		if hint := sqlErrorHint(err, o.DB); hint != nil {
			return failed("running the query: %v\n(%v)", err, hint)
		}
		return failed("running the query: %v", err)
	}
	defer rows.Close()
	// rows are written as they are read, never held: a result may be millions of rows
	cols, err := rows.Columns()
	if err != nil {
		return failed("reading the result: %v", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	// each calls row for every result row, with the row's values in vals
	each := func(row func() error) error {
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return failed("reading the result: %v", err)
			}
			if err := row(); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return failed("reading the result: %v", err)
		}
		return nil
	}
	switch o.Format {
	case "csv":
		cw := csv.NewWriter(o.Out)
		cw.UseCRLF = true
		cw.Write(cols)
		if err := each(func() error { return cw.Write(textRow(vals)) }); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	case "json":
		// an array of objects, indented by two spaces (as json.Encoder with that indent writes it)
		w := bufio.NewWriter(o.Out)
		n := 0
		err := each(func() error {
			m := make(map[string]any, len(cols))
			for j, c := range cols {
				m[c] = jsonValue(vals[j])
			}
			b, err := json.MarshalIndent(m, "  ", "  ")
			if err != nil {
				return failed("writing JSON: %v", err)
			}
			if n == 0 {
				w.WriteString("[\n  ")
			} else {
				w.WriteString(",\n  ")
			}
			w.Write(b)
			n++
			return nil
		})
		if err != nil {
			return err
		}
		if n == 0 {
			w.WriteString("[]\n")
		} else {
			w.WriteString("\n]\n")
		}
		return w.Flush()
	case "xlsx":
		if o.XLSX == "" {
			return usage("--format xlsx needs --xlsx FILE")
		}
		t, err := xlsxw.NewTable("query", cols)
		if err != nil {
			return failed("writing %s: %v", o.XLSX, err)
		}
		defer t.Close()
		err = each(func() error {
			cells := make([]any, len(vals))
			for j, v := range vals {
				cells[j] = xlsxw.Cell(v)
			}
			if err := t.Add(cells); err != nil {
				return failed("writing %s: %v", o.XLSX, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := t.Save(o.XLSX); err != nil {
			return failed("writing %s: %v", o.XLSX, err)
		}
		switch t.Sheets() {
		case 1:
		case 2:
			fmt.Fprintln(os.Stderr, msg.T(lang, "%d rows: more than a sheet holds (%d), so they continue on sheet \"query (2)\"", t.Rows, xlsxw.MaxSheetRows))
		default:
			fmt.Fprintln(os.Stderr, msg.T(lang, "%d rows: more than a sheet holds (%d), so they continue on sheets \"query (2)\" to \"query (%d)\"", t.Rows, xlsxw.MaxSheetRows, t.Sheets()))
		}
		return nil
	}
	// the table is for reading on a screen: its first tableRows rows, and how many there are
	t := &textTable{}
	t.add(cols)
	n := 0
	err = each(func() error {
		if n < tableRows {
			t.add(textRow(vals))
		}
		n++
		return nil
	})
	if err != nil {
		return err
	}
	if err := t.write(o.Out); err != nil {
		return err
	}
	if n > tableRows {
		fmt.Fprintln(o.Out, msg.T(lang, "(%d rows, the first %d shown: --format csv, json or xlsx gives them all)", n, tableRows))
	} else {
		fmt.Fprintln(o.Out, msg.T(lang, "(%d rows)", n))
	}
	return nil
}

// tableRows is how many rows the table format shows.
const tableRows = 10_000

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

// noteUnknownStore: a store id that no work order carries (a typo, or S1 for S001) answers a
// named query with an empty table; a note on stderr says so and lists the stores there are.
func noteUnknownStore(ctx context.Context, d *sql.DB, store string) {
	rows, err := d.QueryContext(ctx, `SELECT DISTINCT store_id FROM raw_work_orders ORDER BY 1`)
	if err != nil {
		return
	}
	defer rows.Close()
	var known []string
	for rows.Next() {
		var s string
		if rows.Scan(&s) != nil {
			return
		}
		if s == store {
			return
		}
		known = append(known, s)
	}
	if rows.Err() != nil || len(known) == 0 {
		return
	}
	if len(known) > 12 {
		known = append(known[:12], fmt.Sprintf("… %d in all", len(known)))
	}
	fmt.Fprintln(os.Stderr, msg.T(lang, "note: no work order of store %q is loaded (stores: %s)", store, termSafe(strings.Join(known, ", "), false)))
}
