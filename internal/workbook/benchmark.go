package workbook

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/xlsxw"
)

// Benchmark writes head office's benchmark workbook (集团对标) of a month: an overview of every
// store × KPI, each KPI's column coloured from worst (red) to best (green) by its direction and
// the values that miss their target in red; every KPI's ranking with the group's median and
// quartiles, the target, 环比 and 同比; and the group's medians of the 13 months up to it. Its
// numbers come from the named queries store_benchmark and benchmark_trend, as the dashboards'
// benchmark page's do (mart_benchmark).
func Benchmark(ctx context.Context, db *sql.DB, month, lang, path string) error {
	p := map[string]string{"month": month}
	res, err := Named(ctx, db, "store_benchmark", p)
	if err != nil {
		return err
	}
	if len(res.Rows) == 0 {
		_, months, ok := MartSpan(ctx, db, "mart_benchmark")
		if !ok {
			return msg.Errorf("no benchmark for %s: no mart holds any yet — run `aftersales transform`", month)
		}
		return msg.Errorf("no benchmark for %s (mart_benchmark holds the months %s): check --month, or run `aftersales transform` after loading that month", month, months)
	}
	units, err := kpiUnits(ctx, db)
	if err != nil {
		return err
	}
	trend, err := Named(ctx, db, "benchmark_trend", p)
	if err != nil {
		return err
	}

	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s %s", L(lang, "bench_title"), month)
	col := func(n string) int { return res.Col(n) }
	label := func(r []any) string {
		if lang == "en" {
			return str(r[col("label_en")])
		}
		return str(r[col("label_zh")])
	}

	// the KPIs in the dictionary's order (the query's), the stores by id
	type kpiInfo struct {
		key, label, unit, dir  string
		median, q1, q3, target any
	}
	var kpis []*kpiInfo
	byKPI := map[string]*kpiInfo{}
	storeName := map[string]string{}
	value := map[[2]string]any{}
	missed := map[[2]string]bool{}
	for _, r := range res.Rows {
		k, s := str(r[col("kpi")]), str(r[col("store_id")])
		if byKPI[k] == nil {
			byKPI[k] = &kpiInfo{key: k, label: label(r), unit: units[k], dir: str(r[col("direction")]),
				median: r[col("group_median")], q1: r[col("group_q1")], q3: r[col("group_q3")], target: r[col("target")]}
			kpis = append(kpis, byKPI[k])
		}
		storeName[s] = str(r[col("store_name")])
		value[[2]string{s, k}] = r[col("value")]
		missed[[2]string{s, k}] = r[col("meets_target")] == false
	}
	stores := make([]string, 0, len(storeName))
	for s := range storeName {
		stores = append(stores, s)
	}
	sort.Strings(stores)

	// overview: a row per store, a column per KPI
	sh := L(lang, "bench_overview")
	f.SetSheetName("Sheet1", sh)
	setText(f, sh, "A1", title)
	f.SetCellStyle(sh, "A1", "A1", st.title)
	setText(f, sh, "A2", L(lang, "bench_note"))
	f.SetCellStyle(sh, "A2", "A2", st.note)
	const hdr, first = 3, 4
	setText(f, sh, cell(1, hdr), L(lang, "store"))
	setText(f, sh, cell(2, hdr), L(lang, "store_name"))
	for j, k := range kpis {
		setText(f, sh, cell(3+j, hdr), k.label)
	}
	f.SetCellStyle(sh, cell(1, hdr), cell(2+len(kpis), hdr), st.header)
	last := first + len(stores) - 1
	for i, s := range stores {
		row := first + i
		setText(f, sh, cell(1, row), s)
		setText(f, sh, cell(2, row), storeName[s])
		f.SetCellStyle(sh, cell(1, row), cell(2, row), st.text)
		for j, k := range kpis {
			style := unitStyle(st, k.unit, lang, false)
			if missed[[2]string{s, k.key}] {
				style = st.missStyle(f, k.unit, lang)
			}
			setNumber(f, sh, cell(3+j, row), value[[2]string{s, k.key}], style)
		}
	}
	// each KPI's column from worst to best: red → yellow → green, reversed where lower is better
	for j, k := range kpis {
		lo, hi := "#F8696B", "#63BE7B"
		if k.dir == "down" {
			lo, hi = hi, lo
		}
		c := colName(3 + j)
		f.SetConditionalFormat(sh, fmt.Sprintf("%s%d:%s%d", c, first, c, last), []excelize.ConditionalFormatOptions{{
			Type: "3_color_scale", Criteria: "=", MinType: "min", MidType: "percentile", MidValue: "50", MaxType: "max",
			MinColor: lo, MidColor: "#FFEB84", MaxColor: hi}})
	}
	// the group's figures under the stores
	for i, g := range []struct {
		key string
		get func(*kpiInfo) any
	}{
		{"group_median", func(k *kpiInfo) any { return k.median }},
		{"group_q1", func(k *kpiInfo) any { return k.q1 }},
		{"group_q3", func(k *kpiInfo) any { return k.q3 }},
		{"target", func(k *kpiInfo) any { return k.target }},
	} {
		row := last + 1 + i
		setText(f, sh, cell(1, row), L(lang, g.key))
		f.SetCellStyle(sh, cell(1, row), cell(2, row), st.header)
		for j, k := range kpis {
			style := statStyle(st, k.unit, lang)
			if g.key == "target" {
				style = st.targetStyle(f, k.unit, lang, k.dir)
			}
			setNumber(f, sh, cell(3+j, row), g.get(k), style)
		}
	}
	f.SetColWidth(sh, "A", "A", 10)
	f.SetColWidth(sh, "B", "B", 20)
	if len(kpis) > 0 {
		f.SetColWidth(sh, "C", colName(2+len(kpis)), 14)
	}
	f.SetRowHeight(sh, hdr, 45)
	freeze(f, sh, hdr, 2)
	pageSetup(f, sh, hdr)

	// rankings: every KPI's stores, best first
	rsh := sheetName(f, L(lang, "bench_rank_sheet"))
	f.NewSheet(rsh)
	heads := []string{"kpi", "rank", "store", "store_name", "value", "percentile", "group_median", "group_q1", "group_q3", "target", "meets", "mom", "yoy"}
	for i, h := range heads {
		setText(f, rsh, cell(i+1, 1), L(lang, h))
	}
	f.SetCellStyle(rsh, "A1", cell(len(heads), 1), st.header)
	for i, r := range res.Rows {
		row := 2 + i
		k := byKPI[str(r[col("kpi")])]
		setText(f, rsh, cell(1, row), k.label)
		setText(f, rsh, cell(3, row), str(r[col("store_id")]))
		setText(f, rsh, cell(4, row), str(r[col("store_name")]))
		f.SetCellStyle(rsh, cell(1, row), cell(4, row), st.text)
		setNumber(f, rsh, cell(2, row), r[col("rank")], st.int)
		valueStyle := unitStyle(st, k.unit, lang, false)
		if setMet(f, st, rsh, cell(11, row), r[col("meets_target")], lang) {
			valueStyle = st.missStyle(f, k.unit, lang)
		}
		setNumber(f, rsh, cell(5, row), r[col("value")], valueStyle)
		setNumber(f, rsh, cell(6, row), r[col("percentile")], st.pct)
		for c, name := range map[int]string{7: "group_median", 8: "group_q1", 9: "group_q3"} {
			setNumber(f, rsh, cell(c, row), r[col(name)], statStyle(st, k.unit, lang))
		}
		setNumber(f, rsh, cell(10, row), r[col("target")], st.targetStyle(f, k.unit, lang, k.dir))
		setChange(f, st, rsh, cell(12, row), r[col("change_mom")], k.unit, lang)
		setChange(f, st, rsh, cell(13, row), r[col("change_yoy")], k.unit, lang)
	}
	for i, w := range []float64{18, 6, 10, 20, 15, 10, 15, 15, 15, 12, 8, 16, 16} {
		f.SetColWidth(rsh, colName(i+1), colName(i+1), w)
	}
	freeze(f, rsh, 1, 0)
	pageSetup(f, rsh, 1)

	// 本年累计: every store's year to date, ranked by revenue (store_ytd, as monthly_review's)
	ytd, err := Named(ctx, db, "store_ytd", map[string]string{"month": month})
	if err != nil {
		return err
	}
	ysh := sheetName(f, L(lang, "bench_ytd_sheet"))
	f.NewSheet(ysh)
	setText(f, ysh, "A1", fmt.Sprintf(L(lang, "bench_ytd_title"), month[:4]+"-01", month))
	f.SetCellStyle(ysh, "A1", "A1", st.title)
	setText(f, ysh, "A2", L(lang, "bench_ytd_note"))
	ycols := []struct {
		name  string
		style int
	}{{"rank", st.int}, {"store_id", st.text}, {"store_name", st.text}, {"orders_ytd", st.int}, {"orders_ytd_prev_year", st.int},
		{"revenue_ytd", st.money}, {"revenue_ytd_prev_year", st.money}, {"change_revenue_ytd_pct", st.signedPct},
		{"labor_revenue_ytd", st.money}, {"parts_revenue_ytd", st.money}, {"flagged_hours_ytd", unitStyle(st, "hours", lang, false)}}
	for j, c := range ycols {
		label := c.name
		if label == "store_id" {
			label = "store"
		}
		setText(f, ysh, cell(j+1, 3), L(lang, label))
	}
	f.SetCellStyle(ysh, "A3", cell(len(ycols), 3), st.header)
	for i, r := range ytd.Rows {
		for j, c := range ycols {
			ref := cell(j+1, 4+i)
			v := r[ytd.Col(c.name)]
			if s, ok := v.(string); ok { // store id and name: never a formula
				setText(f, ysh, ref, s)
				f.SetCellStyle(ysh, ref, ref, c.style)
			} else {
				setNumber(f, ysh, ref, v, c.style)
			}
		}
	}
	for i, w := range []float64{6, 10, 20, 14, 14, 18, 18, 12, 16, 18, 18} {
		f.SetColWidth(ysh, colName(i+1), colName(i+1), w)
	}
	f.SetRowHeight(ysh, 3, 30)
	freeze(f, ysh, 3, 3)
	pageSetup(f, ysh, 3)

	// the group's medians, month by month
	tsh := sheetName(f, L(lang, "bench_trend_sheet"))
	f.NewSheet(tsh)
	tc := func(n string) int { return trend.Col(n) }
	var months []string
	median := map[[2]string]any{}
	for _, r := range trend.Rows {
		m, k := str(r[tc("month")]), str(r[tc("kpi")])
		if !slices.Contains(months, m) {
			months = append(months, m)
		}
		median[[2]string{m, k}] = r[tc("group_median")]
	}
	sort.Strings(months)
	setText(f, tsh, "A1", L(lang, "bench_trend_title"))
	f.SetCellStyle(tsh, "A1", "A1", st.title)
	setText(f, tsh, "A2", L(lang, "month"))
	for j, k := range kpis {
		setText(f, tsh, cell(2+j, 2), k.label)
	}
	f.SetCellStyle(tsh, "A2", cell(1+len(kpis), 2), st.header)
	for i, m := range months {
		row := 3 + i
		setText(f, tsh, cell(1, row), m)
		f.SetCellStyle(tsh, cell(1, row), cell(1, row), st.text)
		for j, k := range kpis {
			setNumber(f, tsh, cell(2+j, row), median[[2]string{m, k.key}], statStyle(st, k.unit, lang))
		}
	}
	f.SetColWidth(tsh, "A", "A", 10)
	if len(kpis) > 0 {
		f.SetColWidth(tsh, "B", colName(1+len(kpis)), 14)
	}
	f.SetRowHeight(tsh, 2, 45)
	freeze(f, tsh, 2, 1)
	pageSetup(f, tsh, 2)

	f.SetActiveSheet(0)
	f.SetDocProps(&excelize.DocProperties{Creator: "aftersales", Title: title, Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z"})
	return xlsxw.Save(f, path)
}

// statStyle is the style of a group statistic (median, quartile) of a KPI: its unit's, but for a
// count, whose median between two stores may be a half (1384.5), not to be shown rounded.
func statStyle(st *styles, unit, lang string) int {
	if unit == "count" {
		return st.general
	}
	return unitStyle(st, unit, lang, false)
}

// kpiUnits is each KPI's unit (money, rate, count, hours, ratio) from the KPI dictionary.
func kpiUnits(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT kpi, unit FROM kpi_dictionary`)
	if err != nil {
		return nil, fmt.Errorf("reading kpi_dictionary: %w", err)
	}
	defer rows.Close()
	units := map[string]string{}
	for rows.Next() {
		var k, u string
		if err := rows.Scan(&k, &u); err != nil {
			return nil, err
		}
		units[k] = u
	}
	return units, rows.Err()
}
