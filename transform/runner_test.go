package transform

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
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

// TestExplainAnalyze: the profile of a model lists its operators, slowest first, with the
// rows each produced.
func TestExplainAnalyze(t *testing.T) {
	d, _, _ := openCase(t, filepath.Join("testdata", "comebacks.yaml"))
	tx, err := d.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out strings.Builder
	q := `SELECT store_id, count(*) AS n FROM raw_work_orders GROUP BY store_id`
	if err := explainAnalyze(t.Context(), &out, tx, "m", q); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "explain m: ") || len(lines) < 3 || !strings.Contains(out.String(), "HASH_GROUP_BY") || !strings.Contains(out.String(), "raw_work_orders") {
		t.Fatalf("profile:\n%s", out.String())
	}
	prev := 1e9
	for _, l := range lines[1:] {
		var secs float64
		if _, err := fmt.Sscanf(strings.TrimSpace(l), "%fs", &secs); err != nil || secs > prev {
			t.Fatalf("not slowest first at %q:\n%s", l, out.String())
		}
		prev = secs
	}
	t.Setenv("AFTERSALES_EXPLAIN", "a, m")
	if !explain("m") || explain("b") {
		t.Error("AFTERSALES_EXPLAIN=\"a, m\" names m and not b")
	}
}

// mart_parts_month, the largest mart, keeps its quantities and values in 64-bit decimals: a
// 128-bit DECIMAL(38, ·) column scans ≈ 50× slower, and the data-quality and store-level parts
// models read the whole mart. Its values are pinned by the parts golden case.
func TestPartsMartDecimalsAre64Bit(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "parts.yaml"))
	if _, err := (&Runner{DB: d, Config: cfg}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := queryRows(t, d, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE table_name = 'mart_parts_month' AND data_type LIKE 'DECIMAL%' ORDER BY column_index`)
	want := [][]string{{"on_hand", "DECIMAL(18,2)"}, {"inventory_value", "DECIMAL(18,4)"}, {"consumption_value_6m", "DECIMAL(18,4)"},
		{"suggested_order", "DECIMAL(18,2)"}, {"unit_cost", "DECIMAL(18,2)"}, {"issued_net", "DECIMAL(18,2)"}, {"issue_cost", "DECIMAL(18,4)"}}
	if fmtRows(got) != fmtRows(want) {
		t.Errorf("mart_parts_month decimal columns:\n got %v\nwant %v", got, want)
	}
}

// The data-quality model computes the VIN check digit in SQL, arithmetically; it must agree with
// internal/parse.VINCheckDigit on every VIN ingest accepts. 3,000 pseudo-random VINs, a third with
// X at position 9, one order each: the count and smallest failing VIN must be Go's.
func TestVINCheckDigitMatchesGo(t *testing.T) {
	const chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	rng := rand.New(rand.NewPCG(7, 11))
	c := &goldenCase{Input: map[string][]map[string]any{}}
	failing, first := 0, ""
	for i := 0; i < 3000; i++ {
		b := make([]byte, 17)
		for j := range b {
			b[j] = chars[rng.IntN(len(chars))]
		}
		if i%3 == 0 {
			b[8] = 'X'
		}
		vin := string(b)
		if _, err := parse.VIN(vin); err != nil {
			t.Fatalf("test VIN %s: %v", vin, err)
		}
		if !parse.VINCheckDigit(vin) {
			failing++
			if first == "" || vin < first {
				first = vin
			}
		}
		c.Input["work_orders"] = append(c.Input["work_orders"], map[string]any{
			"order_no": fmt.Sprintf("W%d", i), "vin": vin, "opened_at": "2026-03-02 09:00", "delivered_at": "2026-03-02 12:00"})
	}
	if failing == 0 || failing == 3000 {
		t.Fatalf("the sample should hold both valid and invalid check digits (%d invalid)", failing)
	}
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	loadCase(t, d, c)
	if _, err := (&Runner{DB: d, Config: DefaultConfig()}).Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := queryRows(t, d, `SELECT count, example FROM mart_data_quality WHERE "check" = 'vin_check_digit'`)
	want := [][]string{{fmt.Sprint(failing), first}}
	if fmtRows(got) != fmtRows(want) {
		t.Errorf("vin_check_digit: got %v, want %v (Go)", got, want)
	}
}

// Two receipts near DECIMAL(18, 2)'s limit put a part's stock beyond what mart_parts_month
// stores; one receipt of 2·10^14 units puts a month's net quantity beyond its BIGINT cents; two
// months of issues near the limit put the six-month issues (summed in BIGINT cents) beyond it. Either way the run fails (nothing half-written) and says where to look.
func TestPartsOverflowIsExplained(t *testing.T) {
	for name, movements := range map[string][]map[string]any{
		"stock": {
			{"movement_id": "M1", "part_no": "P1", "moved_at": "2026-03-02 10:00", "movement_type": "receipt", "qty": "9000000000000000"},
			{"movement_id": "M2", "part_no": "P1", "moved_at": "2026-03-03 10:00", "movement_type": "receipt", "qty": "9000000000000000"},
		},
		// 2·10^14 units in stock fit DECIMAL(18, 2), but a month's net quantity is summed in
		// BIGINT cents (a checked product): 10^14 units or more in one month fail there
		"a month's net quantity": {
			{"movement_id": "M1", "part_no": "P1", "moved_at": "2026-03-02 10:00", "movement_type": "receipt", "qty": "200000000000000"},
		},
		"six-month issues": {
			{"movement_id": "M1", "part_no": "P1", "moved_at": "2026-03-02 10:00", "movement_type": "issue", "qty": "9000000000000000"},
			{"movement_id": "M2", "part_no": "P1", "moved_at": "2026-04-02 10:00", "movement_type": "receipt", "qty": "9000000000000000"},
			{"movement_id": "M3", "part_no": "P1", "moved_at": "2026-04-03 10:00", "movement_type": "issue", "qty": "9000000000000000"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := &goldenCase{Input: map[string][]map[string]any{
				"parts":           {{"part_no": "P1"}},
				"parts_movements": movements,
				"work_orders":     {{"order_no": "W1", "opened_at": "2026-03-02 09:00", "delivered_at": "2026-03-02 12:00"}},
			}}
			d, err := db.OpenMemory()
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			loadCase(t, d, c)
			_, err = (&Runner{DB: d, Config: DefaultConfig()}).Run(t.Context())
			if err == nil || !strings.Contains(err.Error(), "mart_parts_month") || !strings.Contains(err.Error(), "ORDER BY abs(qty) DESC") {
				t.Fatalf("want the parts model's overflow explained, got %v", err)
			}
			if zh := msg.Text(msg.ZH, err); !strings.Contains(zh, "模型 mart_parts_month") || !strings.Contains(zh, "某个配件的数量或金额超出了") {
				t.Errorf("in Chinese: %s", zh)
			}
		})
	}
}

// TestWindowCopyLeavesOutDisplayColumns: an incremental run's copy of the window's rows has no
// display columns (customer names, plates, …); through the shadow view every other column reads
// as stored, the staging view still works for the columns models use, and a query that reads
// a display column fails naming it instead of reading NULLs.
func TestWindowCopyLeavesOutDisplayColumns(t *testing.T) {
	d, _, _ := openCase(t, filepath.Join("testdata", "comebacks.yaml"))
	tx, err := d.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var cat string
	if err := tx.QueryRow(`SELECT current_database()`).Scan(&cat); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{
		`CREATE TEMP TABLE tf_window AS SELECT store_id, TIMESTAMP '0001-01-01' AS lookback FROM raw_work_orders GROUP BY ALL`,
		`CREATE TEMP TABLE tf_raw_work_orders AS ` + rawShadow(cat, ingest.WorkOrders, windowBounds{lookback: "TIMESTAMP '0001-01-01'"}),
		shadowView(ingest.WorkOrders),
		`CREATE TEMP VIEW stg_orders_w AS ` + mustModel(t, "stg_orders").SQL,
	} {
		if _, err := tx.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	var copied []string
	rows, err := tx.Query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'tf_raw_work_orders'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		copied = append(copied, c)
	}
	rows.Close()
	for _, c := range []string{"customer_name", "phone", "plate"} {
		if slices.Contains(copied, c) {
			t.Errorf("the window copy holds the display column %s", c)
		}
	}
	if !slices.Contains(copied, "vin") || !slices.Contains(copied, "delivered_at") {
		t.Errorf("the window copy lacks columns models use: %v", copied)
	}
	var same bool
	if err := tx.QueryRow(`SELECT (SELECT list(x ORDER BY x) FROM (SELECT order_no || vin || opened_at || coalesce(delivered_at::VARCHAR, '') AS x FROM temp.main.raw_work_orders))
		= (SELECT list(x ORDER BY x) FROM (SELECT order_no || vin || opened_at || coalesce(delivered_at::VARCHAR, '') AS x FROM main.raw_work_orders))`).Scan(&same); err != nil || !same {
		t.Fatalf("the shadow view does not read the stored rows: %v %v", same, err)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(DISTINCT vin) FROM stg_orders_w WHERE is_customer`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("staging over the window copy: %d %v", n, err)
	}
	err = tx.QueryRow(`SELECT count(DISTINCT customer_name) FROM stg_orders_w`).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "raw_work_orders.customer_name is a display column") {
		t.Fatalf("reading a display column of the window copy: want an error naming it, got %v (%d)", err, n)
	}
}

func mustModel(t *testing.T, name string) Model {
	t.Helper()
	ms, err := Models()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no model %s", name)
	return Model{}
}

// TestShareableFaultSystems: the macros' list of fault systems two orders can share is every
// canonical fault_system of ingest but maintenance and other, sorted; a mask lists its systems
// in that order, and a fault system missing from the list fails the query instead of being
// dropped from the mask.
func TestShareableFaultSystems(t *testing.T) {
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(mustModel(t, "macros").SQL); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, v := range ingest.OrderJobs.Columns[ingest.OrderJobs.Col("fault_system")].Enum {
		if v != "maintenance" && v != "other" && !slices.Contains(want, v) {
			want = append(want, v)
		}
	}
	slices.Sort(want)
	got := queryRows(t, d, `SELECT unnest(shareable_fault_systems())`)
	var names []string
	for _, r := range got {
		names = append(names, r[0])
	}
	if !slices.Equal(names, want) {
		t.Errorf("shareable_fault_systems() = %v, the enum gives %v", names, want)
	}
	// engine is the 4th (bit 3), transmission the 8th (bit 7): 8 | 128 = 136
	if r := queryRows(t, d, `SELECT fault_system_bit('engine') | fault_system_bit('transmission'), fault_system_list(136), fault_system_list(0)`); fmt.Sprint(r) != "[[136 [engine, transmission] []]]" {
		t.Errorf("mask and list: %v", r)
	}
	var n int
	err = d.QueryRow(`SELECT fault_system_bit('maintenance')`).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), `fault_system "maintenance" is not in shareable_fault_systems()`) {
		t.Errorf("a fault system outside the list: want an error naming it, got %v (%d)", err, n)
	}
}

// TestUniqueScreen: a unique test passes on distinct keys without its exact query, fails on a
// repeated key (NULLs included, as GROUP BY counts them) naming the rows, and a screen that
// signals without a repeat (a hash collision) passes once the exact query finds none.
func TestUniqueScreen(t *testing.T) {
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(`CREATE TABLE k (a VARCHAR, b INTEGER); INSERT INTO k VALUES ('x', 1), ('x', 2), ('y', 1), (NULL, 1)`); err != nil {
		t.Fatal(err)
	}
	u, err := compileTest("k", "unique", "a, b")
	if err != nil || u.Screen == "" {
		t.Fatalf("unique compiles without a screen: %+v %v", u, err)
	}
	run := func(tt Test) error {
		tx, err := d.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		return runTest(t.Context(), tx, tt)
	}
	if err := run(u); err != nil {
		t.Errorf("distinct keys: %v", err)
	}
	for _, row := range []string{`('y', 1)`, `(NULL, 1)`} {
		d.Exec(`INSERT INTO k VALUES ` + row)
		var tf *TestFailure
		if err := run(u); !errors.As(err, &tf) || tf.Count != 1 {
			t.Errorf("after inserting %s again: want one failing key, got %v", row, err)
		}
		d.Exec(`DELETE FROM k; INSERT INTO k VALUES ('x', 1), ('x', 2), ('y', 1), (NULL, 1)`)
	}
	collision := Test{Model: "k", Spec: "unique(a, b)", Screen: `SELECT 1`, SQL: u.SQL}
	if err := run(collision); err != nil {
		t.Errorf("a screen signalling without a repeated key: %v", err)
	}
}

// A run writes its tables with FSST left out of DuckDB's choices (a global setting of the
// database: see Run) and gives the setting back when it ends, whether it succeeds or fails.
func TestRunResetsCompressionSetting(t *testing.T) {
	d, _, cfg := openCase(t, filepath.Join("testdata", "comebacks.yaml"))
	setting := func() string {
		return queryRows(t, d, `SELECT current_setting('disabled_compression_methods')`)[0][0]
	}
	r := &Runner{DB: d, Config: cfg}
	if _, err := r.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := setting(); s != "" {
		t.Errorf("after a run: disabled_compression_methods = %q, want it reset", s)
	}
	if _, err := d.Exec(`INSERT INTO raw_work_orders SELECT * FROM raw_work_orders WHERE order_no = 'A1'`); err != nil {
		t.Fatal(err)
	}
	r.Full = true
	if _, err := r.Run(t.Context()); err == nil {
		t.Fatal("a duplicate key in a raw table did not fail the run")
	}
	if s := setting(); s != "" {
		t.Errorf("after a failed run: disabled_compression_methods = %q, want it reset", s)
	}
}
