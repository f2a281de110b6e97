package transform

import (
	"database/sql"
	"flag"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/marcboeker/go-duckdb/v2"
	"gopkg.in/yaml.v3"

	"github.com/aftersales/aftersales/ingest"
	"github.com/aftersales/aftersales/internal/db"
)

// Golden cases: transform/testdata/<case>.yaml holds input rows per raw table and the expected
// rows of marts, computed by hand (the comments in each file show the arithmetic).
// `go test ./transform -update` prints the actual rows for a human to compare; it never rewrites.
var update = flag.Bool("update", false, "print actual rows of golden cases (for review; files are not rewritten)")

type goldenCase struct {
	Description string                      `yaml:"description"`
	Settings    string                      `yaml:"settings"`
	Input       map[string][]map[string]any `yaml:"input"`
	Expect      []goldenExpect              `yaml:"expect"`
}

type goldenExpect struct {
	Table   string     `yaml:"table"`
	Columns []string   `yaml:"columns"`
	Where   string     `yaml:"where"`
	Order   string     `yaml:"order"`
	Rows    [][]string `yaml:"rows"`
}

// defaults fill the required columns a case does not care about.
var defaults = map[string]map[string]any{
	"work_orders":     {"store_id": "S1", "vin": "LSVAA4180E2123456", "order_type": "repair", "status": "delivered"},
	"order_jobs":      {"store_id": "S1", "fault_system": "engine", "labor_hours": "1", "tech_id": "T1"},
	"callbacks":       {"store_id": "S1", "reached": "true"},
	"technicians":     {"store_id": "S1", "team_id": "A", "grade": "lead", "coefficient": "4.5", "valid_from": "2026-01"},
	"attendance":      {"store_id": "S1"},
	"parts":           {"store_id": "S1", "unit_cost": "10"},
	"parts_movements": {"store_id": "S1", "qty": "1"},
	"stores":          {"store_id": "S1"},
}

func loadCase(t *testing.T, d *sql.DB, c *goldenCase) {
	t.Helper()
	if err := ingest.EnsureSchema(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	seq := 0
	lines := map[string]int{}
	for kindName, rows := range c.Input {
		k, err := ingest.KindByName(kindName)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			seq++
			vals := map[string]any{}
			for kk, v := range defaults[kindName] {
				vals[kk] = v
			}
			for kk, v := range r {
				vals[kk] = v
			}
			switch kindName {
			case "order_jobs":
				key := fmt.Sprint(vals["store_id"], "/", vals["order_no"])
				if n, ok := vals["line_no"]; ok {
					lines[key] = max(lines[key], toInt(n))
				} else {
					lines[key]++
					vals["line_no"] = lines[key]
				}
			case "callbacks":
				if _, ok := vals["callback_id"]; !ok {
					vals["callback_id"] = fmt.Sprintf("CB%d", i+1)
				}
			case "parts_movements":
				if _, ok := vals["movement_id"]; !ok {
					vals["movement_id"] = fmt.Sprintf("M%d", i+1)
				}
			case "technicians":
				if _, ok := vals["tech_name"]; !ok {
					vals["tech_name"] = vals["tech_id"]
				}
			case "parts":
				if _, ok := vals["part_name"]; !ok {
					vals["part_name"] = vals["part_no"]
				}
			case "stores":
				if _, ok := vals["store_name"]; !ok {
					vals["store_name"] = vals["store_id"]
				}
			}
			var cols, ph []string
			var args []any
			for _, col := range k.Columns {
				v, ok := vals[col.Name]
				if !ok && col.Default != "" {
					v, ok = col.Default, true
				}
				if !ok || v == nil {
					continue
				}
				cols = append(cols, col.Name)
				ph = append(ph, "CAST(? AS "+col.SQLType()+")")
				if tm, ok := v.(time.Time); ok {
					v = tm.Format("2006-01-02 15:04:05")
				}
				args = append(args, fmt.Sprint(v))
				delete(vals, col.Name)
			}
			for extra := range vals {
				if _, known := defaults[kindName][extra]; !known {
					t.Fatalf("%s row %d: unknown column %q", kindName, i+1, extra)
				}
			}
			q := fmt.Sprintf("INSERT INTO raw_%s (%s, file_id, row_number) VALUES (%s, 0, %d)", kindName, strings.Join(cols, ", "), strings.Join(ph, ", "), seq)
			if _, err := d.Exec(q, args...); err != nil {
				t.Fatalf("%s row %d: %v", kindName, i+1, err)
			}
		}
	}
}

// cell renders a value for comparison: DOUBLE to 6 decimals (trailing zeros cut), DECIMAL
// exactly, timestamps without zone, lists as [a, b], NULL as NULL.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
		s := fmt.Sprintf("%.6f", x)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		if s == "-0" {
			s = "0"
		}
		return s
	case duckdb.Decimal:
		r := new(big.Rat).SetFrac(x.Value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Scale)), nil))
		return r.FloatString(int(x.Scale))
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cell(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *big.Int:
		return x.String()
	}
	return fmt.Sprint(v)
}

func queryRows(t *testing.T, d *sql.DB, q string) [][]string {
	t.Helper()
	rows, err := d.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	_, data, err := db.ScanAll(rows)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, vals := range data {
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = cell(v)
		}
		out = append(out, r)
	}
	return out
}

// openCase loads a golden case into a fresh in-memory database and returns it with the case
// and the settings the case names (the defaults when it names none).
func openCase(t *testing.T, path string) (*sql.DB, *goldenCase, *Config) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c goldenCase
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	loadCase(t, d, &c)
	cfg := DefaultConfig()
	if c.Settings != "" {
		p := filepath.Join(t.TempDir(), "settings.yaml")
		os.WriteFile(p, []byte(c.Settings), 0o644)
		if cfg, err = LoadConfig(p); err != nil {
			t.Fatal(err)
		}
	}
	return d, &c, cfg
}

func runGolden(t *testing.T, path string) {
	d, c, cfg := openCase(t, path)
	r := &Runner{DB: d, Config: cfg}
	if _, err := r.Run(t.Context()); err != nil {
		t.Fatalf("transform: %v", err)
	}
	for _, e := range c.Expect {
		q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(quoteCols(e.Columns), ", "), e.Table)
		if e.Where != "" {
			q += " WHERE " + e.Where
		}
		order := e.Order
		if order == "" {
			order = "ALL"
		}
		q += " ORDER BY " + order
		got := queryRows(t, d, q)
		if *update {
			fmt.Printf("# %s %s\n", filepath.Base(path), e.Table)
			for _, r := range got {
				fmt.Printf("      - [%s]\n", strings.Join(r, ", "))
			}
		}
		want := e.Rows
		if fmtRows(got) != fmtRows(want) {
			t.Errorf("%s: %s (%s)\n got:\n%s\nwant:\n%s", filepath.Base(path), e.Table, strings.Join(e.Columns, ", "), fmtRows(got), fmtRows(want))
		}
	}
}

func quoteCols(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if c == "check" {
			c = `"check"`
		}
		out[i] = c
	}
	return out
}

func fmtRows(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  [" + strings.Join(r, ", ") + "]\n")
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) { runGolden(t, f) })
	}
}

func toInt(v any) int {
	var n int
	fmt.Sscan(fmt.Sprint(v), &n)
	return n
}
