package dashboards

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/aftersales/aftersales/internal/workbook"
)

// benchmarkPage: per KPI the stores ranked with group median, quartiles and target; a stores ×
// KPIs heatmap by percentile (direction-aware: 1 = best); FTFR vs CSI; the group-median trend;
// a ranked table. No customer data.
func (b *builder) benchmarkPage(month string) error {
	l := b.o.Lang
	pg := &page{Title: fmt.Sprintf("%s %s", T(l, "benchmark"), month), Nav: []link{{Text: T(l, "index_title"), Href: "index.html"}}}
	for i, m := range b.allMonth {
		if m == month && b.o.Month == "" {
			if i > 0 {
				pg.Nav = append(pg.Nav, link{Text: "← " + b.allMonth[i-1], Href: "benchmark-" + b.allMonth[i-1] + ".html"})
			}
			if i+1 < len(b.allMonth) {
				pg.Nav = append(pg.Nav, link{Text: b.allMonth[i+1] + " →", Href: "benchmark-" + b.allMonth[i+1] + ".html"})
			}
		}
	}
	// stores whose data does not cover the month to its end rank on fewer days: said
	var partial []string
	for _, s := range b.stores {
		for _, mi := range b.months[s.id] {
			if mi.month == month && mi.partial != "" {
				partial = append(partial, fmt.Sprintf(T(l, "partial_store"), s.id, mi.partial))
			}
		}
	}
	if len(partial) > 0 {
		pg.Subtitle = T(l, "partial_stores") + strings.Join(partial, T(l, "list_sep"))
	}
	bm, err := workbook.Named(b.ctx, b.db, "store_benchmark", map[string]string{"month": month})
	if err != nil {
		return err
	}
	c := bm.Col
	type kpiInfo struct{ key, label, dir, formula string }
	var kpis []kpiInfo
	seenK := map[string]bool{}
	var stores []string
	seenS := map[string]bool{}
	byKS := map[[2]string][]any{}
	for _, r := range bm.Rows {
		k, s := str(r[c("kpi")]), str(r[c("store_id")])
		if !seenK[k] {
			seenK[k] = true
			lab, formula := str(r[c("label_zh")]), str(r[c("formula_zh")])
			if l == "en" {
				lab, formula = str(r[c("label_en")]), str(r[c("formula_en")])
			}
			kpis = append(kpis, kpiInfo{k, lab, str(r[c("direction")]), formula})
			pg.Footnotes = append(pg.Footnotes, footnote{lab, formula})
		}
		if !seenS[s] {
			seenS[s] = true
			stores = append(stores, s)
		}
		byKS[[2]string{k, s}] = r
	}
	sort.Strings(stores)
	// heatmap: x = KPIs, y = stores, value = percentile × 100
	var hx []string
	for _, k := range kpis {
		hx = append(hx, k.label)
	}
	// a KPI only one store has a value for is not coloured: its percent rank is 0 by definition
	// (SQL's percent_rank of a one-row group), which would paint the only store as the worst
	valued := map[string]int{}
	for _, k := range kpis {
		for _, s := range stores {
			if _, ok := toFloat(field(byKS[[2]string{k.key, s}], c("value"))); ok {
				valued[k.key]++
			}
		}
	}
	var hd []opts.HeatMapData
	for yi, s := range stores {
		for xi, k := range kpis {
			r := byKS[[2]string{k.key, s}]
			v := any(null)
			if r != nil && valued[k.key] >= 2 {
				if f, ok := toFloat(r[c("percentile")]); ok {
					// a whole number: the cell's label (49 stores ranked give 93.877551020408…)
					v = math.Round(f * 100)
				}
			}
			hd = append(hd, opts.HeatMapData{Value: []any{xi, yi, v}})
		}
	}
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}), charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}), // one series: the colour scale says it
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: hx, AxisLabel: &opts.AxisLabel{Rotate: 40, Interval: "0"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: stores, Inverse: opts.Bool(true)}), // S001 at the top, as in the tables
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: 0, Max: 100, Orient: "vertical", Right: "0", Top: "middle",
			InRange: &opts.VisualMapInRange{Color: []string{"#dc2626", "#fde68a", "#16a34a"}}}))
	hm.AddSeries(T(l, "percentile"), hd, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{@[2]}"}))
	// the colour scale stands at the right: at the bottom the longest KPI names (English, turned
	// 40°) ran into it
	height := 150 + 28*len(stores)
	heat := optionMap(hm)
	heat["grid"] = map[string]any{"left": 90, "right": 90, "bottom": 140, "top": 10}
	// drawn at once: ECharts draws a heatmap of more than 3,000 cells progressively, a chunk a
	// frame (a picture taken of the page, or printed, showed 67 of 200 stores)
	seriesOpts(heat, map[string]any{"progressive": 0})
	pg.Charts = append(pg.Charts, chart{"c_heat", safeJSON(heat)})
	heatSec := section{Title: T(l, "heatmap"), Charts: []chartDiv{{ID: "c_heat", Height: max(height, 300)}}, Wide: true}
	if !slices.ContainsFunc(kpis, func(k kpiInfo) bool { return valued[k.key] >= 2 }) {
		// an empty chart says "no data"; the data are there, but no KPI has two stores to rank
		heatSec.Note = T(l, "heatmap_one_store")
	}
	pg.Sections = append(pg.Sections, heatSec)
	// the KPIs' names in the page's language (the dictionary's labels); en keeps the short names
	kpiName := func(key, en string) string {
		if l == "en" {
			return en
		}
		for _, k := range kpis {
			if k.key == key {
				return k.label
			}
		}
		return en
	}
	// FTFR vs CSI scatter: a quadrant chart, with each KPI's target as a line and the stores that
	// miss either target in red (as the ranking charts mark them)
	sc := charts.NewScatter()
	var sd []opts.ScatterData
	var ftfrs, csis []float64
	var scMiss []bool
	for _, s := range stores {
		rf, rq := byKS[[2]string{"ftfr", s}], byKS[[2]string{"csi", s}]
		f, okf := toFloat(field(rf, c("value")))
		q, okq := toFloat(field(rq, c("value")))
		if okf && okq {
			// in %, to 2 decimals: the tooltip shows the values as they are
			x, y := math.Round(f*10000)/100, math.Round(q*10000)/100
			sd = append(sd, opts.ScatterData{Name: s, Value: []any{x, y}})
			ftfrs, csis = append(ftfrs, x), append(csis, y)
			scMiss = append(scMiss, field(rf, c("meets_target")) == false || field(rq, c("meets_target")) == false)
		}
	}
	// the targets (a setting, the same for every store of the month), in %
	target := func(kpi string) (float64, bool) {
		for _, s := range stores {
			if f, ok := toFloat(field(byKS[[2]string{kpi, s}], c("target"))); ok {
				return math.Round(f*10000) / 100, true
			}
		}
		return 0, false
	}
	xAxis := opts.XAxis{Name: kpiName("ftfr", "FTFR") + " %", NameLocation: "middle", NameGap: 28, Type: "value", Scale: opts.Bool(true)}
	yAxis := opts.YAxis{Name: kpiName("csi", "CSI") + " %", Type: "value", Scale: opts.Bool(true)}
	var xMarks []opts.MarkLineNameXAxisItem
	var yMarks []opts.MarkLineNameYAxisItem
	xDrawn, yDrawn := slices.Clone(ftfrs), slices.Clone(csis)
	if tx, ok := target("ftfr"); ok && len(sd) > 0 {
		xMarks = append(xMarks, opts.MarkLineNameXAxisItem{Name: T(l, "target"), XAxis: tx})
		xDrawn = append(xDrawn, tx)
	}
	if ty, ok := target("csi"); ok && len(sd) > 0 {
		yMarks = append(yMarks, opts.MarkLineNameYAxisItem{Name: T(l, "target"), YAxis: ty})
		yDrawn = append(yDrawn, ty)
	}
	// each axis holds the dots and the target (ECharts fitted them to the dots alone, a store
	// at the lowest value then lay on the axis line, and the axis ran on to 100 % past them)
	if lo, hi, step, ok := axisBounds(xDrawn, true); ok {
		xAxis.Min, xAxis.Max, xAxis.MinInterval, xAxis.MaxInterval = lo, hi, step, step
	}
	if lo, hi, step, ok := axisBounds(yDrawn, true); ok {
		yAxis.Min, yAxis.Max, yAxis.MinInterval, yAxis.MaxInterval = lo, hi, step, step
	}
	sc.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: "{b}: {c}"}), charts.WithAnimation(false),
		charts.WithXAxisOpts(xAxis), charts.WithYAxisOpts(yAxis))
	sc.AddSeries(T(l, "stores"), sd, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "right"}),
		charts.WithMarkLineNameXAxisItemOpts(xMarks...), charts.WithMarkLineNameYAxisItemOpts(yMarks...),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b}"}}))
	// a store's name beside its dot unless it would cover another's (at 200 stores most would):
	// the tooltip names every dot
	scatter := optionMap(sc)
	scSeries := seriesOpts(scatter, map[string]any{"labelLayout": map[string]any{"hideOverlap": true}})
	markMisses(scSeries, scMiss)
	styleRefLines(scSeries, []refLine{{kind: lineTarget}, {kind: lineTarget}})
	pg.Charts = append(pg.Charts, chart{"c_scatter", safeJSON(scatter)})
	var scNotes []string
	if len(xMarks)+len(yMarks) > 0 {
		scNotes = append(scNotes, T(l, "dashed_targets"))
	}
	if slices.Contains(scMiss, true) {
		scNotes = append(scNotes, T(l, "red_dots_miss_either"))
	}
	scNote := strings.Join(scNotes, " · ")
	pg.Sections = append(pg.Sections, section{Title: T(l, "scatter"), Note: scNote, Charts: []chartDiv{{ID: "c_scatter", Height: 340}}})
	// group median trend of the quality KPIs
	bt, err := workbook.Named(b.ctx, b.db, "benchmark_trend", map[string]string{"month": month})
	if err != nil {
		return err
	}
	series := map[string][]any{}
	monthsSet := map[string]bool{}
	vals := map[[2]string]any{}
	for _, r := range bt.Rows {
		k, m := str(r[bt.Col("kpi")]), str(r[bt.Col("month")])
		monthsSet[m] = true
		vals[[2]string{k, m}] = r[bt.Col("group_median")]
	}
	var tx []string
	for m := range monthsSet {
		tx = append(tx, m)
	}
	sort.Strings(tx)
	var order []string
	for _, k := range kpis {
		if k.key != "ftfr" && k.key != "csi" && k.key != "on_time_rate" && k.key != "callback_rate" {
			continue
		}
		for _, m := range tx {
			series[k.label] = append(series[k.label], pct(vals[[2]string{k.key, m}]))
		}
		order = append(order, k.label)
	}
	pg.Charts = append(pg.Charts, chart{"c_median", optionJSON(lines("", tx, series, order, "%", nil), nil)})
	pg.Sections = append(pg.Sections, section{Title: T(l, "median_trend"), Charts: []chartDiv{{ID: "c_median", Height: 340}}})
	// per-KPI ranking bars with median, quartiles and target lines
	for i, k := range kpis {
		unit := unitOf(k.key)
		var xs []string
		var ys []any
		type sv struct {
			s    string
			v    float64
			rank int64
			miss bool // the store misses the KPI's target
		}
		var list []sv
		for _, s := range stores {
			r := byKS[[2]string{k.key, s}]
			if f, ok := toFloat(field(r, c("value"))); ok {
				list = append(list, sv{s, f, toInt(field(r, c("rank"))), field(r, c("meets_target")) == false})
			}
		}
		sort.Slice(list, func(a, b int) bool {
			if list[a].rank != list[b].rank {
				return list[a].rank < list[b].rank
			}
			return list[a].s < list[b].s
		})
		// rates in %, amounts of money of 10,000 yuan or more in 万元 (¥k in English: moneyUnit;
		// the axis read 1,600,000)
		scale, axis := 1.0, ""
		if unit == "rate" {
			scale, axis = 100, "%"
		}
		if unit == "money" && slices.ContainsFunc(list, func(e sv) bool { return math.Abs(e.v) >= 10000 }) {
			scale, axis = 1/moneyUnit(l), T(l, "wan_yuan")
		}
		var miss []bool
		for _, e := range list {
			xs = append(xs, e.s)
			miss = append(miss, e.miss)
			ys = append(ys, math.Round(e.v*scale*100)/100) // shown to 2 decimals
		}
		// dots, not bars: the axis is fitted to the stores' spread (a rate of 99.3–99.9 % would
		// show as equal bars from 0), and a bar on a cut axis misstates the ratio between stores
		bar := charts.NewScatter()
		yAxis := opts.YAxis{Type: "value", Scale: opts.Bool(true), Name: axis}
		bar.SetXAxis(xs)
		var marks []opts.MarkLineNameYAxisItem
		// where each line's name stands, so that close lines' names do not cover each other: the
		// median's at the line's end, the upper quartile's above its line and the lower one's
		// below it (by value: a quartile may be either), the target's above it at the start
		var lines []refLine
		if len(list) > 0 {
			r := byKS[[2]string{k.key, list[0].s}]
			mark := func(name, col, kind, place string) (float64, bool) {
				f, ok := toFloat(field(r, c(col)))
				if ok {
					marks = append(marks, opts.MarkLineNameYAxisItem{Name: name, YAxis: math.Round(f*scale*100) / 100})
					lines = append(lines, refLine{kind, place})
				}
				return f, ok
			}
			mark(T(l, "median"), "group_median", lineMedian, "end")
			q1, ok1 := mark("Q1", "group_q1", lineQuartile, "insideEndBottom")
			q3, ok3 := mark("Q3", "group_q3", lineQuartile, "insideEndTop")
			if ok1 && ok3 && q1 > q3 {
				lines[len(lines)-2].place, lines[len(lines)-1].place = "insideEndTop", "insideEndBottom"
			}
			mark(T(l, "target"), "target", lineTarget, "insideStartTop")
		}
		// the axis holds the dots and every marked line, the target too
		drawn := floats(ys)
		for _, m := range marks {
			drawn = append(drawn, m.YAxis.(float64))
		}
		if lo, hi, step, ok := axisBounds(drawn, unit == "rate"); ok {
			// ticks at every step from lo (ECharts' own interval for these ends was 0.3 from 98.5:
			// 98.5, 98.7, 99, 99.3 …)
			yAxis.Min, yAxis.Max, yAxis.MinInterval, yAxis.MaxInterval = lo, hi, step, step
		}
		bar.SetGlobalOptions(charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}), charts.WithAnimation(false),
			charts.WithYAxisOpts(yAxis))
		dots := make([]opts.ScatterData, len(ys))
		for i, y := range ys {
			dots[i] = opts.ScatterData{Value: y, SymbolSize: 11}
		}
		bar.AddSeries(k.label, dots, charts.WithMarkLineNameYAxisItemOpts(marks...),
			charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b}"}}))
		id := fmt.Sprintf("c_rank_%d", i)
		pg.Charts = append(pg.Charts, chart{id, rankingOption(bar, lines, miss)})
		title := k.label + " · " + T(l, "ranking")
		if k.dir == "down" {
			title += sep(l, "（", " (") + T(l, "lower_better") + sep(l, "）", ")")
		}
		note := k.formula
		if slices.Contains(miss, true) {
			note += " · " + T(l, "red_dots_miss")
		}
		pg.Sections = append(pg.Sections, section{Title: title, Note: note, Charts: []chartDiv{{ID: id, Height: 240}}})
	}
	// ranked table
	t := &table{Head: heads(l, "kpi", "rank", "store", "value", "percentile", "median", "target", "mom", "yoy")}
	for _, k := range kpis {
		unit := unitOf(k.key)
		var rows [][]any
		for _, s := range stores {
			if r := byKS[[2]string{k.key, s}]; r != nil {
				rows = append(rows, r)
			}
		}
		sort.SliceStable(rows, func(a, b int) bool {
			ra, rb := toInt(rows[a][c("rank")]), toInt(rows[b][c("rank")])
			if ra == 0 {
				ra = 1 << 30
			}
			if rb == 0 {
				rb = 1 << 30
			}
			return ra < rb
		})
		for _, r := range rows {
			cls := ""
			switch r[c("meets_target")] {
			case true:
				cls = "met"
			case false:
				cls = "miss"
			}
			v := numCell(r[c("value")], unit, l)
			v.Class += " " + cls
			t.Rows = append(t.Rows, []cellv{{Text: k.label}, {Text: str(r[c("rank")]), Class: "num"}, {Text: str(r[c("store_id")]) + " " + str(r[c("store_name")])},
				v, numCell(r[c("percentile")], "rate", l), numCell(r[c("group_median")], unit, l), numCell(r[c("target")], unit, l),
				changeCell(r[c("value")], r[c("value_prev_month")], "prev_month", unit, l),
				changeCell(r[c("value")], r[c("value_prev_year")], "prev_year", unit, l)})
		}
	}
	pg.Sections = append(pg.Sections, section{Title: T(l, "ranked_table"), Table: t, Wide: true})

	// every store's year to date (store_ytd), when some store's data reaches back to January
	ytd, err := workbook.Named(b.ctx, b.db, "store_ytd", map[string]string{"month": month})
	if err != nil {
		return err
	}
	yc := ytd.Col
	yt := &table{Head: heads(l, "rank", "store", "orders_ytd", "revenue_ytd", "revenue_ytd_prev_year", "change_revenue_ytd", "labor_revenue_ytd", "parts_revenue_ytd")}
	some, missing := false, false
	for _, r := range ytd.Rows {
		if r[yc("revenue_ytd")] == nil {
			missing = true
		} else {
			some = true
		}
		// (the change as the ranked table's 同比: % of last year's, which with the change is in the tip)
		change := changeCell(r[yc("revenue_ytd")], r[yc("revenue_ytd_prev_year")], "prev_year", "money", l)
		yt.Rows = append(yt.Rows, []cellv{{Text: cmp.Or(str(r[yc("rank")]), "—"), Class: "num"}, {Text: str(r[yc("store_id")]) + " " + str(r[yc("store_name")])},
			numCell(r[yc("orders_ytd")], "count", l), numCell(r[yc("revenue_ytd")], "money", l), numCell(r[yc("revenue_ytd_prev_year")], "money", l),
			change, numCell(r[yc("labor_revenue_ytd")], "money", l), numCell(r[yc("parts_revenue_ytd")], "money", l)})
	}
	if some {
		note := ""
		if missing {
			note = T(l, "ytd_note")
		}
		pg.Sections = append(pg.Sections, section{Title: T(l, "ytd_table") + sep(l, "：", ": ") + month[:4] + "-01 – " + month, Note: note, Table: yt, Wide: true})
	}
	return b.render("benchmark-"+month+".html", pg)
}

func field(r []any, i int) any {
	if r == nil || i < 0 {
		return nil
	}
	return r[i]
}

func unitOf(kpi string) string {
	for _, k := range kpiUnits {
		if k[0] == kpi {
			return k[1]
		}
	}
	return "ratio"
}

var kpiUnits = [][2]string{{"orders", "count"}, {"revenue", "money"}, {"revenue_per_order", "money"}, {"appointment_rate", "rate"},
	{"turnaround_hours_median", "hours"}, {"on_time_rate", "rate"}, {"ftfr", "rate"}, {"comeback_rate", "rate"}, {"callback_rate", "rate"},
	{"callback_timely_rate", "rate"}, {"reach_rate", "rate"}, {"csi", "rate"}, {"complaint_rate", "rate"}, {"complaint_resolved_rate", "rate"},
	{"revenue_per_tech", "money"}, {"fill_rate", "rate"}, {"turnover", "ratio"}, {"dead_stock_value", "money"}}

// changeCell is a month-on-month or year-on-year change as the store page's cards show it
// (Delta): percentage points for a rate, the relative change in % otherwise, "—" without an
// earlier value or when it is 0. Its tip gives the earlier value and the absolute change, the
// mart's change_mom / change_yoy.
func changeCell(cur, prev any, prevLabel, unit, l string) cellv {
	v, ok := toFloat(cur)
	p, okp := toFloat(prev)
	if !ok || !okp {
		return cellv{Text: "—", Class: "num"}
	}
	d, _ := Delta(v, p, unit, l)
	abs := Fmt(v-p, unit, l)
	if v-p > 0 {
		abs = "+" + abs
	}
	if unit == "rate" {
		abs = d // already the difference, in percentage points
	}
	return cellv{Text: d, Class: "num", Tip: T(l, prevLabel) + " " + Fmt(p, unit, l) + " · " + T(l, "change") + " " + abs}
}

// missColor is the red the page's cards and tables mark a missed target with.
const missColor = "#dc2626"

// markMisses colours the dots of a series (an option's series, as seriesOpts gives it; nil does
// nothing) that miss a target (miss, by the dots' order: stores, or a line's months) in the red
// of a miss. A line's point, a small hollow circle, becomes a larger filled one.
func markMisses(series map[string]any, miss []bool) {
	data, _ := series["data"].([]any)
	line := series["type"] == "line"
	for i, d := range data {
		if item, ok := d.(map[string]any); ok && i < len(miss) && miss[i] {
			item["itemStyle"] = map[string]any{"color": missColor}
			if line {
				item["symbol"], item["symbolSize"] = "circle", 8
			}
		}
	}
}

// The kinds of reference line a benchmark chart draws. Each has its own line, so that the
// target, the thing a store is judged against, stands apart from the group's statistics even
// where the lines lie close together (a rate's quartiles within 0.2 points of each other).
const (
	lineMedian   = "median"   // the group median: solid, dark
	lineQuartile = "quartile" // Q1 and Q3: dotted, grey
	lineTarget   = "target"   // the KPI's target: dashed, amber
)

// refLineStyles: each kind's ECharts lineStyle; a line's label takes its colour.
var refLineStyles = map[string]map[string]any{
	lineMedian:   {"type": "solid", "color": "#334155", "width": 1.5},
	lineQuartile: {"type": "dotted", "color": "#64748b", "width": 1.5},
	lineTarget:   {"type": "dashed", "color": "#d97706", "width": 1.5},
}

// refLine is one marked line of a chart's series: its kind and, if not empty, where its name
// stands (an ECharts markLine label position).
type refLine struct{ kind, place string }

// styleRefLines draws a series' mark lines (by their order in lines) as lines of their kind,
// labelled with their name in the line's colour, without the arrow and dot ECharts puts at a
// mark line's ends (they point nowhere on a reference line). nil does nothing.
func styleRefLines(series map[string]any, lines []refLine) {
	ml, ok := series["markLine"].(map[string]any)
	if !ok {
		return
	}
	ml["symbol"] = []string{"none", "none"}
	data, _ := ml["data"].([]any)
	for i, d := range data {
		item, ok := d.(map[string]any)
		if !ok || i >= len(lines) {
			continue
		}
		st := refLineStyles[lines[i].kind]
		item["lineStyle"] = st
		label := map[string]any{"show": true, "formatter": "{b}", "color": st["color"]}
		if lines[i].place != "" {
			label["position"] = lines[i].place
		}
		item["label"] = label
	}
}

// rankingOption is a ranking chart's option: its first series' mark lines drawn as their kinds
// and labelled at their places (by the lines' order: go-echarts sets one label for all of a
// series' mark lines), and the dots of the stores that miss the target (miss, by the dots'
// order) in the red of a miss, as the ranked table below marks them.
func rankingOption(c echartsChart, lines []refLine, miss []bool) template.JS {
	m := optionMap(c)
	if s := seriesOpts(m, nil); s != nil {
		markMisses(s, miss)
		styleRefLines(s, lines)
	}
	return safeJSON(m)
}
