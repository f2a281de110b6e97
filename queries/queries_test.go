package queries_test

import (
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marcboeker/go-duckdb/v2"

	"github.com/aftersales/aftersales/internal/testenv"
	"github.com/aftersales/aftersales/queries"
	"github.com/aftersales/aftersales/transform"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.csv from the current output (for a human to review)")

func run(t *testing.T, d *sql.DB, name string, params map[string]string) [][]string {
	t.Helper()
	q, args, err := queries.Resolve(name, params)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := [][]string{cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rows.Scan(ptrs...)
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = text(v)
		}
		out = append(out, r)
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'g', 12, 64)
	case duckdb.Decimal:
		return new(big.Rat).SetFrac(x.Value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Scale)), nil)).FloatString(int(x.Scale))
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

// TestEveryQueryGolden runs every named query on the deterministic sample and compares it with
// its reviewed snapshot (`go test ./queries -update` rewrites them for review).
func TestEveryQueryGolden(t *testing.T) {
	d := testenv.Sample(t, 2, 3, nil)
	all := queries.All()
	if len(all) < 12 {
		t.Fatalf("only %d named queries", len(all))
	}
	for _, q := range all {
		params := map[string]string{}
		for _, p := range q.Params {
			switch p.Name {
			case "store":
				params["store"] = "S001"
			case "month":
				params["month"] = "2026-09"
			}
		}
		got := run(t, d, q.Name, params)
		noDelimJoin(t, d, q.Name, params)
		if q.Name == "ingest_summary" {
			checkIngestSummary(t, got)
		}
		if q.Name == "settings_in_force" || q.Name == "ingest_summary" || q.Name == "data_quality" {
			continue // they hold times and paths of this run
		}
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.WriteAll(got)
		golden := filepath.Join("testdata", q.Name+".golden.csv")
		if *update {
			os.MkdirAll("testdata", 0o755)
			os.WriteFile(golden, []byte(b.String()), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%v (run go test ./queries -update and review)", err)
			continue
		}
		if b.String() != string(want) {
			t.Errorf("%s differs from %s (run with -update and review the diff)", q.Name, golden)
		}
		if q.Description == "" || q.DescriptionZH == "" {
			t.Errorf("%s has no description in English (-- description:) or Chinese (-- description zh:)", q.Name)
		}
	}
}

// noDelimJoin: a query's plan holds no delim join, DuckDB 1.4's operator for a correlated
// subquery, which crashed the transform now and then (transform's TestNoDelimJoin): write an
// existence test as a join (ANTI JOIN, SEMI JOIN).
func noDelimJoin(t *testing.T, d *sql.DB, name string, params map[string]string) {
	t.Helper()
	q, args, err := queries.Resolve(name, params)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Query("EXPLAIN "+q, args...)
	if err != nil {
		t.Fatalf("%s: EXPLAIN: %v", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, plan string
		if err := rows.Scan(&kind, &plan); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "DELIM_JOIN") {
			t.Errorf("%s plans a delim join (a correlated subquery): write it as a join", name)
		}
	}
}

// checkIngestSummary: the sample's files (no key in two of them, none twice in one) have
// every loaded row current, in every kind.
func checkIngestSummary(t *testing.T, got [][]string) {
	t.Helper()
	col := map[string]int{}
	for i, c := range got[0] {
		col[c] = i
	}
	kinds := map[string]bool{}
	for _, r := range got[1:] {
		if r[col["status"]] != "loaded" {
			continue
		}
		if r[col["rows_current"]] != r[col["rows_loaded"]] {
			t.Errorf("ingest_summary: %s has rows_loaded %s, rows_current %s", r[col["path"]], r[col["rows_loaded"]], r[col["rows_current"]])
		}
		kinds[r[col["kind"]]] = true
	}
	if len(kinds) != 8 {
		t.Errorf("ingest_summary: files of %d kinds in the sample, want all 8: %v", len(kinds), kinds)
	}
}

// TestListQueriesByHand: hand-computed cases for the lists whose logic lives only in SQL.
func TestListQueriesByHand(t *testing.T) {
	d := testenv.Empty(t)
	name := "王五"
	ins := func(no, vin, typ, status, opened, delivered string, km any) {
		var del any
		if delivered != "" {
			del = delivered
		}
		_, err := d.Exec(`INSERT INTO raw_work_orders (store_id, order_no, vin, order_type, status, opened_at, delivered_at, mileage_km, customer_name, phone,
			labor_amount, parts_amount, other_amount, discount_amount, file_id, row_number) VALUES ('S1', ?, ?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, '13800000000', 0, 0, 0, 0, 0, 0)`,
			no, vin, typ, status, opened, del, km, name)
		if err != nil {
			t.Fatal(err)
		}
	}
	// WIP at the end of March (cut-off 2026-04-01 00:00)
	ins("W1", "VINW1000000000001", "repair", "delivered", "2026-03-30 10:00", "2026-04-02 10:00", nil) // in shop: 38 h = 1.6 d
	ins("W2", "VINW2000000000002", "repair", "open", "2026-03-31 08:00", "", nil)                      // in shop: 16 h = 0.7 d
	ins("W3", "VINW3000000000003", "repair", "delivered", "2026-03-15 10:00", "2026-03-20 10:00", nil) // left before
	ins("W4", "VINW4000000000004", "repair", "cancelled", "2026-03-20 10:00", "", nil)                 // cancelled
	ins("W5", "VINW5000000000005", "repair", "open", "2026-04-01 00:00", "", nil)                      // opened after: also the as-of
	// lost customers: as-of 2026-04-01 00:00, N = 12 → recent from 2025-04-01, earlier from 2023-04-01
	ins("LA", "VINLA000000000001", "maintenance", "delivered", "2025-03-31 23:59:59", "2025-04-01 10:00", nil) // lost
	ins("LB", "VINLB000000000002", "maintenance", "delivered", "2025-04-01 00:00:00", "2025-04-01 10:00", nil) // seen in the last 12 months
	ins("LC", "VINLC000000000003", "maintenance", "delivered", "2023-03-31 10:00", "2023-03-31 12:00", nil)    // before the 24-month window
	// a second order of LA's VIN opened at the same instant: the greater order_no gives the name
	name = "赵六"
	ins("LA2", "VINLA000000000001", "repair", "delivered", "2025-03-31 23:59:59", "2025-04-01 10:00", nil)
	name = "王五"
	// service due in April: D by date (2025-10-05 08:00 + 180 d = 2026-04-03 08:00);
	// E by mileage: 6590 → 10000 km in 31 d = 110 km/d; 10000 km / 110 = 90.9 → 91 d after 2026-01-10 08:00 = 2026-04-11 08:00
	ins("SD", "VINSD000000000001", "maintenance", "delivered", "2025-10-05 08:00", "2025-10-05 10:00", 20000)
	ins("SD2", "VINSD000000000001", "maintenance", "delivered", "2025-10-05 08:00", "2025-10-05 10:00", 20010) // the same instant: SD2's mileage
	ins("SE0", "VINSE000000000002", "repair", "delivered", "2025-12-10 08:00", "2025-12-10 10:00", 6590)
	ins("SE1", "VINSE000000000002", "maintenance", "delivered", "2026-01-10 08:00", "2026-01-10 10:00", 10000)
	// the year to date: customer orders delivered 2026-01-10 (SE1), 2026-02-15 (Y1), 2026-03-20
	// (W3) and 2026-04-02 (W1); last year's January … April, 2025-04-01 (LA, LA2, LB)
	ins("Y1", "VINY1000000000001", "repair", "delivered", "2026-02-10 09:00", "2026-02-15 10:00", nil)
	if _, err := (&transform.Runner{DB: d, Config: transform.DefaultConfig()}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	check := func(name string, params map[string]string, cols []string, want [][]string) {
		t.Helper()
		got := run(t, d, name, params)
		idx := map[string]int{}
		for i, c := range got[0] {
			idx[c] = i
		}
		var rows [][]string
		for _, r := range got[1:] {
			var x []string
			for _, c := range cols {
				x = append(x, r[idx[c]])
			}
			rows = append(rows, x)
		}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %v\nwant %v", name, rows, want)
		}
	}
	// monthly_review's year to date, of the KPIs that add up alone; none for a year whose January
	// is before the store's first month (2023-03, LC's), nor for the year before it
	ytd := func(month string) [][]string {
		got := run(t, d, "monthly_review", map[string]string{"store": "S1", "month": month})
		idx := map[string]int{}
		for i, c := range got[0] {
			idx[c] = i
		}
		var rows [][]string
		for _, r := range got[1:] {
			if k := r[idx["kpi"]]; k == "orders" || k == "revenue" || k == "revenue_per_order" {
				rows = append(rows, []string{k, r[idx["value"]], r[idx["value_ytd"]], r[idx["value_ytd_prev_year"]], r[idx["change_ytd"]]})
			}
		}
		return rows
	}
	if got, want := ytd("2026-04"), [][]string{{"orders", "1", "4", "3", "1"}, {"revenue", "0", "0", "0", "0"}, {"revenue_per_order", "0", "0", "0", "0"}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("monthly_review S1 2026-04, year to date:\n got %v\nwant %v", got, want)
	}
	if got, want := ytd("2024-03"), [][]string{{"orders", "0", "0", "", ""}, {"revenue", "0", "0", "", ""}, {"revenue_per_order", "", "", "", ""}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("monthly_review S1 2024-03 (no year to date for 2023):\n got %v\nwant %v", got, want)
	}
	if got, want := ytd("2023-05"), [][]string{{"orders", "0", "", "", ""}, {"revenue", "0", "", "", ""}, {"revenue_per_order", "", "", "", ""}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("monthly_review S1 2023-05 (no year to date):\n got %v\nwant %v", got, want)
	}
	check("wip_month_end", map[string]string{"store": "S1", "month": "2026-03"}, []string{"order_no", "age_days"},
		[][]string{{"W1", "1.6"}, {"W2", "0.7"}})
	check("lost_customers", map[string]string{"store": "S1"}, []string{"vin", "last_visit", "customer_name", "visits"},
		[][]string{{"VINLA000000000001", "2025-03-31 23:59:59", "赵六", "2"}})
	check("service_due", map[string]string{"store": "S1", "month": "2026-03"}, []string{"vin", "due_at", "due_by", "km_per_day", "km_at_maintenance"},
		[][]string{{"VINSD000000000001", "2026-04-03 08:00:00", "date", "", "20010"}, {"VINSE000000000002", "2026-04-11 08:00:00", "mileage", "110", "10000"}})
}

// TestStoreYTDByHand: every store's year to date, ranked by revenue; none for a store whose data
// begins after January (C), nor last year's where it begins after last January (B).
func TestStoreYTDByHand(t *testing.T) {
	d := testenv.Empty(t)
	ins := func(store, no, at string, labor string) {
		t.Helper()
		_, err := d.Exec(`INSERT INTO raw_work_orders (store_id, order_no, vin, order_type, status, opened_at, delivered_at,
			labor_amount, parts_amount, other_amount, discount_amount, file_id, row_number)
			VALUES (?, ?, 'LSVAA4180E2' || lpad(?, 6, '0'), 'repair', 'delivered', ?::TIMESTAMP, ?::TIMESTAMP + INTERVAL 2 HOUR, ?::DECIMAL(18,2), 0, 0, 0, 0, 0)`,
			store, no, no, at, at, labor)
		if err != nil {
			t.Fatal(err)
		}
	}
	ins("A", "A1", "2025-01-05 09:00", "100")
	ins("A", "A2", "2026-01-10 09:00", "300")
	ins("A", "A3", "2026-03-05 09:00", "200")
	ins("A", "A4", "2025-04-01 09:00", "7") // after last year's March: not in its year to date
	ins("B", "B1", "2025-06-01 09:00", "50")
	ins("B", "B2", "2026-02-01 09:00", "1000")
	ins("B", "B3", "2026-03-31 09:00", "0.5")
	ins("C", "C1", "2026-02-15 09:00", "10")
	ins("C", "C2", "2026-03-02 09:00", "10")
	// D: ¥666.67 over two orders, a revenue per order of ¥333.335, rounded half away from zero to
	// ¥333.34 (a double holds 333.33499…, which a rounding of the double may take to ¥333.33)
	ins("D", "D0", "2025-01-02 09:00", "0")
	ins("D", "D1", "2026-01-02 09:00", "666.67")
	ins("D", "D2", "2026-03-02 09:00", "0")
	if _, err := (&transform.Runner{DB: d, Config: transform.DefaultConfig()}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := run(t, d, "store_ytd", map[string]string{"month": "2026-03"})
	want := [][]string{
		{"month", "rank", "store_id", "orders_ytd", "orders_ytd_prev_year", "revenue_ytd", "revenue_ytd_prev_year", "change_revenue_ytd", "change_revenue_ytd_pct"},
		{"2026-03", "1", "B", "2", "", "1000.5", "", "", ""},
		{"2026-03", "2", "D", "2", "1", "666.67", "0", "666.67", ""},
		{"2026-03", "3", "A", "2", "1", "500", "100", "400", "4"},
		{"2026-03", "", "C", "", "", "", "", "", ""},
	}
	idx := map[string]int{}
	for i, c := range got[0] {
		idx[c] = i
	}
	var rows [][]string
	for _, r := range got {
		var x []string
		for _, c := range want[0] {
			if _, ok := idx[c]; !ok {
				t.Fatalf("store_ytd has no column %s", c)
			}
			x = append(x, r[idx[c]])
		}
		rows = append(rows, x)
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("store_ytd 2026-03:\n got %v\nwant %v", rows, want)
	}
	// the same year to date as each store's monthly_review; and its revenue per order, rounded
	// to the cent half away from zero (D's ¥333.335 → ¥333.34)
	seen := 0
	for store, w := range map[string][3]string{"A": {"500", "100", "250"}, "B": {"1000.5", "", "500.25"}, "C": {"", "", ""}, "D": {"666.67", "0", "333.34"}} {
		for _, r := range run(t, d, "monthly_review", map[string]string{"store": store, "month": "2026-03"})[1:] {
			switch {
			case r[1] == "revenue":
				seen++
				if r[len(r)-3] != w[0] || r[len(r)-2] != w[1] {
					t.Errorf("monthly_review %s 2026-03: revenue year to date %q, last year's %q; store_ytd's %q", store, r[len(r)-3], r[len(r)-2], w[:2])
				}
			case r[1] == "revenue_per_order" && r[len(r)-3] != w[2]:
				t.Errorf("monthly_review %s 2026-03: revenue per order, year to date %q, want %q", store, r[len(r)-3], w[2])
			}
		}
	}
	if seen != 4 {
		t.Errorf("monthly_review 2026-03: a revenue row for %d of the 4 stores", seen)
	}
}

func TestResolve(t *testing.T) {
	if _, _, err := queries.Resolve("monthly_review", nil); err == nil {
		t.Error("a missing required parameter was accepted")
	}
	if _, _, err := queries.Resolve("monthly_review", map[string]string{"store": "S1", "nope": "1"}); err == nil {
		t.Error("an unknown parameter was accepted")
	}
	if _, _, err := queries.Resolve("no_such_query", nil); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("an unknown query name: %v", err)
	}
	// a mistyped name: the nearest name, or the one name holding the word; hyphens are a name too
	for typed, want := range map[string]string{"parts_ab": "parts_abc", "monthly-review": "monthly_review", "payroll": "payroll_month"} {
		if _, _, err := queries.Resolve(typed, nil); err == nil || !strings.Contains(err.Error(), "(did you mean "+want+"?)") {
			t.Errorf("%s: %v", typed, err)
		}
	}
	q, args, err := queries.Resolve("monthly_review", map[string]string{"store": "S1'; DROP TABLE x; --"})
	bound := false
	for _, a := range args {
		bound = bound || a == "S1'; DROP TABLE x; --"
	}
	if err != nil || strings.Contains(q, "DROP") || !bound {
		t.Errorf("parameters must be bound, not spliced: %v %v", args, err)
	}
	// a month that is not one is said, not answered with an empty table
	for _, m := range []string{"2026-13", "202609", "九月", "2026年13月"} {
		if _, _, err := queries.Resolve("abc_pareto", map[string]string{"store": "S1", "month": m}); err == nil || !strings.Contains(err.Error(), "YYYY-MM") {
			t.Errorf("month=%s: %v", m, err)
		}
	}
	for _, m := range []string{"2026-09", "latest"} {
		if _, _, err := queries.Resolve("advisor_ranking", map[string]string{"store": "S1", "month": m}); err != nil {
			t.Errorf("month=%s: %v", m, err)
		}
	}
	// a month as the exports write it is bound as YYYY-MM
	for _, m := range []string{"2026-9", "2026/9", "2026年9月", "2026.09"} {
		_, args, err := queries.Resolve("abc_pareto", map[string]string{"store": "S1", "month": m})
		if err != nil || !slices.Contains(args, any("2026-09")) {
			t.Errorf("month=%s: bound %v (%v), want 2026-09 among them", m, args, err)
		}
	}
}
