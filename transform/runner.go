// Package transform rebuilds every mart from the raw tables: embedded SQL models, one SELECT
// per file, run in file-name order in layers (stg_ → int_ → mart_), with data tests beside
// each model, all in ONE transaction, so a failure leaves the previous marts in place.
package transform

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
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
	// Full (`-- incremental: full`): an incremental run computes this model over every loaded
	// row, not over its window (small marts across all stores, checks over all history).
	Full bool
	// ByStores (`-- computed: by store groups`): the model is computed for a group of the run's
	// stores at a time (tf_window narrowed to the group) and the groups' rows appended, so its
	// working memory does not grow with the number of stores. The model must read the stores
	// it computes from tf_window and give each store's rows from that store's inputs alone.
	ByStores bool
	// ByStoreRanges (`-- computed: by store ranges in full runs`): in a full run with more
	// orders than OrdersPerRange, the model is computed for one range of store ids at a time,
	// with the raw tables behind temporary views of that range's rows (a filter on store_id
	// against constants, which the scans skip row groups by), and the ranges' rows appended. Its
	// joins and aggregates on order keys then build hash tables of one range's orders: at scale
	// L (17 M orders) the orphan check's anti join took 12–25 s over all of them and 4–5 s in
	// ten ranges of 1.7 M (scratch, alternating), at S (1.8 M, one range) nothing changes. The
	// model must give each store's rows from that store's rows alone. An incremental run
	// computes it whole (its window is a few months).
	ByStoreRanges bool
	// Window (`-- window: parts`): in an incremental run, the model is computed, tested and
	// merged with tf_window replaced by tf_window_parts (see window): it reads parts inputs only,
	// so its months before the first parts change need no recomputing.
	Window string
	// OnOverflow (`-- on overflow: <text>`): what to tell the user when a value the model
	// computes does not fit its type (DuckDB's "out of range"): where the mistyped input lies.
	OnOverflow string
	// OnOverflowZH (`-- on overflow zh: <text>`): the same in Chinese (what users see by default).
	OnOverflowZH string
}

// Test is a data test: a SELECT of failing rows; zero rows passes.
type Test struct {
	Model, Spec, SQL string
	// Screen, when set, is a cheaper query of one number that is 0 whenever SQL would return no
	// rows; SQL runs only when it is not (to list the failing rows, or find there are none).
	Screen string
}

// Step is a model computed in Go (payroll), run in file-name order among the SQL models.
type Step struct {
	Order string // sorts among file names, e.g. "045_mart_payroll"
	Name  string
	Run   func(ctx context.Context, tx *sql.Tx, cfg *Config, incremental bool) error
	Tests []string
	// AllRows: the step reads the raw tables whole (it keeps its own account of what changed,
	// from tf_run.hw), not the incremental run's window.
	AllRows bool
}

var goSteps []Step

// RegisterStep adds a Go model (used by the payroll package).
func RegisterStep(s Step) { goSteps = append(goSteps, s) }

var testRe = regexp.MustCompile(`^--\s*test:\s*([a-z_]+)\((.*)\)\s*$`)
var matRe = regexp.MustCompile(`^--\s*materialized:\s*(table|view|temp)\s*$`)
var incRe = regexp.MustCompile(`^--\s*incremental:\s*full\s*$`)
var byStoresRe = regexp.MustCompile(`^--\s*computed:\s*by store groups\s*$`)
var byRangesRe = regexp.MustCompile(`^--\s*computed:\s*by store ranges in full runs\s*$`)
var overflowRe = regexp.MustCompile(`^--\s*on overflow( zh)?:\s*(.+)$`)
var windowRe = regexp.MustCompile(`^--\s*window:\s*(parts)\s*$`)

// partsKinds are the input kinds a `-- window: parts` model reads (besides the store-month
// spine, whose new months tf_window_parts covers): their new rows date its window.
var partsKinds = []string{"parts_movements", "parts"}

// isOverflow: DuckDB's ways of saying a value does not fit its type: a cast out of range
// ("… failed: value is out of range!", "Could not cast value … to DECIMAL(18,0)") or integer
// and decimal arithmetic past its width ("Out of Range Error: Overflow in multiplication …").
func isOverflow(err error) bool {
	e := strings.ToLower(err.Error())
	return strings.Contains(e, "out of range") || strings.Contains(e, "overflow in") ||
		(strings.Contains(e, "could not cast value") && strings.Contains(e, "decimal"))
}

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
			if incRe.MatchString(strings.TrimSpace(line)) {
				m.Full = true
			}
			if byStoresRe.MatchString(strings.TrimSpace(line)) {
				m.ByStores = true
			}
			if byRangesRe.MatchString(strings.TrimSpace(line)) {
				m.ByStoreRanges = true
			}
			if sm := windowRe.FindStringSubmatch(strings.TrimSpace(line)); sm != nil {
				m.Window = sm[1]
			}
			if sm := overflowRe.FindStringSubmatch(strings.TrimSpace(line)); sm != nil && sm[1] == "" {
				m.OnOverflow = strings.TrimSpace(sm[2])
			} else if sm != nil {
				m.OnOverflowZH = strings.TrimSpace(sm[2])
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
		// Equal keys have equal hashes, so a repeated key puts two equal 64-bit hashes next to
		// each other once the hashes are sorted. Sorting them and counting equal neighbours
		// takes 0.6–0.8 of the time of counting distinct hashes (a hash table of every row:
		// 4.2 M movements 0.51 → 0.30 s, 2.4 M parts months 0.18 → 0.13 s), which took half
		// the time of grouping by the key's texts. A collision of two different keys only costs
		// the exact query.
		t.Screen = fmt.Sprintf("SELECT count(*) FROM (SELECT h, lag(h) OVER (ORDER BY h) AS p FROM (SELECT hash(%s) AS h FROM %s)) WHERE h = p", cols, model)
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
		// (an anti join, not NOT EXISTS: DuckDB 1.4 may plan a correlated subquery as a delim
		// join, which crashed now and then — TestNoDelimJoin)
		t.SQL = fmt.Sprintf("SELECT t.* FROM %s t ANTI JOIN %s r ON r.%s = t.%s WHERE t.%s IS NOT NULL", model, tbl, rcol, col, col)
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
	// Full forces a full rebuild; otherwise a run is incremental when it can be (see Run).
	Full bool
	// StoreMonthsPerGroup is how many store-months of the run's window a ByStores model computes
	// at a time (default 1,200: the part × month grid of 50 stores' 24 months fits the default
	// memory limit; 500 stores' did not). A full run at scale L takes ten groups; an incremental
	// run, whose window is a few months per store, one or two. Every group holds at least one
	// store.
	StoreMonthsPerGroup int
	// OrdersPerRange is how many work orders a range of stores holds at most in a full run's
	// ByStoreRanges models and data-quality checks (default 2,000,000: scale S is one range,
	// scale L ten). Every range holds at least one store.
	OrdersPerRange int
	// Lang is the language of the run's message in transform_runs (msg.ZH or msg.EN; "" English).
	Lang string
}

// Result summarises a run.
type Result struct {
	RunID    int64
	Models   int
	Tests    int
	Duration time.Duration
	Tables   map[string]int64 // rows per mart
	// Mode is "full" or "incremental"; Why says why a run is full; Stores and Since describe an
	// incremental run's window (stores recomputed, earliest month recomputed).
	Mode, Why, Since string
	Stores           int
	// Ranges is how many ranges of stores a full run computed its ByStoreRanges models and
	// data-quality checks in (0: all stores at once).
	Ranges int
}

// Summary says in words what a run recomputed (printed by transform, kept in transform_runs).
func (r *Result) Summary() string { return r.SummaryIn(msg.EN) }

// SummaryIn is Summary in lang (msg.ZH or msg.EN).
func (r *Result) SummaryIn(lang string) string {
	if lang == "" {
		lang = msg.EN
	}
	switch {
	case r.Mode != "incremental":
		// (Why is one of plan's fixed reasons, in the catalog, or names a missing table)
		return msg.T(lang, "full rebuild (%s)", msg.Format(lang, r.Why))
	case r.Stores == 0:
		return msg.T(lang, "incremental: nothing loaded since the last run; benchmark and data quality refreshed")
	case r.Since < "1900-02":
		// (a payroll close or reopen marks its store to be recomputed from the start: the
		// window then begins before 1900, which means nothing to a reader)
		return msg.T(lang, "incremental: %d store(s) recomputed from their first month", r.Stores)
	}
	return msg.T(lang, "incremental: %d store(s) recomputed from %s", r.Stores, r.Since)
}

// runSummary is what transform_runs.summary_json keeps of a Result: what SummaryIn words, so
// that status says it in its own language (message is in the language of the run).
type runSummary struct {
	Mode, Why, Since string
	Stores           int
}

func (r *Result) summaryJSON() string {
	b, _ := json.Marshal(runSummary{Mode: r.Mode, Why: r.Why, Since: r.Since, Stores: r.Stores})
	return string(b)
}

// RunSummary words a run's transform_runs.summary_json in lang, as SummaryIn did when it ran;
// "" for a run recorded before the column (whose message is all there is).
func RunSummary(summaryJSON, lang string) string {
	var s runSummary
	if summaryJSON == "" || json.Unmarshal([]byte(summaryJSON), &s) != nil || s.Mode == "" {
		return ""
	}
	return (&Result{Mode: s.Mode, Why: s.Why, Since: s.Since, Stores: s.Stores}).SummaryIn(lang)
}

// TestFailure is a broken invariant of our own tables: it fails the run.
type TestFailure struct {
	Test   Test
	Count  int
	Sample []string
}

func (f *TestFailure) Error() string { return f.Text(msg.EN) }

// Text is the failure in lang.
func (f *TestFailure) Text(lang string) string {
	return msg.T(lang, "data test %s on %s failed: %d row(s), e.g. %s", f.Test.Spec, f.Test.Model, f.Count, strings.Join(f.Sample, "; "))
}

// bilingual is a text a model file gives in English and Chinese (`-- on overflow:` and
// `-- on overflow zh:`), as an error value so that msg shows it in the message's language.
type bilingual struct{ en, zh string }

func (b bilingual) Error() string { return b.en }

// Text is the text in lang (the English where the model gives no Chinese).
func (b bilingual) Text(lang string) string {
	if lang != msg.EN && b.zh != "" {
		return b.zh
	}
	return b.en
}

const runsDDL = `CREATE TABLE IF NOT EXISTS transform_runs (
  run_id BIGINT PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
  models INTEGER, tests INTEGER, settings_json VARCHAR, message VARCHAR);
ALTER TABLE transform_runs ADD COLUMN IF NOT EXISTS mode VARCHAR;
ALTER TABLE transform_runs ADD COLUMN IF NOT EXISTS high_water BIGINT;
ALTER TABLE transform_runs ADD COLUMN IF NOT EXISTS fingerprint VARCHAR;
ALTER TABLE transform_runs ADD COLUMN IF NOT EXISTS summary_json VARCHAR`

// Fingerprint identifies the models, the Go steps and the raw schema: an incremental run is
// only allowed on marts made by the same ones.
func Fingerprint() (string, error) {
	models, err := Models()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "schema %s\n", ingest.SchemaVersion)
	for _, m := range models {
		fmt.Fprintf(h, "%s\n%s\n", m.File, m.SQL)
	}
	for _, st := range goSteps {
		fmt.Fprintf(h, "step %s %s\n", st.Order, stepVersion)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// stepVersion changes with the Go steps' logic (payroll): it is part of the fingerprint.
const stepVersion = "payroll-1 dq-1"

// plan decides between a full rebuild and an incremental run. Incremental needs a previous
// successful run with the same settings and fingerprint, a high-water file_id, and every
// persisted table in place; it then recomputes, per store, the months from the earliest change
// since (tf_window). It returns the high-water mark of that run ("" why when incremental).
func (r *Runner) plan(ctx context.Context, tx *sql.Tx, models []Model, fp string) (hw int64, why string, err error) {
	if r.Full {
		return 0, "--full", nil
	}
	var settings, lastFP sql.NullString
	var lastHW sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT settings_json, fingerprint, high_water FROM transform_runs
		WHERE status = 'ok' ORDER BY run_id DESC LIMIT 1`).Scan(&settings, &lastFP, &lastHW)
	switch {
	case err == sql.ErrNoRows:
		return 0, "first run", nil
	case err != nil:
		return 0, "", err
	case !lastHW.Valid || !lastFP.Valid || lastFP.String != fp:
		return 0, "the models changed since the last run", nil
	case settings.String != r.Config.JSON():
		return 0, "the settings changed since the last run", nil
	}
	need := []string{"mart_payroll", "int_payroll_exceptions", "payroll_differences", "payroll_adjustments", "dq_unmatched"}
	for _, m := range models {
		if m.Materialized == "table" {
			need = append(need, m.Name)
		}
	}
	for _, t := range need {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
			WHERE table_name = ? AND table_schema = 'main' AND table_catalog = current_database()`, t).Scan(&n); err != nil {
			return 0, "", err
		}
		if n == 0 {
			return 0, t + " is missing", nil
		}
	}
	return lastHW.Int64, "", nil
}

// window creates tf_window(store_id, m0, m0_start, lookback, m_prev): the stores a run
// recomputes and, per store, the first month it recomputes (m0), where the orders it reads
// start (lookback = m0 less the comeback window: the origins of m0's comebacks) and the month
// before m0. A full run: every store, from the beginning. An incremental run: the stores with
// rows loaded after the last run (file_id > hw) or recorded in transform_dirty, from the month of
// the earliest such row — for an order or a row of an order, the earliest delivery of a
// candidate origin of that order where it has one (a new comeback changes its origin's
// first-time fix); for a replaced row, less the whole comeback window —, and never after the
// month following the store's last stored month (a new month extends the spine).
//
// tf_window_parts is the window of the models that read only parts inputs (`-- window: parts`:
// mart_parts_month): the same stores, from the month of the earliest parts movement or
// catalogue row loaded since, or replaced row (transform_dirty), or else from the month that
// extends the spine — without the comeback window's look-back, which only the order models need.
// A new month of every kind recomputes one month of the parts grid instead of the three from
// the look-back on (at S, 100 k instead of 300 k rows; the bench's month, whose files hold a
// few movements of the month before, two). Never before tf_window's m0; m0 is
// 9999-01 for a store with nothing to recompute there. tf_prev_parts carries the five stored
// months before its m0 for the parts model: the month before (its stock) and the months with
// issues (the six-month windows; the others add nothing to them).
func window(ctx context.Context, tx *sql.Tx, cat string, incremental bool, hw int64) error {
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE tf_window AS
		SELECT store_id, '0000-00' AS m0, TIMESTAMP '0001-01-01' AS m0_start, TIMESTAMP '0001-01-01' AS lookback, '0000-00' AS m_prev
		FROM cfg_store`,
		`CREATE OR REPLACE TEMP TABLE tf_window_parts AS SELECT * FROM tf_window`,
		`CREATE OR REPLACE TEMP TABLE tf_prev_parts (store_id VARCHAR, month VARCHAR, part_no VARCHAR,
		on_hand DECIMAL(18, 2), issued_net DECIMAL(18, 2), last_issue_at TIMESTAMP)`,
	}
	if incremental {
		// per store, the earliest instant of the changes src selects or transform_dirty records
		// (dirty: its since, as an expression over transform_dirty d and cfg_store c), and the
		// start of the month after its last stored month
		changed := func(src, dirty string) string {
			return `WITH changes AS (` + src + `
				UNION ALL SELECT d.store_id, ` + dirty + ` FROM transform_dirty d JOIN cfg_store c USING (store_id)),
			earliest AS (SELECT store_id, min(since) AS since FROM changes WHERE since IS NOT NULL GROUP BY store_id),
			stored AS (SELECT store_id, strptime(max(month) || '-01', '%Y-%m-%d') + INTERVAL 1 MONTH AS next_start
				FROM ` + cat + `.main.mart_store_month GROUP BY store_id),`
		}
		// The changes date the window by the earliest month they change. A new comeback changes
		// its origin's first-time fix, in the origin's month (that of its delivery), which can be
		// before the comeback's own. So the orders a change touches — new order rows, and the
		// orders of new job lines (their fault systems; int_comebacks reads nothing else) and of
		// new callbacks (which count in their order's months and make no comeback, but one pass
		// over the orders finds both) — date it by their opening or by the earliest delivery of
		// a candidate origin of theirs (CONTRACT §2: an order of the same store and VIN delivered
		// within the comeback window before the opening; here any such order, whatever its type
		// or status), whichever is earlier. That covers every origin a change can add, remove or
		// displace: the old origin of a comeback whose origin becomes a new order N is a
		// candidate of N or delivered after N's opening. The other kinds count in the months of
		// their own dates. Replaced rows (transform_dirty) may have left comebacks whose VINs are
		// gone: the whole window before them. (The window before every changed order's opening,
		// as before, made every store of the bench's month recompute three months: its exports
		// hold orders opened in the month before. With the candidates, 20 of 50 stores recompute
		// two — the other 30 do have a comeback of an August delivery —: the month's transform
		// at S 4.3–5.7 → 4.0–4.4 s in alternating runs, the window itself 0.15 → 0.23 s.)
		var own, refs []string // kinds dated by their own rows (the orders apart) / by their order
		for _, k := range ingest.Kinds() {
			switch {
			case k.SinceOrder:
				refs = append(refs, k.Name)
			case k.Name != "work_orders":
				own = append(own, k.Name)
			}
		}
		// (the orders of new references that are new rows themselves are in the first branch;
		// the references are materialized before they meet the orders: joined straight from the
		// raw tables' filtered scans, DuckDB built its hash table on all the orders instead —
		// incremental month at L: 18 M orders, the window 4.1 s. They are kept distinct and
		// without the keys of the new orders, which have no older row (a key has one row): what
		// is left is the few references to older orders, and orphans. At L the month's 1.8 M
		// references become 8,338 keys, and the join with the older orders 2.4 → 2.0 s.)
		pre := []string{
			`CREATE OR REPLACE TEMP TABLE tf_new_refs AS SELECT DISTINCT store_id, order_no FROM (` + ingest.OrderRefsSQL(hw, refs...) + `)
			ANTI JOIN (SELECT store_id, order_no FROM raw_work_orders WHERE file_id > ` + fmt.Sprint(hw) + `) USING (store_id, order_no)`,
			fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE tf_changed_orders AS
			SELECT o.store_id, o.vin, o.opened_at, o.opened_at - c.comeback_window AS cand_from
			FROM (SELECT store_id, vin, opened_at FROM raw_work_orders WHERE file_id > %d
			      UNION ALL
			      SELECT o.store_id, o.vin, o.opened_at FROM raw_work_orders o SEMI JOIN tf_new_refs r USING (store_id, order_no)
			      WHERE o.file_id <= %d) o
			JOIN cfg_store c USING (store_id)`, hw, hw),
		}
		for _, st := range pre {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("planning the run: %w", err)
			}
		}
		// Only a delivery before the store's earliest changed opening (f) can move its month
		// earlier, and only changed orders opened within the window after f can have one (their
		// cand_from before f): the candidates are sought in a month of deliveries, [min
		// cand_from, max f) as constants the scan filters on, not in all of them (at L, 18 M
		// orders: the window step 2.6 → 4.1 s with every delivery since the earliest cand_from).
		var from, to sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT min(cand_from), max(f) FROM (
			SELECT min(cand_from) AS cand_from, min(opened_at) AS f FROM tf_changed_orders GROUP BY store_id)`).Scan(&from, &to); err != nil {
			return fmt.Errorf("planning the run: %w", err)
		}
		src := []string{
			`SELECT store_id, opened_at AS since FROM tf_changed_orders`,
			`SELECT o.store_id, o.delivered_at FROM raw_work_orders o
				JOIN (SELECT c.* FROM tf_changed_orders c
				      JOIN (SELECT store_id, min(opened_at) AS f FROM tf_changed_orders GROUP BY store_id) USING (store_id)
				      WHERE c.cand_from < f) c
				ON o.store_id = c.store_id AND o.vin = c.vin AND o.delivered_at < c.opened_at AND o.delivered_at >= c.cand_from
				WHERE o.delivered_at >= ` + timestampLit(from, "0001-01-01") + ` AND o.delivered_at < ` + timestampLit(to, "0001-01-01"),
		}
		if len(own) > 0 {
			src = append(src, ingest.KindChangesSQL(hw, own...))
		}
		stmts = []string{
			`CREATE OR REPLACE TEMP TABLE tf_window AS
			` + changed(strings.Join(src, "\nUNION ALL "), "d.since - c.comeback_window") + `
			starts AS (
				SELECT e.store_id, c.comeback_window,
				       least(date_trunc('month', e.since), coalesce(s.next_start, TIMESTAMP '9999-01-01')) AS m0_start
				FROM earliest e JOIN cfg_store c USING (store_id) LEFT JOIN stored s USING (store_id))
			SELECT store_id, strftime(m0_start, '%Y-%m') AS m0, m0_start, m0_start - comeback_window AS lookback,
			       strftime(m0_start - INTERVAL 1 MONTH, '%Y-%m') AS m_prev
			FROM starts`,
			`DROP TABLE tf_new_refs; DROP TABLE tf_changed_orders`,
			`CREATE OR REPLACE TEMP TABLE tf_window_parts AS
			` + changed(ingest.KindChangesSQL(hw, partsKinds...), "d.since") + `
			starts AS (
				SELECT w.store_id, w.lookback,
				       greatest(w.m0_start, least(coalesce(date_trunc('month', e.since), TIMESTAMP '9999-01-01'),
				                                  coalesce(s.next_start, TIMESTAMP '9999-01-01'))) AS m0_start
				FROM tf_window w LEFT JOIN earliest e USING (store_id) LEFT JOIN stored s USING (store_id))
			SELECT store_id, strftime(m0_start, '%Y-%m') AS m0, m0_start, lookback,
			       strftime(m0_start - INTERVAL 1 MONTH, '%Y-%m') AS m_prev
			FROM starts`,
			`CREATE OR REPLACE TEMP TABLE tf_prev_parts AS
			SELECT p.store_id, p.month, p.part_no, p.on_hand, p.issued_net, p.last_issue_at
			FROM ` + cat + `.main.mart_parts_month p JOIN tf_window_parts w USING (store_id)
			WHERE p.month >= strftime(w.m0_start - INTERVAL 5 MONTH, '%Y-%m') AND p.month < w.m0
			  AND (p.month = w.m_prev OR p.issued_net <> 0)`,
		}
	}
	// tf_run.hw: the rows loaded since the last run are those with a file_id above it (every row
	// on a full run: file_ids are never negative)
	if !incremental {
		hw = -1
	}
	stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE tf_run AS SELECT %d::BIGINT AS hw`, hw))
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("planning the run: %w", err)
		}
	}
	return nil
}

// shadows are the temporary views an incremental run puts in front of the raw tables (and of
// the marts it has already merged) so that the models, unchanged, read only the window: DuckDB
// resolves a name in the temp schema first.
type shadows struct {
	cat    string
	on     bool
	made   bool     // the window's raw rows are in temp tables tf_raw_<kind> (made once a run)
	merged []string // persisted models merged so far: shadowed from m_prev on
}

// rawShadow is, per input kind, the rows of the window: orders opened or delivered since the
// lookback, their job lines and callbacks, parts movements and attendance from m0, the other
// kinds of the window's stores. The copy leaves out the display columns (names, plates, job
// texts: ingest's Column.Display), which no model computes with (the work orders' copy at scale S:
// 0.7 → 0.45 s). b holds the window's earliest bounds as constants (windowBounds): a filter on a
// column against a constant is pushed into the scan, so only the matching rows' columns are
// read (and row groups outside it skipped by their zone maps), while a filter against the joined
// window's per-store bound, or an OR of two columns, reads every row of every column first. The
// work orders are therefore two scans, opened since the lookback and, of the others, delivered
// since it (at S, traced runs: the copy 146 → 125 ms on the bench's base, 151 → 92 ms on a base
// built month by month, where the rows lie in time order).
func rawShadow(cat string, k *ingest.Kind, b windowBounds) string {
	t := cat + ".main.raw_" + k.Name
	cols := "r.*"
	if d := displayColumns(k); len(d) > 0 {
		cols = "r.* EXCLUDE (" + strings.Join(d, ", ") + ")"
	}
	switch k.Name {
	case "work_orders":
		return `SELECT ` + cols + ` FROM ` + t + ` r JOIN tf_window w USING (store_id) WHERE r.opened_at >= ` + b.lookback + ` AND r.opened_at >= w.lookback
			UNION ALL
			SELECT ` + cols + ` FROM ` + t + ` r JOIN tf_window w USING (store_id) WHERE r.delivered_at >= ` + b.lookback + ` AND r.delivered_at >= w.lookback
			  AND NOT coalesce(r.opened_at >= w.lookback, false)`
	case "order_jobs", "callbacks":
		return `SELECT ` + cols + ` FROM ` + t + ` r SEMI JOIN tf_raw_work_orders o USING (store_id, order_no)`
	case "parts_movements":
		return `SELECT ` + cols + ` FROM ` + t + ` r JOIN tf_window w USING (store_id) WHERE r.moved_at >= ` + b.m0Start + ` AND r.moved_at >= w.m0_start`
	case "attendance":
		return `SELECT ` + cols + ` FROM ` + t + ` r JOIN tf_window w USING (store_id) WHERE r.month >= ` + b.m0 + ` AND r.month >= w.m0`
	default:
		return `SELECT ` + cols + ` FROM ` + t + ` r SEMI JOIN tf_window w USING (store_id)`
	}
}

// timestampLit is t as a SQL TIMESTAMP literal, or the literal of null (a date) where t is NULL.
func timestampLit(t sql.NullTime, null string) string {
	if !t.Valid {
		return "TIMESTAMP '" + null + "'"
	}
	return "TIMESTAMP '" + t.Time.Format("2006-01-02 15:04:05.999999") + "'"
}

// windowBounds: the earliest lookback, m0_start and m0 of tf_window as SQL literals (of an empty
// window: bounds no row reaches).
type windowBounds struct{ lookback, m0Start, m0 string }

func readWindowBounds(ctx context.Context, tx *sql.Tx) (windowBounds, error) {
	var lb, m0s sql.NullTime
	var m0 sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT min(lookback), min(m0_start), min(m0) FROM tf_window`).Scan(&lb, &m0s, &m0); err != nil {
		return windowBounds{}, fmt.Errorf("reading the window's bounds: %w", err)
	}
	b := windowBounds{lookback: timestampLit(lb, "9999-12-31"), m0Start: timestampLit(m0s, "9999-12-31"), m0: "'9999-12'"}
	if m0.Valid {
		b.m0 = "'" + strings.ReplaceAll(m0.String, "'", "''") + "'"
	}
	return b, nil
}

func displayColumns(k *ingest.Kind) []string {
	var out []string
	for _, c := range k.Columns {
		if c.Display {
			out = append(out, c.Name)
		}
	}
	return out
}

// shadowView is the temporary view raw_<kind> of an incremental run: the window's copy with
// the raw table's columns in their order. A display column left out of the copy is an error()
// there, which DuckDB evaluates only if a query reads the column (unused columns are pruned):
// a model that starts computing with one fails the run, naming the column, instead of reading
// NULLs.
func shadowView(k *ingest.Kind) string {
	var sel []string
	for _, c := range k.Columns {
		if c.Display {
			sel = append(sel, fmt.Sprintf("error('raw_%s.%s is a display column, left out of an incremental run''s window (ingest Column.Display): a column a model computes with must not be declared Display')::%s AS %s",
				k.Name, c.Name, c.SQLType(), c.Name))
		} else {
			sel = append(sel, c.Name)
		}
	}
	return "CREATE OR REPLACE TEMP VIEW raw_" + k.Name + " AS SELECT " + strings.Join(sel, ", ") + ", file_id, row_number FROM tf_raw_" + k.Name
}

func (s *shadows) set(ctx context.Context, tx *sql.Tx, on bool) error {
	if s.on == on {
		return nil
	}
	var stmts []string
	if on && !s.made {
		// the window's rows once, in temp tables (work orders first: job lines and callbacks
		// follow their orders); the models then read them many times
		kinds := []*ingest.Kind{ingest.WorkOrders}
		for _, k := range ingest.Kinds() {
			if k.Name != "work_orders" {
				kinds = append(kinds, k)
			}
		}
		b, err := readWindowBounds(ctx, tx)
		if err != nil {
			return err
		}
		for _, k := range kinds {
			stmts = append(stmts, "CREATE OR REPLACE TEMP TABLE tf_raw_"+k.Name+" AS "+rawShadow(s.cat, k, b))
		}
		s.made = true
	}
	for _, k := range ingest.Kinds() {
		if on {
			stmts = append(stmts, shadowView(k))
		} else {
			stmts = append(stmts, "DROP VIEW IF EXISTS temp.main.raw_"+k.Name)
		}
	}
	for _, m := range s.merged {
		if on {
			stmts = append(stmts, s.mergedView(m))
		} else {
			stmts = append(stmts, "DROP VIEW IF EXISTS temp.main."+m)
		}
	}
	for _, st := range stmts {
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("window views: %w", err)
		}
		if os.Getenv("AFTERSALES_TRACE") != "" && time.Since(t0) > 20*time.Millisecond {
			fmt.Fprintf(os.Stderr, "trace %.60s: %v\n", st, time.Since(t0))
		}
	}
	s.on = on
	return nil
}

// mergedView is the shadow of a merged model: its stored rows of the window's stores from the
// month before m0 (a model reading it may need the month before, as turnover does).
func (s *shadows) mergedView(name string) string {
	return fmt.Sprintf(`CREATE OR REPLACE TEMP VIEW %s AS SELECT x.* FROM %s.main.%s x JOIN tf_window w USING (store_id) WHERE x.month >= w.m_prev`, name, s.cat, name)
}

// deleteWindow removes the rows of an incremental run's window (stores of tf_window, months
// from their m0) from a stored table before the recomputed rows go in.
func deleteWindow(ctx context.Context, tx *sql.Tx, table, monthCol string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` AS t USING tf_window w WHERE t.store_id = w.store_id AND t.`+monthCol+` >= w.m0`)
	if err != nil {
		return fmt.Errorf("updating %s: %w", table, err)
	}
	return nil
}

// merge replaces the window's rows of a persisted model (the stores of tf_window, months from
// their m0) with the rows just computed in the temp table of the same name.
func (s *shadows) merge(ctx context.Context, tx *sql.Tx, name string) error {
	main := s.cat + ".main." + name
	t0 := time.Now()
	if err := deleteWindow(ctx, tx, main, "month"); err != nil {
		return err
	}
	traced("merge "+name+": delete", t0)
	t0 = time.Now()
	defer traced("merge "+name+": insert", t0)
	for _, st := range []string{
		`INSERT INTO ` + main + ` SELECT t.* FROM temp.main.` + name + ` t JOIN tf_window w USING (store_id) WHERE t.month >= w.m0`,
		`DROP TABLE temp.main.` + name,
		s.mergedView(name),
	} {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("merging %s: %w", name, err)
		}
	}
	s.merged = append(s.merged, name)
	return nil
}

// Run brings every model up to date and runs every data test in one transaction. A full run
// rebuilds every model from all loaded rows. An incremental run (the default when possible:
// same settings and models as the last run) recomputes only the store-months that rows loaded
// since, or replaced since, can change (see window), merges them into the stored marts and
// recomputes the cross-store models (benchmark, data quality) in full; it gives the same marts
// as a full run (tested).
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
	fp, err := Fingerprint()
	if err != nil {
		return nil, err
	}
	if _, err := r.DB.ExecContext(ctx, runsDDL); err != nil {
		return nil, fmt.Errorf("creating transform_runs: %w", err)
	}
	// The tables a run writes, their texts compressed without FSST: DuckDB analyses each text
	// segment it writes for both a dictionary and FSST and keeps the smaller, and the marts'
	// texts (stores, months, part numbers, classes, technicians, KPI names) are few distinct
	// values, for which the dictionary wins anyway; the analysis of FSST is what costs. Writing the
	// 2.4 M rows of mart_parts_month at S (scratch, from a temporary table): 1.50–1.82 → 1.24 s,
	// the same segments. The few texts of many values (mart_comebacks' order numbers and VINs,
	// dq_unmatched's row keys: ≈ 0.1 M rows) are stored by dictionary or uncompressed instead.
	// The setting is DuckDB's global one, for this process's database; it is reset when the run
	// ends (the raw tables name their compression per column: ingest's Column.Distinct).
	if _, err := r.DB.ExecContext(ctx, `SET disabled_compression_methods = 'fsst'`); err != nil {
		return nil, err
	}
	defer r.DB.ExecContext(context.Background(), `RESET disabled_compression_methods`)
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var cat string
	if err := tx.QueryRowContext(ctx, `SELECT current_database()`).Scan(&cat); err != nil {
		return nil, err
	}
	cat = `"` + strings.ReplaceAll(cat, `"`, `""`) + `"`
	var hwNow int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(file_id), 0) FROM ingest_files`).Scan(&hwNow); err != nil {
		return nil, err
	}
	lastHW, why, err := r.plan(ctx, tx, models, fp)
	if err != nil {
		return nil, err
	}
	incremental := why == ""
	if err := writeSettings(ctx, tx, r.Config); err != nil {
		return nil, err
	}
	trace := os.Getenv("AFTERSALES_TRACE") != ""
	if trace {
		fmt.Fprintf(os.Stderr, "trace plan and settings: %v\n", time.Since(start))
	}
	t0 := time.Now()
	if err := window(ctx, tx, cat, incremental, lastHW); err != nil {
		return nil, err
	}
	if trace {
		fmt.Fprintf(os.Stderr, "trace window: %v\n", time.Since(t0))
	}
	perRange := r.OrdersPerRange
	if perRange <= 0 {
		perRange = 2_000_000
	}
	ranges, err := planStoreRanges(ctx, tx, !incremental, perRange)
	if err != nil {
		return nil, err
	}
	res := &Result{Tables: map[string]int64{}, Mode: "full", Why: why, Ranges: len(ranges)}
	if incremental {
		res.Mode = "incremental"
		var since sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT count(*), min(m0) FROM tf_window`).Scan(&res.Stores, &since); err != nil {
			return nil, err
		}
		res.Since = since.String
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
	sh := &shadows{cat: cat}
	ntests := 0
	runTests := func(tests []Test) error {
		for _, t := range tests {
			if err := runTest(ctx, tx, t); err != nil {
				return err
			}
			ntests++
		}
		return nil
	}
	// raw tables hold one row per natural key (the ingest upsert guarantees it; this checks it,
	// over the window's rows in an incremental run)
	var rawTests []Test
	for _, k := range ingest.Kinds() {
		t, err := compileTest("raw_"+k.Name, "unique", strings.Join(k.Key, ", "))
		if err != nil {
			return nil, err
		}
		rawTests = append(rawTests, t)
	}
	t0 = time.Now()
	if err := sh.set(ctx, tx, incremental); err != nil {
		return nil, err
	}
	if err := runTests(rawTests); err != nil {
		return nil, err
	}
	if trace {
		fmt.Fprintf(os.Stderr, "trace %s run (%s), raw tests: %v\n", res.Mode, why, time.Since(t0))
	}
	for i, it := range items {
		if r.Progress != nil {
			r.Progress(i, len(items), it.order)
		}
		t0 := time.Now()
		if it.s != nil {
			if err := sh.set(ctx, tx, incremental && !it.s.AllRows); err != nil {
				return nil, err
			}
			if err := it.s.Run(ctx, tx, r.Config, incremental); err != nil {
				return nil, fmt.Errorf("model %s: %w", it.s.Name, err)
			}
			var tests []Test
			for _, spec := range it.s.Tests {
				kind, args, _ := strings.Cut(strings.TrimSuffix(spec, ")"), "(")
				t, err := compileTest(it.s.Name, kind, args)
				if err != nil {
					return nil, err
				}
				tests = append(tests, t)
			}
			if err := sh.set(ctx, tx, false); err != nil { // the step's tests see the whole table
				return nil, err
			}
			if err := runTests(tests); err != nil {
				return nil, err
			}
			if trace {
				fmt.Fprintf(os.Stderr, "trace step %s: %v\n", it.order, time.Since(t0))
			}
			continue
		}
		m := it.m
		windowed := incremental && !m.Full
		if m.Materialized != "view" && !(m.Materialized == "raw" && !m.Full) {
			if err := sh.set(ctx, tx, windowed); err != nil {
				return nil, err
			}
		}
		merged := windowed && m.Materialized == "table" // computed for the window, tested, then merged
		mat := m.Materialized
		if merged {
			mat = "temp"
		}
		var stmt string
		switch mat {
		case "raw":
			stmt = m.SQL // helper macros, fix-ups: run as written
		case "view":
			stmt = fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", m.Name, m.SQL)
		case "temp":
			stmt = fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s AS\n%s", m.Name, m.SQL)
		default:
			stmt = fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", m.Name, m.SQL)
		}
		if m.Materialized != "raw" && !merged {
			if err := dropOtherKind(ctx, tx, m.Name, m.Materialized); err != nil {
				return nil, err
			}
		}
		if windowed && m.Window != "" {
			if err := useWindow(ctx, tx, "tf_window_"+m.Window); err != nil {
				return nil, err
			}
		}
		// (a view computes nothing where it is defined: its work shows in its readers' plans, and
		// its SELECT * alone would read the display columns an incremental run leaves out)
		if mat != "raw" && mat != "view" && explain(m.Name) {
			if err := explainAnalyze(ctx, os.Stderr, tx, m.Name, m.SQL); err != nil {
				return nil, err
			}
			if trace {
				fmt.Fprintf(os.Stderr, "trace explain %s: %v\n", m.Name, time.Since(t0))
			}
			t0 = time.Now() // the model's own trace times its run, not the EXPLAIN's too
		}
		var err error
		if m.ByStores && (mat == "table" || mat == "temp") {
			err = r.byStoreGroups(ctx, tx, m, mat, stmt)
		} else if m.ByStoreRanges && !incremental && len(ranges) > 1 && (mat == "table" || mat == "temp") {
			err = byStoreRanges(ctx, tx, cat, m, mat, stmt, ranges, viewModels(models, m.File))
		} else {
			_, err = tx.ExecContext(ctx, stmt)
		}
		if err != nil {
			if m.OnOverflow != "" && isOverflow(err) {
				return nil, msg.Errorf("model %s (transform/sql/%s): %w\n%s", m.Name, m.File, err, bilingual{m.OnOverflow, m.OnOverflowZH})
			}
			return nil, fmt.Errorf("model %s (transform/sql/%s): %w", m.Name, m.File, err)
		}
		if err := runTests(m.Tests); err != nil {
			return nil, err
		}
		if merged {
			if err := sh.merge(ctx, tx, m.Name); err != nil {
				return nil, err
			}
		}
		if windowed && m.Window != "" {
			if err := restoreWindow(ctx, tx); err != nil {
				return nil, err
			}
		}
		if trace {
			fmt.Fprintf(os.Stderr, "trace model %s: %v\n", it.order, time.Since(t0))
		}
	}
	if err := sh.set(ctx, tx, false); err != nil {
		return nil, err
	}
	for _, it := range items {
		var name string
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM transform_dirty`); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM transform_runs`).Scan(&res.RunID); err != nil {
		return nil, err
	}
	res.Models, res.Tests, res.Duration = len(items), ntests, time.Since(start)
	wall := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	}
	message := res.SummaryIn(r.Lang)
	_, err = tx.ExecContext(ctx, `INSERT INTO transform_runs (run_id, started_at, finished_at, status, models, tests, settings_json, message, mode, high_water, fingerprint, summary_json)
		VALUES (?, ?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?)`,
		res.RunID, wall(now().Add(-res.Duration)), wall(now()), res.Models, res.Tests, r.Config.JSON(), message, res.Mode, hwNow, fp, res.summaryJSON())
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
	if os.Getenv("AFTERSALES_TRACE") != "" {
		defer func(t0 time.Time) {
			if d := time.Since(t0); d > 20*time.Millisecond {
				fmt.Fprintf(os.Stderr, "trace test %s on %s: %v\n", t.Spec, t.Model, d)
			}
		}(time.Now())
	}
	if t.Screen != "" {
		var n int64
		if err := tx.QueryRowContext(ctx, t.Screen).Scan(&n); err != nil {
			return fmt.Errorf("data test %s on %s: %w", t.Spec, t.Model, err)
		}
		if n == 0 {
			return nil
		}
	}
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
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
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
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("listing stores: %w", err)
		}
		stores = append(stores, s)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("listing stores: %w", err)
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
	var storeRows, gradeRows, kpiRows [][]any
	for _, id := range stores {
		s, err := c.ForStore(id)
		if err != nil {
			return err
		}
		storeRows = append(storeRows, []any{id, s.ComebackWindowDays, s.ComebackWindowDays, s.OnTimeGraceMinutes, s.OnTimeGraceMinutes, s.HoursPerDay, s.PoolRate, s.PoolBasis,
			s.HourRate, s.ComebackDeduction, s.SSDivisor, s.DeadStockDays, s.DeadStockDays, s.PayrollScheme,
			s.LostCustomerMonths, s.ServiceIntervalDays, s.ServiceIntervalKm})
		for g, rate := range s.GradeHourRates {
			gradeRows = append(gradeRows, []any{id, g, rate})
		}
	}
	if err := insertRows(ctx, tx, `INSERT INTO cfg_store VALUES `, `(?, ?, to_days(?::INTEGER), ?, to_minutes(?::BIGINT), ?::DECIMAL(6,2), ?::DECIMAL(9,6), ?,
			?::DECIMAL(18,2), ?::DECIMAL(18,2), ?, ?, to_days(?::INTEGER), ?, ?, ?, ?)`, storeRows,
		"the stores' settings (cfg_store)"); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, `INSERT INTO cfg_grade_rates VALUES `, `(?, ?, ?::DECIMAL(18,2))`, gradeRows,
		"grade_hour_rates (cfg_grade_rates)"); err != nil {
		return err
	}
	for i, k := range KPIs {
		var target any
		if t, ok := c.Targets[k.Key]; ok {
			target = t
		}
		kpiRows = append(kpiRows, []any{k.Key, i, k.LabelZH, k.LabelEN, k.Unit, k.Direction, target, k.FormulaZH, k.FormulaEN, k.Benchmark})
	}
	if err := insertRows(ctx, tx, `INSERT INTO kpi_dictionary VALUES `, `(?, ?, ?, ?, ?, ?, ?::DOUBLE, ?, ?, ?)`, kpiRows,
		"kpi_dictionary"); err != nil {
		return err
	}
	for key := range c.Targets {
		if _, ok := KPIByKey(key); !ok {
			return msg.Errorf("settings: target for unknown KPI %q", key)
		}
	}
	return nil
}

// insertRows inserts rows (each filling tuple's placeholders) with one statement per 100 rows
// instead of one per row (≈ 150 statements a run at scale S). The values were checked when the
// settings were read (Config.validate); what names the rows in an error.
func insertRows(ctx context.Context, tx *sql.Tx, head, tuple string, rows [][]any, what string) error {
	const per = 100
	for lo := 0; lo < len(rows); lo += per {
		hi := min(lo+per, len(rows))
		tuples := make([]string, 0, hi-lo)
		var args []any
		for _, r := range rows[lo:hi] {
			tuples = append(tuples, tuple)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, head+strings.Join(tuples, ", "), args...); err != nil {
			return fmt.Errorf("writing %s: %w", what, err)
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

// explain: AFTERSALES_EXPLAIN=name[,name…] (or "all") prints the EXPLAIN ANALYZE of those
// models' queries to stderr before they run (so each runs twice): the profile of a slow model.
// Views are not explained (their readers' plans hold their work).
func explain(name string) bool {
	v := os.Getenv("AFTERSALES_EXPLAIN")
	if v == "" {
		return false
	}
	for _, n := range strings.Split(v, ",") {
		if n == "all" || strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

func explainAnalyze(ctx context.Context, w io.Writer, tx *sql.Tx, name, query string) error {
	var kind, plan string
	if err := tx.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+query).Scan(&kind, &plan); err != nil {
		return fmt.Errorf("explain %s: %w", name, err)
	}
	type node struct {
		Name     string            `json:"operator_name"`
		Timing   float64           `json:"operator_timing"`
		Rows     int64             `json:"operator_cardinality"`
		Extra    map[string]any    `json:"extra_info"`
		Children []json.RawMessage `json:"children"`
		Latency  float64           `json:"latency"`
	}
	var flat []node
	var walk func(raw []byte) error
	walk = func(raw []byte) error {
		var n node
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		if n.Name != "" {
			flat = append(flat, n)
		}
		for _, c := range n.Children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk([]byte(plan)); err != nil {
		return fmt.Errorf("explain %s: %w", name, err)
	}
	sort.SliceStable(flat, func(i, j int) bool { return flat[i].Timing > flat[j].Timing })
	fmt.Fprintf(w, "explain %s: %d operators, slowest first (operator time, rows out)\n", name, len(flat))
	for i, n := range flat {
		if i == 15 {
			break
		}
		extra, _ := json.Marshal(n.Extra)
		if len(extra) > 160 && os.Getenv("AFTERSALES_EXPLAIN_FULL") == "" {
			extra = append(extra[:160], "…"...)
		}
		fmt.Fprintf(w, "  %7.3fs %10d  %s %s\n", n.Timing, n.Rows, n.Name, extra)
	}
	return nil
}

// useWindow makes tf_window a copy of another window (tf_window_parts) for one model, keeping
// the run's own in tf_window_main; restoreWindow puts it back. The shadow views of the merged
// models and of the window's raw rows do not change: the raw copies hold the run's window, a
// superset of any narrower one, and a model filters them by the tf_window it reads.
func useWindow(ctx context.Context, tx *sql.Tx, name string) error {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE tf_window_main AS SELECT * FROM tf_window;
		CREATE OR REPLACE TEMP TABLE tf_window AS SELECT * FROM `+name); err != nil {
		return fmt.Errorf("switching to the window %s: %w", name, err)
	}
	return nil
}

func restoreWindow(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE tf_window AS SELECT * FROM tf_window_main;
		DROP TABLE tf_window_main`); err != nil {
		return fmt.Errorf("restoring the run's window: %w", err)
	}
	return nil
}

// byStoreGroups runs create (the model's CREATE … AS) with tf_window narrowed to the first
// group of stores, then appends each later group's rows, and restores tf_window. Groups are
// runs of consecutive store ids, so a model ordered by store keeps its order, and hold at most
// StoreMonthsPerGroup of the window's store-months (int_store_months: the models computed by
// store groups come after it). Grouping by stores alone computed an incremental run at scale L,
// three months of 500 stores, in ten groups that each read every store's window rows: the
// parts model's queries took 13 s in ten groups, 8 s in the two groups of 1,200 store-months.
func (r *Runner) byStoreGroups(ctx context.Context, tx *sql.Tx, m *Model, mat, create string) error {
	budget := r.StoreMonthsPerGroup
	if budget <= 0 {
		budget = 50 * 24
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.store_id, count(s.month) FROM tf_window w
		LEFT JOIN int_store_months s ON s.store_id = w.store_id AND s.month >= w.m0 GROUP BY w.store_id ORDER BY w.store_id`)
	if err != nil {
		return err
	}
	type group struct{ first, last string }
	var groups []group
	months := 0
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return err
		}
		if len(groups) == 0 || months+n > budget {
			groups = append(groups, group{s, s})
			months = 0
		}
		groups[len(groups)-1].last = s
		months += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(groups) <= 1 {
		_, err := tx.ExecContext(ctx, create)
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE tf_window_all AS SELECT * FROM tf_window`); err != nil {
		return err
	}
	if err := computeInParts(ctx, tx, m, mat, create, len(groups), func(i int) (string, error) {
		g := groups[i]
		_, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE tf_window AS
			SELECT * FROM tf_window_all WHERE store_id BETWEEN ? AND ?`, g.first, g.last)
		return g.first + "–" + g.last, err
	}); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE tf_window AS SELECT * FROM tf_window_all;
		DROP TABLE tf_window_all`)
	return err
}

// storeRange is the store ids above After (unset: from the first) up to Last (unset: to the
// end): the ranges of a run cover every store id, also of stores with no work orders.
type storeRange struct{ After, Last sql.NullString }

// pred is the range as a filter on col, against constants.
func (g storeRange) pred(col string) string {
	var p []string
	if g.After.Valid {
		p = append(p, col+" > "+db.Quote(g.After.String))
	}
	if g.Last.Valid {
		p = append(p, col+" <= "+db.Quote(g.Last.String))
	}
	if len(p) == 0 {
		return "true"
	}
	return strings.Join(p, " AND ")
}

// planStoreRanges cuts a full run's stores, in store id order, into ranges of at most per work
// orders (a store with more is a range of its own) and keeps them in tf_store_ranges for the
// steps computed in Go (data quality). None, and tf_store_ranges empty, when the run is
// incremental or the stores make one range.
func planStoreRanges(ctx context.Context, tx *sql.Tx, full bool, per int) ([]storeRange, error) {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE tf_store_ranges (after VARCHAR, last VARCHAR)`); err != nil {
		return nil, fmt.Errorf("planning the store ranges: %w", err)
	}
	if !full {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT store_id, count(*) FROM raw_work_orders GROUP BY store_id ORDER BY store_id`)
	if err != nil {
		return nil, fmt.Errorf("planning the store ranges: %w", err)
	}
	var lasts []string // the last store of each range
	n := 0
	prev := ""
	for rows.Next() {
		var s string
		var c int
		if err := rows.Scan(&s, &c); err != nil {
			rows.Close()
			return nil, err
		}
		if prev != "" && n+c > per {
			lasts = append(lasts, prev)
			n = 0
		}
		n += c
		prev = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(lasts) == 0 {
		return nil, nil
	}
	var out []storeRange
	for i := 0; i <= len(lasts); i++ {
		var g storeRange
		if i > 0 {
			g.After = sql.NullString{String: lasts[i-1], Valid: true}
		}
		if i < len(lasts) {
			g.Last = sql.NullString{String: lasts[i], Valid: true}
		}
		out = append(out, g)
		if _, err := tx.ExecContext(ctx, `INSERT INTO tf_store_ranges VALUES (?, ?)`, g.After, g.Last); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readStoreRanges: the run's store ranges (planStoreRanges), for a step.
func readStoreRanges(ctx context.Context, tx *sql.Tx) ([]storeRange, error) {
	rows, err := tx.QueryContext(ctx, `SELECT after, last FROM tf_store_ranges ORDER BY after NULLS FIRST`)
	if err != nil {
		return nil, fmt.Errorf("reading the store ranges: %w", err)
	}
	defer rows.Close()
	var out []storeRange
	for rows.Next() {
		var g storeRange
		if err := rows.Scan(&g.After, &g.Last); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// viewModels: the names of the models that are views and run before the model in file.
func viewModels(models []Model, file string) []string {
	var out []string
	for _, m := range models {
		if m.Materialized == "view" && m.File < file {
			out = append(out, m.Name)
		}
	}
	return out
}

// byStoreRanges runs create (the model's CREATE … AS) for the first range of stores, then
// appends each later range's rows, with every raw table and every view model created so far
// behind a temporary view of the range's rows (DuckDB resolves a name in the temp schema first,
// also inside the views). The views matter where a model joins one: int_cust_advisor_month's
// left join of the range's orders to int_order_callbacks built its hash table on the view's
// rows of every store, ten times at L (13 s → 82 s), until the view was shadowed too; the
// temporary tables of earlier models computed by ranges (int_callbacks_per_order) lie in store
// order, so the range's filter on the view skips their other stores' row groups.
func byStoreRanges(ctx context.Context, tx *sql.Tx, cat string, m *Model, mat, create string, ranges []storeRange, views []string) error {
	shadowed := rawNames()
	for _, v := range views {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_views() WHERE NOT temporary AND schema_name = 'main' AND view_name = ?`, v).Scan(&n); err != nil {
			return err
		}
		if n > 0 { // created earlier in the run
			shadowed = append(shadowed, v)
		}
	}
	if err := computeInParts(ctx, tx, m, mat, create, len(ranges), func(i int) (string, error) {
		return ranges[i].pred("store_id"), shadowRange(ctx, tx, cat, shadowed, ranges[i])
	}); err != nil {
		return err
	}
	return dropShadows(ctx, tx, shadowed)
}

// computeInParts runs create (the model's CREATE … AS) for the first of n parts of the stores
// (groups or ranges), then appends each later part's rows; narrow(i) points the model's inputs
// at part i and names it for the trace.
func computeInParts(ctx context.Context, tx *sql.Tx, m *Model, mat, create string, n int, narrow func(i int) (string, error)) error {
	target := m.Name
	if mat == "temp" {
		target = "temp.main." + m.Name
	}
	for i := range n {
		label, err := narrow(i)
		if err != nil {
			return err
		}
		stmt := create
		if i > 0 {
			stmt = "INSERT INTO " + target + " SELECT * FROM (\n" + m.SQL + "\n)"
		}
		t0 := time.Now()
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
		traced(m.Name+" stores "+label, t0)
	}
	return nil
}

// rawNames: the raw tables, raw_<kind>.
func rawNames() []string {
	var out []string
	for _, k := range ingest.Kinds() {
		out = append(out, "raw_"+k.Name)
	}
	return out
}

// shadowRange puts a temporary view of the rows of range g in front of each of the tables or
// views names (which must have a store_id).
func shadowRange(ctx context.Context, tx *sql.Tx, cat string, names []string, g storeRange) error {
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP VIEW `+name+` AS SELECT * FROM `+cat+`.main.`+name+` WHERE `+g.pred("store_id")); err != nil {
			return fmt.Errorf("the store range %s of %s: %w", g.pred("store_id"), name, err)
		}
	}
	return nil
}

// dropShadows removes shadowRange's views.
func dropShadows(ctx context.Context, tx *sql.Tx, names []string) error {
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP VIEW IF EXISTS temp.main.`+name); err != nil {
			return err
		}
	}
	return nil
}

// traced prints, under AFTERSALES_TRACE, how long the step labelled label took since t0.
func traced(label string, t0 time.Time) {
	if os.Getenv("AFTERSALES_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "trace %s: %v\n", label, time.Since(t0))
	}
}
