package dashboards

import (
	"database/sql"
	"encoding/json"
	"html"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/testenv"
)

// TestBenchmarkChangesLikeStoreCards: the benchmark table's 环比 and 同比 read as the store page's
// cards do — a money KPI's change in % of the earlier value, a rate's in percentage points —
// with the earlier value and the absolute change in the cell's tip; "—" without an earlier month.
func TestBenchmarkChangesLikeStoreCards(t *testing.T) {
	out, d := buildPages(t, Options{})
	b := readPage(t, out, "benchmark-2026-10.html")
	cellRE := regexp.MustCompile(`<td([^>]*)>(.*?)</td>`)
	titleRE := regexp.MustCompile(`title="([^"]*)"`)
	row := func(label string) [][]string {
		for _, tr := range strings.Split(b, "<tr>") {
			if strings.HasPrefix(tr, "<td>"+label+"</td>") && strings.Contains(tr, "<td>S001 ") {
				return cellRE.FindAllStringSubmatch(tr, -1)
			}
		}
		t.Fatalf("no %s row of S001 in the benchmark table", label)
		return nil
	}
	// the sample's S001 (gen seed 3): revenue ¥152,460.34 in September, ¥173,796.45 in October;
	// csi 95/105 = 0.904761… and 109/117 = 0.931623…
	var rev10, rev09 string
	var csi10, csi09 float64
	if err := d.QueryRow(`SELECT a.revenue::varchar, b.revenue::varchar, a.csi, b.csi FROM mart_store_month a, mart_store_month b
		WHERE a.store_id = 'S001' AND b.store_id = 'S001' AND a.month = '2026-10' AND b.month = '2026-09'`).Scan(&rev10, &rev09, &csi10, &csi09); err != nil {
		t.Fatal(err)
	}
	if rev09 != "152460.34" || rev10 != "173796.45" || csi09 != 95.0/105 || csi10 != 109.0/117 {
		t.Fatalf("the sample changed (revenue %s → %s, csi %v → %v): work the expected cells out again", rev09, rev10, csi09, csi10)
	}
	// revenue: (173,796.45 − 152,460.34) / 152,460.34 = 21,336.11 / 152,460.34 = 13.995 % → +14.0%;
	// the tip: September's ¥15.25万 and the change, +¥2.13万
	r := row("产值")
	mom, yoy := r[7], r[8]
	if got := html.UnescapeString(mom[2]); got != "+14.0%" {
		t.Errorf("revenue 环比 %q, want +14.0%%", got)
	}
	tip := titleRE.FindStringSubmatch(mom[1])
	if tip == nil || html.UnescapeString(tip[1]) != "上月 ¥15.25万 · 变化 +¥2.13万" {
		t.Errorf("revenue 环比 tip %q, want 上月 ¥15.25万 · 变化 +¥2.13万", mom[1])
	}
	if yoy[2] != "—" {
		t.Errorf("revenue 同比 %q without a month a year before, want —", yoy[2])
	}
	// csi: 109/117 − 95/105 = 0.026862… → +2.7 percentage points
	c := row("客户满意度")
	if got := html.UnescapeString(c[7][2]); got != "+2.7个百分点" {
		t.Errorf("csi 环比 %q, want +2.7个百分点", got)
	}
}

// TestBenchmarkHeatmapWholePercentiles: the heatmap's cells are labelled with the percentile as a
// whole number (46/49 gave 93.877551020408…, which overran every cell at the bench's 50 stores), and the parts Pareto says when it shows only the largest parts of many.
func TestBenchmarkHeatmapWholePercentiles(t *testing.T) {
	out, d := buildPages(t, Options{})
	if _, err := d.Exec(`UPDATE mart_benchmark SET percentile = 46.0 / 49 WHERE store_id = 'S001' AND month = '2026-10' AND kpi = 'revenue'`); err != nil {
		t.Fatal(err)
	}
	// a store with 250 parts moved in the month: the Pareto shows 200 of them
	if _, err := d.Exec(`INSERT INTO mart_parts_month SELECT m.* REPLACE ('Z' || t.i AS part_no, 1.00 AS consumption_value_6m)
		FROM (SELECT * FROM mart_parts_month WHERE store_id = 'S002' AND month = '2026-10' LIMIT 1) m, range(250) t(i)`); err != nil {
		t.Fatal(err)
	}
	out = rebuildPages(t, d, out)
	s := readPage(t, out, "benchmark-2026-10.html")
	i := strings.Index(s, `{id: "c_heat"`)
	if i < 0 {
		t.Fatal("no heatmap")
	}
	heat := s[i : i+strings.Index(s[i:], "},{id:")]
	if !strings.Contains(heat, `{"value":[1,0,94]}`) || strings.Contains(heat, "93.87") || regexp.MustCompile(`\[\d+,\d+,\d+\.\d`).MatchString(heat) {
		t.Errorf("heatmap cells not whole percentiles:\n%.600s", heat)
	}
	if strings.Contains(s, "本月只有一家门店有数据") {
		t.Error("a benchmark of several stores says its heatmap has one store")
	}
	if n := strings.Count(readPage(t, out, "parts-S002-2026-10.html"), "消耗金额最大的 200 个配件（共 "); n != 1 {
		t.Errorf("the Pareto's note on 200 of the parts: %d times", n)
	}
	if p, _ := os.ReadFile(filepath.Join(out, "parts-S001-2026-10.html")); strings.Contains(string(p), "消耗金额最大的") {
		t.Error("a store with fewer than 200 parts noted as cut")
	}
}

// TestRankingChartsMarkMisses: every ranking chart's axis holds its marked lines (a target every
// store misses by far was drawn off the chart), and the dots of exactly the stores that miss a
// KPI's target are red, as the ranked table marks them.
func TestRankingChartsMarkMisses(t *testing.T) {
	out, d := buildPages(t, Options{})
	// S002's October on-time delivery far below its target: the target above every dot
	if _, err := d.Exec(`UPDATE mart_benchmark SET value = 0.5, meets_target = false WHERE store_id = 'S002' AND month = '2026-10' AND kpi = 'on_time_rate'`); err != nil {
		t.Fatal(err)
	}
	b := readPage(t, rebuildPages(t, d, out), "benchmark-2026-10.html")
	want := map[string]bool{} // "label store" of each miss
	rows, err := d.Query(`SELECT k.label_zh, b.store_id FROM mart_benchmark b JOIN kpi_dictionary k USING (kpi)
		WHERE b.month = '2026-10' AND NOT b.meets_target AND b.value IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var label, store string
		if err := rows.Scan(&label, &store); err != nil {
			t.Fatal(err)
		}
		want[label+" "+store] = true
	}
	rows.Close()
	if !want["按时交车率 S002"] {
		t.Fatalf("the case lost its miss: %v", want)
	}
	got := map[string]bool{}
	charts := 0
	head := regexp.MustCompile(`^(c_rank_\d+)", option: `)
	for _, spec := range strings.Split(b, `{id: "`) {
		m := head.FindStringSubmatch(spec)
		if m == nil {
			continue
		}
		var raw json.RawMessage // the option, up to the end of its JSON value
		if err := json.NewDecoder(strings.NewReader(spec[len(m[0]):])).Decode(&raw); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		m = append(m, string(raw))
		var o struct {
			XAxis  []struct{ Data []string }
			YAxis  []struct{ Min, Max *float64 }
			Series []struct {
				Name string
				Data []struct {
					Value     float64
					ItemStyle *struct{ Color string }
				}
				MarkLine struct{ Data []struct{ YAxis float64 } }
			}
		}
		if err := json.Unmarshal([]byte(m[2]), &o); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		charts++
		s, y := o.Series[0], o.YAxis[0]
		for _, ml := range s.MarkLine.Data {
			if y.Min == nil || y.Max == nil || ml.YAxis < *y.Min || ml.YAxis > *y.Max {
				t.Errorf("%s (%s): a marked line at %v is off the axis %v–%v", m[1], s.Name, ml.YAxis, y.Min, y.Max)
			}
		}
		for i, dot := range s.Data {
			if dot.ItemStyle != nil && dot.ItemStyle.Color == missColor {
				got[s.Name+" "+o.XAxis[0].Data[i]] = true
			}
		}
	}
	if charts < 10 {
		t.Fatalf("%d ranking charts found", charts)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("%s misses its target, but its dot is not red", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s is red, but meets its target (or has none)", k)
		}
	}
}

// rebuildPages builds the pages of d again, after a test changed its marts, into out/again (the
// clock of buildPages) and returns that folder.
func rebuildPages(t *testing.T, d *sql.DB, out string) string {
	t.Helper()
	out = filepath.Join(out, "again")
	if _, err := Build(t.Context(), d, Options{Out: out, Now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return out
}

// readPage is the text of a page in out.
func readPage(t *testing.T, out, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestScatterMarksTargetsAndMisses: the FTFR vs CSI scatter is a quadrant chart — each KPI's
// target a dashed line on an axis that holds it and every dot (ECharts fitted the axes to the
// dots alone: a store at the lowest value lay on the axis line), and the dots of exactly the
// stores that miss either target red, with a note that says so.
func TestScatterMarksTargetsAndMisses(t *testing.T) {
	out, d := buildPages(t, Options{})
	// S002's October CSI far below its target
	if _, err := d.Exec(`UPDATE mart_benchmark SET value = 0.5, meets_target = false WHERE store_id = 'S002' AND month = '2026-10' AND kpi = 'csi'`); err != nil {
		t.Fatal(err)
	}
	b := readPage(t, rebuildPages(t, d, out), "benchmark-2026-10.html")
	want := map[string]bool{}
	rows, err := d.Query(`SELECT DISTINCT store_id FROM mart_benchmark WHERE month = '2026-10' AND kpi IN ('ftfr', 'csi') AND NOT meets_target`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		want[s] = true
	}
	rows.Close()
	if !want["S002"] {
		t.Fatalf("the case lost its miss: %v", want)
	}
	var o struct {
		XAxis, YAxis []struct{ Min, Max *float64 }
		Series       []struct {
			Data []struct {
				Name      string
				Value     []float64
				ItemStyle *struct{ Color string }
			}
			MarkLine struct {
				Data []struct {
					XAxis, YAxis *float64
				}
			}
		}
	}
	chartOption(t, b, "c_scatter", &o)
	x, y, s := o.XAxis[0], o.YAxis[0], o.Series[0]
	if x.Min == nil || x.Max == nil || y.Min == nil || y.Max == nil {
		t.Fatalf("the scatter's axes are not fitted: %+v %+v", x, y)
	}
	in := func(v float64, lo, hi *float64) bool { return v >= *lo && v <= *hi }
	var tx, ty []float64
	for _, ml := range s.MarkLine.Data {
		switch {
		case ml.XAxis != nil:
			tx = append(tx, *ml.XAxis)
		case ml.YAxis != nil:
			ty = append(ty, *ml.YAxis)
		}
	}
	if len(tx) != 1 || tx[0] != 95 || len(ty) != 1 || ty[0] != 90 {
		t.Errorf("target lines at x %v and y %v, want FTFR 95 and CSI 90", tx, ty)
	} else if !in(tx[0], x.Min, x.Max) || !in(ty[0], y.Min, y.Max) {
		t.Errorf("a target off its axis: x %v–%v, y %v–%v", *x.Min, *x.Max, *y.Min, *y.Max)
	}
	got := map[string]bool{}
	for _, dot := range s.Data {
		if !in(dot.Value[0], x.Min, x.Max) || !in(dot.Value[1], y.Min, y.Max) {
			t.Errorf("%s at %v is off the axes", dot.Name, dot.Value)
		}
		if dot.ItemStyle != nil && dot.ItemStyle.Color == missColor {
			got[dot.Name] = true
		}
	}
	if len(s.Data) < 2 || !maps.Equal(got, want) {
		t.Errorf("red dots %v, want the stores that miss either target %v (%d dots)", got, want, len(s.Data))
	}
	if !strings.Contains(b, "虚线：两项指标的目标 · 红点：至少一项未达目标的门店") {
		t.Error("the scatter's note does not explain its lines and red dots")
	}
}

// TestReferenceLinesByKind: on the benchmark page's ranking charts and scatter, each marked line
// is drawn as its kind — the group median solid, the quartiles dotted, a target dashed in amber —
// labelled in its line's colour, with no arrow or dot at its ends. Before, all four were the same
// dashed blue line with an arrow, and a target that lay among the quartiles read as one of them.
func TestReferenceLinesByKind(t *testing.T) {
	out, _ := buildPages(t, Options{})
	b := readPage(t, out, "benchmark-2026-10.html")
	want := map[string]string{"中位数": "solid #334155", "Q1": "dotted #64748b", "Q3": "dotted #64748b", "目标": "dashed #d97706"}
	head := regexp.MustCompile(`^(c_rank_\d+|c_scatter)", option: `)
	seen := map[string]int{}
	charts := 0
	for _, spec := range strings.Split(b, `{id: "`) {
		m := head.FindStringSubmatch(spec)
		if m == nil {
			continue
		}
		var o struct {
			Series []struct {
				MarkLine struct {
					Symbol []string
					Data   []struct {
						Name      string
						LineStyle *struct{ Type, Color string }
						Label     *struct{ Color string }
					}
				}
			}
		}
		if err := json.NewDecoder(strings.NewReader(spec[len(m[0]):])).Decode(&o); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		charts++
		ml := o.Series[0].MarkLine
		if len(ml.Data) == 0 {
			continue
		}
		if !slices.Equal(ml.Symbol, []string{"none", "none"}) {
			t.Errorf("%s: mark line ends %q, want none", m[1], ml.Symbol)
		}
		for _, d := range ml.Data {
			w, ok := want[d.Name]
			if !ok {
				t.Errorf("%s: a line named %q", m[1], d.Name)
				continue
			}
			seen[d.Name]++
			if d.LineStyle == nil || d.Label == nil || d.LineStyle.Type+" "+d.LineStyle.Color != w || d.Label.Color != d.LineStyle.Color {
				t.Errorf("%s: line %s drawn %+v labelled %+v, want %s", m[1], d.Name, d.LineStyle, d.Label, w)
			}
		}
	}
	if charts < 10 {
		t.Fatalf("%d charts found", charts)
	}
	for name := range want {
		if seen[name] == 0 {
			t.Errorf("no line %s on any chart", name)
		}
	}
}

// TestQualityTrendMarksMissedMonths: on a store's page, the FTFR / CSI / on-time delivery trend
// marks each month that misses its KPI's target with a red dot — exactly the months whose
// mart_benchmark.meets_target is false (a value equal to its target meets it: benchmark_targets.yaml)
// — and says so with the targets under the chart's title.
func TestQualityTrendMarksMissedMonths(t *testing.T) {
	out, d := buildPages(t, Options{})
	// S001's October FTFR exactly at its target, September's far below it (in both marts, the
	// benchmark's judgement made by its own rule)
	for _, q := range []string{
		`UPDATE mart_store_month SET ftfr = 0.95 WHERE store_id = 'S001' AND month = '2026-10'`,
		`UPDATE mart_store_month SET ftfr = 0.5 WHERE store_id = 'S001' AND month = '2026-09'`,
		`UPDATE mart_benchmark SET value = 0.95, meets_target = 0.95 >= target WHERE store_id = 'S001' AND month = '2026-10' AND kpi = 'ftfr'`,
		`UPDATE mart_benchmark SET value = 0.5, meets_target = 0.5 >= target WHERE store_id = 'S001' AND month = '2026-09' AND kpi = 'ftfr'`,
	} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	b := readPage(t, rebuildPages(t, d, out), "store-S001-2026-10.html")
	want := map[string]bool{} // "label month" of each miss
	rows, err := d.Query(`SELECT k.label_zh, b.month FROM mart_benchmark b JOIN kpi_dictionary k USING (kpi)
		WHERE b.store_id = 'S001' AND b.month <= '2026-10' AND b.kpi IN ('ftfr', 'csi', 'on_time_rate') AND NOT b.meets_target`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var label, month string
		if err := rows.Scan(&label, &month); err != nil {
			t.Fatal(err)
		}
		want[label+" "+month] = true
	}
	rows.Close()
	if !want["一次修复率 2026-09"] || want["一次修复率 2026-10"] {
		t.Fatalf("the case lost its edges: %v", want)
	}
	var o struct {
		XAxis  []struct{ Data []string }
		Series []struct {
			Name string
			Data []struct {
				ItemStyle *struct{ Color string }
				Symbol    string
			}
		}
	}
	chartOption(t, b, "c_quality", &o)
	got := map[string]bool{}
	for _, s := range o.Series {
		for j, p := range s.Data {
			if p.ItemStyle != nil && p.ItemStyle.Color == missColor && p.Symbol == "circle" {
				got[s.Name+" "+o.XAxis[0].Data[j]] = true
			}
		}
	}
	if len(o.Series) != 3 || !maps.Equal(got, want) {
		t.Errorf("red dots %v, want the months that miss their target %v", got, want)
	}
	if !strings.Contains(b, "红点：未达目标的月份（目标：一次修复率 ≥ 95.0%，客户满意度 ≥ 90.0%，按时交车率 ≥ 95.0%）") {
		t.Error("the trend's note does not name the red dots and the targets")
	}
}

// TestComebacksAreRedDots: on the technicians page, comebacks per technician and per team are
// red dots at their count (no dot for none), beside the hours' bars: as bars in the palette's
// second colour they were green, and two comebacks stood as tall as the most hours.
func TestComebacksAreRedDots(t *testing.T) {
	out, d := buildPages(t, Options{})
	b := readPage(t, out, "techs-S001-2026-10.html")
	want := map[string]int{} // tech → comebacks charged in the month
	rows, err := d.Query(`SELECT tech_id, comebacks FROM mart_tech_month WHERE store_id = 'S001' AND month = '2026-10'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		want[id] = n
	}
	rows.Close()
	for _, id := range []string{"c_tech", "c_team"} {
		var o struct {
			XAxis  []struct{ Data []string }
			Series []struct {
				Name, Type string
				ItemStyle  *struct{ Color string }
				Data       []struct{ Value any }
			}
		}
		chartOption(t, b, id, &o)
		found := false
		for _, s := range o.Series {
			if s.Name != "返修次数" {
				continue
			}
			found = true
			if s.Type != "scatter" || s.ItemStyle == nil || s.ItemStyle.Color != missColor {
				t.Errorf("%s: comebacks drawn as %q in %+v, want red dots", id, s.Type, s.ItemStyle)
			}
			dots, total := 0, 0
			for j, p := range s.Data {
				switch v := p.Value.(type) {
				case float64:
					if v <= 0 {
						t.Errorf("%s: a dot at %v", id, v)
					}
					dots++
					total += int(v)
					if id == "c_tech" {
						tech := o.XAxis[0].Data[j][strings.LastIndexByte(o.XAxis[0].Data[j], ' ')+1:]
						if int(v) != want[tech] {
							t.Errorf("%s: %s has %v comebacks on the chart, %d in mart_tech_month", id, tech, v, want[tech])
						}
					}
				case string:
					if v != null {
						t.Errorf("%s: value %q", id, v)
					}
				}
			}
			sum := 0
			for _, n := range want {
				sum += n
			}
			if dots == 0 || id == "c_tech" && total != sum { // (a team's leave out techs with no team)
				t.Errorf("%s: %d dots adding up to %d comebacks, want %d", id, dots, total, sum)
			}
		}
		if !found {
			t.Errorf("%s: no comebacks series", id)
		}
	}
}

// TestMoneyChartsInTheLanguagesUnit: the store page's revenue and the parts page's inventory are
// charted in 万元 in Chinese and in thousands of yuan (¥k) in English, as their titles say; the
// cards write 万/亿 and K/M alike.
func TestMoneyChartsInTheLanguagesUnit(t *testing.T) {
	d := testenv.Sample(t, 2, 2, nil)
	var revenue, inventory float64
	if err := d.QueryRow(`SELECT CAST(revenue AS DOUBLE) FROM mart_store_month WHERE store_id = 'S001' AND month = '2026-10'`).Scan(&revenue); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(`SELECT CAST(sum(inventory_value) AS DOUBLE) FROM mart_parts_month WHERE store_id = 'S001' AND month = '2026-10'`).Scan(&inventory); err != nil {
		t.Fatal(err)
	}
	if revenue < 10000 || inventory < 10000 {
		t.Fatalf("the sample's amounts are too small to tell the units apart: %v %v", revenue, inventory)
	}
	for _, c := range []struct {
		lang, unit string
		by         float64
	}{{"zh", "万元", 10000}, {"en", "¥k", 1000}} {
		out := t.TempDir()
		if _, err := Build(t.Context(), d, Options{Out: out, Lang: c.lang, Now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct{ page, chart, series, title string }{
			{"store-S001-2026-10.html", "c_orders", T(c.lang, "revenue"), T(c.lang, "trend_orders")},
			{"parts-S001-2026-10.html", "c_inv", T(c.lang, "inv_trend"), T(c.lang, "inv_trend")},
		} {
			b := readPage(t, out, p.page)
			if !strings.Contains(p.title, c.unit) || !strings.Contains(b, html.EscapeString(p.title)) {
				t.Errorf("%s %s: no title %q in %s", c.lang, p.chart, p.title, c.unit)
			}
			var o struct {
				XAxis  []struct{ Data []string }
				Series []struct {
					Name string
					Data []struct{ Value any }
				}
			}
			chartOption(t, b, p.chart, &o)
			want := math.Round(revenue/c.by*100) / 100
			if p.chart == "c_inv" {
				want = math.Round(inventory/c.by*100) / 100
			}
			found := false
			for _, s := range o.Series {
				if s.Name == p.series && len(s.Data) > 0 {
					found = true
					if got := s.Data[len(s.Data)-1].Value; got != want {
						t.Errorf("%s %s: 2026-10 charted as %v, want %v (%s)", c.lang, p.chart, got, want, c.unit)
					}
				}
			}
			if !found {
				t.Errorf("%s %s: no series %q", c.lang, p.chart, p.series)
			}
		}
	}
}

// chartOption decodes into o the option of the chart id in a page's source.
func chartOption(t *testing.T, page, id string, o any) {
	t.Helper()
	head := `{id: "` + id + `", option: `
	i := strings.Index(page, head)
	if i < 0 {
		t.Fatalf("no chart %s", id)
	}
	if err := json.NewDecoder(strings.NewReader(page[i+len(head):])).Decode(o); err != nil {
		t.Fatalf("chart %s: %v", id, err)
	}
}

// TestBenchmarkYearToDate: the benchmark page's 本年累计 table (store_ytd) ranks the stores whose
// data reaches back to January by revenue, shows "—" for the others with a note, and is left out
// when no store's data does.
func TestBenchmarkYearToDate(t *testing.T) {
	out, _ := buildPages(t, Options{Month: "2026-10"})
	if b := readPage(t, out, "benchmark-2026-10.html"); strings.Contains(b, "本年累计") {
		t.Error("a year-to-date table where no store's data reaches back to January")
	}
	d := testenv.Sample(t, 2, 2, nil)
	// 2026-01 … 2026-08 as copies of 2026-09 for S002 alone
	if _, err := d.Exec(`INSERT INTO mart_store_month SELECT s.* REPLACE (v.m AS month) FROM mart_store_month s,
		(SELECT strftime(DATE '2026-01-01' + to_months(i), '%Y-%m') FROM range(8) r(i)) v(m) WHERE store_id = 'S002' AND month = '2026-09'`); err != nil {
		t.Fatal(err)
	}
	var revenue float64
	if err := d.QueryRow(`SELECT sum(revenue)::DOUBLE FROM mart_store_month WHERE store_id = 'S002' AND month BETWEEN '2026-01' AND '2026-10'`).Scan(&revenue); err != nil {
		t.Fatal(err)
	}
	out = t.TempDir()
	if _, err := Build(t.Context(), d, Options{Out: out, Month: "2026-10", Now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	b := html.UnescapeString(readPage(t, out, "benchmark-2026-10.html"))
	i := strings.Index(b, "<h2>本年累计（按产值排名）：2026-01 – 2026-10</h2>")
	if i < 0 {
		t.Fatal("no year-to-date table")
	}
	sec := b[i:]
	sec = sec[:strings.Index(sec, "</section>")]
	rows := regexp.MustCompile(`<tr><td class="num">([^<]*)</td><td>(S00\d)[^<]*</td><td class="num">[^<]*</td><td class="num">([^<]*)</td>`).FindAllStringSubmatch(sec, -1)
	if len(rows) != 2 || rows[0][1] != "1" || rows[0][2] != "S002" || rows[0][3] != Fmt(revenue, "money", "zh") || rows[1][1] != "—" || rows[1][2] != "S001" || rows[1][3] != "—" {
		t.Errorf("year-to-date rows %q, want S002 ranked 1 with %s and S001 without", rows, Fmt(revenue, "money", "zh"))
	}
	if !strings.Contains(sec, "数据起始晚于当年 1 月的门店没有本年累计") {
		t.Error("no note for the store without a year to date")
	}
}
