package dashboards

import (
	"encoding/json"
	"html/template"
	"math"
	"slices"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

type echartsChart interface {
	Validate()
	JSON() map[string]interface{}
}

// optionJSON turns a go-echarts chart into option JSON that is inert in a <script>:
// encoding/json escapes <, >, & and U+2028/U+2029, so "</script>" in a name cannot close the
// script; "__f__" (go-echarts' function marker) is written as _\u005ff__, the same text to
// JavaScript but never a marker. extra keys are merged over the chart's options.
func optionJSON(c echartsChart, extra map[string]any) template.JS {
	c.Validate()
	m := c.JSON()
	for k, v := range extra {
		m[k] = v
	}
	return safeJSON(m)
}

func safeJSON(v any) template.JS {
	b, err := json.Marshal(v) // HTML-safe by default
	if err != nil {
		return template.JS("{}")
	}
	return template.JS(strings.ReplaceAll(string(b), "__f__", `_\u005ff__`))
}

// optionMap is the chart's option as plain JSON values, for what go-echarts has no field for
// (seriesOpts; written with safeJSON).
func optionMap(c echartsChart) map[string]any {
	c.Validate()
	m := map[string]any{}
	if b, err := json.Marshal(c.JSON()); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

// seriesOpts sets set on the option's first series and returns that series (nil: none).
func seriesOpts(m map[string]any, set map[string]any) map[string]any {
	s := nthSeries(m, 0)
	if s == nil {
		return nil
	}
	for k, v := range set {
		s[k] = v
	}
	return s
}

// nthSeries is the option's i-th series (nil if it has none), for what go-echarts has no field for.
func nthSeries(m map[string]any, i int) map[string]any {
	series, _ := m["series"].([]any)
	if i < 0 || i >= len(series) {
		return nil
	}
	s, _ := series[i].(map[string]any)
	return s
}

// null is what ECharts draws as a gap.
const null = "-"

func num(v any) any {
	if f, ok := toFloat(v); ok {
		return f
	}
	return null
}

// scaled divides for display (万元) and keeps 2 decimals.
func scaled(v any, by float64) any {
	if f, ok := toFloat(v); ok {
		return math.Round(f/by*100) / 100
	}
	return null
}

// inUnit is an amount of yuan in the unit of by yuan (moneyUnit), to the yuan: the ABC Pareto's
// axis reads 210 (万元) instead of 2,100,000, and a tooltip still shows a small part's consumption.
func inUnit(v any, by float64) any {
	if f, ok := toFloat(v); ok {
		return math.Round(f) / by
	}
	return null
}

// pct shows a fraction as a percentage with 2 decimals.
func pct(v any) any {
	if f, ok := toFloat(v); ok {
		return math.Round(f*10000) / 100
	}
	return null
}

func barData(vals []any) []opts.BarData {
	out := make([]opts.BarData, len(vals))
	for i, v := range vals {
		out[i] = opts.BarData{Value: v}
	}
	return out
}

func lineData(vals []any) []opts.LineData {
	out := make([]opts.LineData, len(vals))
	for i, v := range vals {
		out[i] = opts.LineData{Value: v}
	}
	return out
}

func common(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 13}}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithAnimation(false),
	}
}

// barLine is bars on the left axis and lines on the right.
func barLine(title string, x []string, bars map[string][]any, barOrder []string, stack bool, lines map[string][]any, lineOrder []string, leftName, rightName string) *charts.Bar {
	b := charts.NewBar()
	b.SetGlobalOptions(common(title)...)
	b.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Name: leftName, Type: "value"}))
	b.SetXAxis(x)
	for _, name := range barOrder {
		var o []charts.SeriesOpts
		if stack {
			o = append(o, charts.WithBarChartOpts(opts.BarChart{Stack: "total"}))
		}
		b.AddSeries(name, barData(bars[name]), o...)
	}
	if len(lineOrder) > 0 {
		b.ExtendYAxis(opts.YAxis{Name: rightName, Type: "value", Position: "right"})
		l := charts.NewLine()
		l.SetXAxis(x)
		for _, name := range lineOrder {
			l.AddSeries(name, lineData(lines[name]), charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}))
		}
		b.Overlap(l)
	}
	return b
}

// percentMax is the top of an axis of percentages (0–100) drawn from vals: 100 where ECharts
// would draw it past 100 % — it pads a lone value (one store, one month, equal values) by half of
// it either way (100 % gave an axis of 40–160 %), and its "nice" steps of 3 × 10ᵏ may round
// 90-odd up to 120 —, else nil (ECharts' own). Charts with marked lines take axisBounds.
func percentMax(vals []float64) any {
	if len(vals) == 0 {
		return nil
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	if hi > 100 {
		return nil
	}
	if hi >= 90 || hi == lo && hi*1.5 > 100 {
		return 100
	}
	return nil
}

// axisBounds are the ends of a value axis that shows every one of vals — a ranking chart's dots
// and its marked lines: ECharts fits an axis to the data alone, so a target all stores miss by
// far (on-time delivery 91–94.5 % against 95 %) was drawn off the chart, and the chart did not
// mark the miss. The ends are multiples of a "nice" step (1, 2 or 5 × 10ᵏ, about a fifth of the
// span; ticks at every step), a step beyond a value that would lie on an end; a lone value is
// given ±10 % of itself (±1 at 0); percentages stay within 0–100, and an axis of values ≥ 0
// starts at 0 at the lowest.
func axisBounds(vals []float64, percent bool) (lo, hi, step float64, ok bool) {
	if len(vals) == 0 {
		return 0, 0, 0, false
	}
	vmin, vmax := slices.Min(vals), slices.Max(vals)
	lo, hi = vmin, vmax
	if lo == hi {
		pad := math.Abs(lo) / 10
		if pad == 0 {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	raw := (hi - lo) / 5
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * e
	for _, f := range []float64{1, 2, 5} {
		if raw <= f*e {
			step = f * e
			break
		}
	}
	// the ends to the step's decimals (0.1 × 3 is 0.30000000000000004)
	digits := math.Pow(10, math.Max(0, -math.Floor(math.Log10(step))))
	lo = math.Round(math.Floor(lo/step)*step*digits) / digits
	hi = math.Round(math.Ceil(hi/step)*step*digits) / digits
	// a line or dot on an end would lie on the axis or the grid's edge: a step more room
	if lo == vmin {
		lo = math.Round((lo-step)*digits) / digits
	}
	if hi == vmax {
		hi = math.Round((hi+step)*digits) / digits
	}
	if percent {
		lo, hi = math.Max(lo, 0), math.Min(hi, 100)
	}
	if vmin >= 0 && lo < 0 {
		lo = 0
	}
	return lo, hi, step, true
}

// floats are the numbers among vals.
func floats(vals ...[]any) []float64 {
	var out []float64
	for _, vs := range vals {
		for _, v := range vs {
			if f, ok := toFloat(v); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// lines is a line chart; a yName of "%" is an axis of percentages (percentMax).
func lines(title string, x []string, series map[string][]any, order []string, yName string, min any) *charts.Line {
	l := charts.NewLine()
	l.SetGlobalOptions(common(title)...)
	y := opts.YAxis{Name: yName, Type: "value", Scale: opts.Bool(true)}
	if min != nil {
		y.Min = min
	}
	if yName == "%" {
		var vals [][]any
		for _, name := range order {
			vals = append(vals, series[name])
		}
		y.Max = percentMax(floats(vals...))
	}
	l.SetGlobalOptions(charts.WithYAxisOpts(y))
	l.SetXAxis(x)
	for _, name := range order {
		l.AddSeries(name, lineData(series[name]))
	}
	return l
}

// twoAxes is a line chart of two series of different scales (turnover ≈ 5, days of supply ≈ 70):
// the first on the left axis, the second on the right.
func twoAxes(x []string, leftName, leftUnit string, left []any, rightName, rightUnit string, right []any) *charts.Line {
	l := charts.NewLine()
	l.SetGlobalOptions(common("")...)
	l.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Name: leftUnit, Type: "value", Scale: opts.Bool(true)}))
	l.ExtendYAxis(opts.YAxis{Name: rightUnit, Type: "value", Position: "right", Scale: opts.Bool(true)})
	l.SetXAxis(x)
	l.AddSeries(leftName, lineData(left))
	l.AddSeries(rightName, lineData(right), charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}))
	return l
}

func pie(title string, names []string, vals []any) *charts.Pie {
	p := charts.NewPie()
	p.SetGlobalOptions(charts.WithTitleOpts(opts.Title{Title: title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 13}}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}), charts.WithAnimation(false))
	data := make([]opts.PieData, len(names))
	for i := range names {
		data[i] = opts.PieData{Name: names[i], Value: vals[i]}
	}
	p.AddSeries(title, data, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"35%", "65%"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{b} {d}%"}))
	return p
}

// markEmptyCharts marks each chart none of whose series holds a value (no rows, or only gaps):
// the page shows "no data" there instead of bare axes (a store with no parts loaded, say).
func markEmptyCharts(p *page) {
	empty := map[string]bool{}
	for _, c := range p.Charts {
		var o struct {
			Series []struct {
				Data []any `json:"data"`
			} `json:"series"`
		}
		if json.Unmarshal([]byte(c.Option), &o) != nil {
			continue
		}
		has := false
		for _, s := range o.Series {
			for _, d := range s.Data {
				has = has || isValue(d)
			}
		}
		empty[c.ID] = !has
	}
	for i := range p.Sections {
		for j := range p.Sections[i].Charts {
			p.Sections[i].Charts[j].Empty = empty[p.Sections[i].Charts[j].ID]
		}
	}
}

// isValue reports whether a series' data item holds a number: the item itself, an object's
// value, or an array's last element (a scatter point's y, a heatmap cell's value).
func isValue(d any) bool {
	switch v := d.(type) {
	case float64:
		return true
	case map[string]any:
		return isValue(v["value"])
	case []any:
		return len(v) > 0 && isValue(v[len(v)-1])
	}
	return false
}
