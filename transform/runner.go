// Package transform rebuilds every mart from the raw tables: embedded SQL models, one SELECT
// per file, run in file-name order in layers (stg_ → int_ → mart_), with data tests beside
// each model, all in ONE transaction, so a failure leaves the previous marts in place.
package transform

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aftersales/aftersales/ingest"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// Model is one embedded SQL model.
type Model struct {
	File  string // 030_mart_comebacks.sql
	Name  string // mart_comebacks
	SQL   string
	Tests []Test
	// Materialized is table (default), view (recomputed where used: cheap staging
	// projections), temp (a table of this run only, never written to the database file:
	// intermediate steps nothing outside the run reads) or raw (SQL run as written: macros).
	Materialized string
}

// Test is a data test: a SELECT of failing rows; zero rows passes.
type Test struct {
	Model, Spec, SQL string
}

// Step is a model computed in Go (payroll), run in file-name order among the SQL models.
type Step struct {
	Order string // sorts among file names, e.g. "045_mart_payroll"
	Name  string
	Run   func(ctx context.Context, tx *sql.Tx, cfg *Config) error
	Tests []string
}

var goSteps []Step

// RegisterStep adds a Go model (used by the payroll package).
func RegisterStep(s Step) { goSteps = append(goSteps, s) }

var testRe = regexp.MustCompile(`^--\s*test:\s*([a-z_]+)\((.*)\)\s*$`)
var matRe = regexp.MustCompile(`^--\s*materialized:\s*(table|view|temp)\s*$`)

// Models lists the SQL models in run order.
func Models() ([]Model, error) {
	entries, err := fs.ReadDir(sqlFS, "sql")
	if err != nil {
		return nil, err
	}
	var out []Model
	for _, e := range entries {
		b, err := sqlFS.ReadFile("sql/" + e.Name())
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(e.Name(), ".sql")
		if i := strings.IndexByte(name, '_'); i > 0 {
			name = name[i+1:]
		}
		m := Model{File: e.Name(), Name: name, SQL: string(b), Materialized: "table"}
		if strings.HasPrefix(m.SQL, "-- raw") {
			m.Materialized = "raw"
		}
		for _, line := range strings.Split(m.SQL, "\n") {
			if sm := matRe.FindStringSubmatch(strings.TrimSpace(line)); sm != nil {
				m.Materialized = sm[1]
			}
			if sm := testRe.FindStringSubmatch(strings.TrimSpace(line)); sm != nil {
				t, err := compileTest(name, sm[1], sm[2])
				if err != nil {
					return nil, fmt.Errorf("%s: %w", e.Name(), err)
				}
				m.Tests = append(m.Tests, t)
			}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

func splitArgs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// compileTest turns `unique(a, b)`, `not_null(a, b)`, `accepted_values(col: x, y)`,
// `relationships(col: table.col)` and `expression(sql)` into a SELECT of failing rows.
func compileTest(model, kind, args string) (Test, error) {
	t := Test{Model: model, Spec: kind + "(" + args + ")"}
	switch kind {
	case "unique":
		cols := strings.Join(splitArgs(args), ", ")
		t.SQL = fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY ALL HAVING count(*) > 1", cols, model)
	case "not_null":
		var conds []string
		for _, c := range splitArgs(args) {
			conds = append(conds, c+" IS NULL")
		}
		t.SQL = fmt.Sprintf("SELECT * FROM %s WHERE %s", model, strings.Join(conds, " OR "))
	case "accepted_values":
		col, vals, ok := strings.Cut(args, ":")
		if !ok {
			return t, fmt.Errorf("accepted_values needs col: v1, v2")
		}
		var q []string
		for _, v := range splitArgs(vals) {
			q = append(q, "'"+strings.ReplaceAll(v, "'", "''")+"'")
		}
		t.SQL = fmt.Sprintf("SELECT * FROM %s WHERE %s NOT IN (%s)", model, strings.TrimSpace(col), strings.Join(q, ", "))
	case "relationships":
		col, ref, ok := strings.Cut(args, ":")
		tbl, rcol, ok2 := strings.Cut(strings.TrimSpace(ref), ".")
		if !ok || !ok2 {
			return t, fmt.Errorf("relationships needs col: table.col")
		}
		col = strings.TrimSpace(col)
		t.SQL = fmt.Sprintf("SELECT * FROM %s t WHERE t.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = t.%s)", model, col, tbl, rcol, col)
	case "expression":
		t.SQL = fmt.Sprintf("SELECT * FROM %s WHERE NOT coalesce((%s), true)", model, args)
	default:
		return t, fmt.Errorf("unknown test %q", kind)
	}
	return t, nil
}

// Runner runs the models against one database.
type Runner struct {
	DB     *sql.DB
	Config *Config
	Log    *slog.Logger
	Now    func() time.Time
	// Progress, when set, is told each model as it starts.
	Progress func(done, total int, name string)
}

// Result summarises a run.
type Result struct {
	RunID    int64
	Models   int
	Tests    int
	Duration time.Duration
	Tables   map[string]int64 // rows per mart
}

// TestFailure is a broken invariant of our own tables: it fails the run.
type TestFailure struct {
	Test   Test
	Count  int
	Sample []string
}

func (f *TestFailure) Error() string {
	return fmt.Sprintf("data test %s on %s failed: %d row(s), e.g. %s", f.Test.Spec, f.Test.Model, f.Count, strings.Join(f.Sample, "; "))
}

const runsDDL = `CREATE TABLE IF NOT EXISTS transform_runs (
  run_id BIGINT PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
  models INTEGER, tests INTEGER, settings_json VARCHAR, message VARCHAR)`

// Run rebuilds every model and runs every data test in one transaction.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	start := time.Now()
	models, err := Models()
	if err != nil {
		return nil, err
	}
	if _, err := r.DB.ExecContext(ctx, runsDDL); err != nil {
		return nil, fmt.Errorf("creating transform_runs: %w", err)
	}
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := writeSettings(ctx, tx, r.Config); err != nil {
		return nil, err
	}
	type item struct {
		order string
		m     *Model
		s     *Step
	}
	var items []item
	for i := range models {
		items = append(items, item{order: models[i].File, m: &models[i]})
	}
	for i := range goSteps {
		items = append(items, item{order: goSteps[i].Order, s: &goSteps[i]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].order < items[j].order })
	var tests []Test
	// raw tables hold one row per natural key (the ingest upsert guarantees it; this checks it)
	for _, k := range ingest.Kinds() {
		t, err := compileTest("raw_"+k.Name, "unique", strings.Join(k.Key, ", "))
		if err != nil {
			return nil, err
		}
		tests = append(tests, t)
	}
	res := &Result{Tables: map[string]int64{}}
	trace := os.Getenv("AFTERSALES_TRACE") != ""
	for i, it := range items {
		if r.Progress != nil {
			r.Progress(i, len(items), it.order)
		}
		t0 := time.Now()
		if it.s != nil {
			if err := it.s.Run(ctx, tx, r.Config); err != nil {
				return nil, fmt.Errorf("model %s: %w", it.s.Name, err)
			}
			if trace {
				fmt.Fprintf(os.Stderr, "trace step %s: %v\n", it.order, time.Since(t0))
			}
			for _, spec := range it.s.Tests {
				kind, args, _ := strings.Cut(strings.TrimSuffix(spec, ")"), "(")
				t, err := compileTest(it.s.Name, kind, args)
				if err != nil {
					return nil, err
				}
				tests = append(tests, t)
			}
			continue
		}
		var stmt string
		switch it.m.Materialized {
		case "raw":
			stmt = it.m.SQL // helper macros: run as written
		case "view":
			stmt = fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", it.m.Name, it.m.SQL)
		case "temp":
			stmt = fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS\n%s", it.m.Name, it.m.SQL)
		default:
			stmt = fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", it.m.Name, it.m.SQL)
		}
		if it.m.Materialized != "raw" {
			if err := dropOtherKind(ctx, tx, it.m.Name, it.m.Materialized); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("model %s (transform/sql/%s): %w", it.m.Name, it.m.File, err)
		}
		tests = append(tests, it.m.Tests...)
		if trace {
			fmt.Fprintf(os.Stderr, "trace model %s: %v\n", it.order, time.Since(t0))
		}
	}
	t0 := time.Now()
	for _, t := range tests {
		if err := runTest(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	if trace {
		fmt.Fprintf(os.Stderr, "trace %d data tests: %v\n", len(tests), time.Since(t0))
	}
	for _, it := range items {
		name := it.order
		if it.m != nil {
			name = it.m.Name
		} else {
			name = it.s.Name
		}
		if strings.HasPrefix(name, "mart_") && !strings.HasPrefix(it.order, "000") {
			var n int64
			tx.QueryRowContext(ctx, "SELECT count(*) FROM "+name).Scan(&n)
			res.Tables[name] = n
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM transform_runs`).Scan(&res.RunID); err != nil {
		return nil, err
	}
	res.Models, res.Tests, res.Duration = len(items), len(tests), time.Since(start)
	wall := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO transform_runs VALUES (?, ?, ?, 'ok', ?, ?, ?, NULL)`,
		res.RunID, wall(now().Add(-res.Duration)), wall(now()), res.Models, res.Tests, r.Config.JSON())
	if err != nil {
		return nil, err
	}
	t1 := time.Now()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("committing the transform: %w", err)
	}
	if trace {
		fmt.Fprintf(os.Stderr, "trace commit: %v\n", time.Since(t1))
	}
	return res, nil
}

func runTest(ctx context.Context, tx *sql.Tx, t Test) error {
	rows, err := tx.QueryContext(ctx, t.SQL)
	if err != nil {
		return fmt.Errorf("data test %s on %s: %w", t.Spec, t.Model, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	f := &TestFailure{Test: t}
	for rows.Next() {
		f.Count++
		if len(f.Sample) < 3 {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			var parts []string
			for i, c := range cols {
				if i < 6 {
					parts = append(parts, fmt.Sprintf("%s=%v", c, vals[i]))
				}
			}
			f.Sample = append(f.Sample, "{"+strings.Join(parts, " ")+"}")
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if f.Count > 0 {
		return f
	}
	return nil
}

// writeSettings materialises the settings for SQL: cfg_store (one row per store with every
// setting in force), cfg_grade_rates and kpi_dictionary (with the targets in force).
func writeSettings(ctx context.Context, tx *sql.Tx, c *Config) error {
	var stores []string
	rows, err := tx.QueryContext(ctx, `SELECT store_id FROM raw_stores UNION SELECT store_id FROM raw_work_orders
		UNION SELECT store_id FROM raw_order_jobs UNION SELECT store_id FROM raw_technicians UNION SELECT store_id FROM raw_attendance
		UNION SELECT store_id FROM raw_parts UNION SELECT store_id FROM raw_parts_movements UNION SELECT store_id FROM raw_callbacks ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("listing stores: %w", err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		stores = append(stores, s)
	}
	rows.Close()
	stmts := []string{
		`CREATE OR REPLACE TABLE cfg_store (store_id VARCHAR PRIMARY KEY, comeback_window_days INTEGER, comeback_window INTERVAL,
			on_time_grace_minutes INTEGER, on_time_grace INTERVAL, hours_per_day DECIMAL(6,2), pool_rate DECIMAL(9,6), pool_basis VARCHAR,
			hour_rate DECIMAL(18,2), comeback_deduction DECIMAL(18,2), ss_divisor INTEGER, dead_stock_days INTEGER, dead_stock_window INTERVAL,
			payroll_scheme VARCHAR, lost_customer_months INTEGER, service_interval_days INTEGER, service_interval_km INTEGER)`,
		`CREATE OR REPLACE TABLE cfg_grade_rates (store_id VARCHAR, grade VARCHAR, hour_rate DECIMAL(18,2))`,
		`CREATE OR REPLACE TABLE kpi_dictionary (kpi VARCHAR PRIMARY KEY, position INTEGER, label_zh VARCHAR, label_en VARCHAR, unit VARCHAR,
			direction VARCHAR, target DOUBLE, formula_zh VARCHAR, formula_en VARCHAR, benchmark BOOLEAN)`,
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("writing settings: %w", err)
		}
	}
	for _, id := range stores {
		s, err := c.ForStore(id)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO cfg_store VALUES (?, ?, to_days(?::INTEGER), ?, to_minutes(?::BIGINT), ?::DECIMAL(6,2), ?::DECIMAL(9,6), ?,
			?::DECIMAL(18,2), ?::DECIMAL(18,2), ?, ?, to_days(?::INTEGER), ?, ?, ?, ?)`,
			id, s.ComebackWindowDays, s.ComebackWindowDays, s.OnTimeGraceMinutes, s.OnTimeGraceMinutes, s.HoursPerDay, s.PoolRate, s.PoolBasis,
			s.HourRate, s.ComebackDeduction, s.SSDivisor, s.DeadStockDays, s.DeadStockDays, s.PayrollScheme,
			s.LostCustomerMonths, s.ServiceIntervalDays, s.ServiceIntervalKm)
		if err != nil {
			return fmt.Errorf("settings of store %s: %w", id, err)
		}
		for g, rate := range s.GradeHourRates {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cfg_grade_rates VALUES (?, ?, ?::DECIMAL(18,2))`, id, g, rate); err != nil {
				return fmt.Errorf("grade_hour_rates of store %s: %w", id, err)
			}
		}
	}
	for i, k := range KPIs {
		var target any
		if t, ok := c.Targets[k.Key]; ok {
			target = t
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kpi_dictionary VALUES (?, ?, ?, ?, ?, ?, ?::DOUBLE, ?, ?, ?)`,
			k.Key, i, k.LabelZH, k.LabelEN, k.Unit, k.Direction, target, k.FormulaZH, k.FormulaEN, k.Benchmark)
		if err != nil {
			return fmt.Errorf("kpi_dictionary: %w", err)
		}
	}
	for key := range c.Targets {
		if _, ok := KPIByKey(key); !ok {
			return fmt.Errorf("settings: target for unknown KPI %q", key)
		}
	}
	return nil
}

// dropOtherKind drops a persistent object of the model's name when it is of another kind than
// the model now makes (a table that became a view, say), so a change of materialization needs
// no migration.
func dropOtherKind(ctx context.Context, tx *sql.Tx, name, mat string) error {
	var typ string
	err := tx.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables
		WHERE table_name = ? AND table_catalog <> 'temp' AND table_schema = 'main'`, name).Scan(&typ)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case typ == "VIEW" && mat != "view":
		_, err = tx.ExecContext(ctx, "DROP VIEW "+name)
	case typ != "VIEW" && mat != "table":
		_, err = tx.ExecContext(ctx, "DROP TABLE "+name)
	}
	return err
}
