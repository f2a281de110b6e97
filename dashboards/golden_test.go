package dashboards

import (
	"encoding/json"
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/testenv"
	"github.com/aftersales/aftersales/internal/workbook"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output (for a human to review)")

// TestChartOptionsGolden pins the chart options of each page type on the deterministic sample
// (gen seed 3, 2 stores × 2 months): a change to a chart shows as a diff to review.
func TestChartOptionsGolden(t *testing.T) {
	d := testenv.Sample(t, 2, 2, nil)
	out := t.TempDir()
	if _, err := Build(t.Context(), d, Options{Out: out, Now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"store-S001-2026-10", "techs-S001-2026-10", "parts-S001-2026-10", "benchmark-2026-10"} {
		b, err := os.ReadFile(filepath.Join(out, page+".html"))
		if err != nil {
			t.Fatal(err)
		}
		got := specs(t, string(b))
		golden := filepath.Join("testdata", page+".golden.json")
		if *update {
			os.MkdirAll("testdata", 0o755)
			os.WriteFile(golden, []byte(got), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./dashboards -run Golden -update and review the files)", err)
		}
		if got != string(want) {
			t.Errorf("%s: chart options differ from %s (run with -update and review the diff)", page, golden)
		}
	}
}

// specs extracts the chart specs of a page as indented JSON.
func specs(t *testing.T, html string) string {
	i := strings.Index(html, "var specs = ")
	j := strings.Index(html[i:], ";\n  var all")
	if i < 0 || j < 0 {
		t.Fatal("no chart specs in the page")
	}
	raw := html[i+len("var specs = ") : i+j]
	// the template writes {id: "...", option: {...}}: quote the keys to read it as JSON
	raw = strings.ReplaceAll(raw, "{id: ", `{"id": `)
	raw = strings.ReplaceAll(raw, ", option: ", `, "option": `)
	raw = strings.ReplaceAll(raw, "},]", "}]")
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("chart specs are not JSON: %v", err)
	}
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b) + "\n"
}

func TestFormat(t *testing.T) {
	cases := []struct {
		v          float64
		unit, lang string
		want       string
	}{
		{1328603.92, "money", "zh", "¥132.86万"}, {123456789, "money", "zh", "¥1.23亿"}, {19466300.5, "money", "zh", "¥1,946.63万"}, {-19466300.5, "money", "zh", "¥-1,946.63万"}, {886.33, "money", "zh", "¥886.33"},
		{1328603.92, "money", "en", "¥1.33M"}, {0.9523, "rate", "zh", "95.2%"}, {1499, "count", "zh", "1,499"},
		{23456, "count", "zh", "2.35万"}, {4.23, "hours", "zh", "4.2小时"}, {4.23, "hours", "en", "4.2 h"},
	}
	for _, c := range cases {
		if got := Fmt(c.v, c.unit, c.lang); got != c.want {
			t.Errorf("Fmt(%v, %s, %s) = %q, want %q", c.v, c.unit, c.lang, got, c.want)
		}
	}
	if d, s := Delta(0.90, 0.9004, "rate", "zh"); d != "0.0个百分点" || s != -1 {
		t.Errorf("a fall that rounds to zero: %q %d", d, s)
	}
	if d, _ := Delta(100.04, 100, "money", "en"); d != "0.0%" {
		t.Errorf("a rise that rounds to zero: %q", d)
	}
	if d, s := Delta(0.95, 0.93, "rate", "zh"); d != "+2.0个百分点" || s != 1 {
		t.Errorf("Delta rate = %q %d", d, s)
	}
	if d, s := Delta(90, 100, "count", "en"); d != "-10.0%" || s != -1 {
		t.Errorf("Delta count = %q %d", d, s)
	}
}

func TestOptionJSONIsInert(t *testing.T) {
	got := string(safeJSON(map[string]any{"name": "</script><script>alert(1)</script>", "f": "__f__x__f__", "ls": "a\u2028b"}))
	for _, bad := range []string{"</script", "<script", "__f__", "\u2028"} {
		if strings.Contains(got, bad) {
			t.Errorf("option JSON %s contains %q", got, bad)
		}
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(got), &back); err != nil || back["f"] != "__f__x__f__" || back["name"] != "</script><script>alert(1)</script>" {
		t.Errorf("the text must survive unchanged as data: %v %v", back, err)
	}
}

// TestKPICardYearToDate: a card shows the year to date (本年累计) and its change against last
// year's where monthly_review gives them, and nothing of it where it does not.
func TestKPICardYearToDate(t *testing.T) {
	review := &workbook.Result{Cols: []string{"kpi", "label_zh", "label_en", "unit", "direction", "value", "target", "meets_target",
		"value_prev_month", "value_prev_year", "provisional", "formula_zh", "formula_en", "value_ytd", "value_ytd_prev_year"}}
	row := func(ytd, py any) []any {
		return []any{"revenue", "产值", "Revenue", "money", "up", 1529200.0, nil, nil, nil, nil, nil, "", "", ytd, py}
	}
	c := kpiCard(row(19466300.5, 17696636.8), review, "zh")
	if c.YTD != "¥1,946.63万" || c.YTDChange != "+10.0%" || c.YTDSign != 1 {
		t.Errorf("year to date %q, change %q (%d)", c.YTD, c.YTDChange, c.YTDSign)
	}
	c = kpiCard(row(19466300.5, nil), review, "en")
	if c.YTD != "¥19.47M" || c.YTDChange != "" {
		t.Errorf("without last year's: %q, change %q", c.YTD, c.YTDChange)
	}
	if c = kpiCard(row(nil, nil), review, "zh"); c.YTD != "" || c.YTDChange != "" {
		t.Errorf("without a year to date: %q, change %q", c.YTD, c.YTDChange)
	}
	// and the page shows it, with its label
	var b strings.Builder
	pg := &page{Lang: "zh", Title: "t", Cards: []card{kpiCard(row(19466300.5, 17696636.8), review, "zh")}}
	if err := pageTmpl.Execute(&b, pg); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`本年累计 ¥1,946.63万 <span class="d up">同比 \+10.0%</span>`).MatchString(html.UnescapeString(b.String())) {
		t.Errorf("the card's year to date not on the page")
	}
}
