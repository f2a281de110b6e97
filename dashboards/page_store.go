package dashboards

import (
	"fmt"
	"strings"

	"github.com/aftersales/aftersales/internal/mask"
	"github.com/aftersales/aftersales/internal/workbook"
)

// cardKPIs are the KPIs shown as cards on the store review, in order.
var cardKPIs = []string{"orders", "revenue", "revenue_per_order", "appointment_rate", "turnaround_hours_median", "on_time_rate",
	"ftfr", "comeback_rate", "csi", "complaint_rate", "callback_rate", "complaint_resolved_rate", "revenue_per_tech", "fill_rate", "turnover", "dead_stock_value"}

func (b *builder) nav(s storeInfo, month, cur string) []link {
	l := b.o.Lang
	links := []link{{Text: T(l, "index_title"), Href: "index.html"},
		{Text: T(l, "store_review"), Href: storeFile("store", s.id, month), Current: cur == "store"},
		{Text: T(l, "techs"), Href: storeFile("techs", s.id, month), Current: cur == "techs"},
		{Text: T(l, "parts"), Href: storeFile("parts", s.id, month), Current: cur == "parts"}}
	if b.o.Store == "" {
		links = append(links, link{Text: T(l, "benchmark") + " " + month, Href: "benchmark-" + month + ".html"})
	}
	ms := b.months[s.id]
	for i, m := range ms {
		if m.month != month {
			continue
		}
		if i > 0 && (b.o.Month == "") {
			links = append(links, link{Text: "← " + ms[i-1].month, Href: storeFile(cur, s.id, ms[i-1].month)})
		}
		if i+1 < len(ms) && (b.o.Month == "") {
			links = append(links, link{Text: ms[i+1].month + " →", Href: storeFile(cur, s.id, ms[i+1].month)})
		}
	}
	return links
}

func (b *builder) storePage(s storeInfo, m monthInfo) error {
	l := b.o.Lang
	p := map[string]string{"store": s.id, "month": m.month}
	review, err := workbook.Named(b.ctx, b.db, "monthly_review", p)
	if err != nil {
		return err
	}
	pg := &page{Title: fmt.Sprintf("%s · %s %s", s.label(), T(l, "store_review"), m.month), Subtitle: b.subtitle(s, m),
		Nav: b.nav(s, m.month, "store")}
	col := review.Col
	byKPI := map[string][]any{}
	for _, r := range review.Rows {
		byKPI[str(r[col("kpi")])] = r
		label, formula := str(r[col("label_zh")]), str(r[col("formula_zh")])
		if l == "en" {
			label, formula = str(r[col("label_en")]), str(r[col("formula_en")])
		}
		pg.Footnotes = append(pg.Footnotes, footnote{label, formula})
	}
	for _, k := range cardKPIs {
		r, ok := byKPI[k]
		if !ok {
			continue
		}
		pg.Cards = append(pg.Cards, kpiCard(r, review, l))
	}
	// 13-month trends
	tr, err := workbook.Named(b.ctx, b.db, "store_trend", p)
	if err != nil {
		return err
	}
	x, cols := columns(tr, "month", "orders", "revenue", "labor_revenue", "parts_revenue", "other_revenue", "ftfr", "csi", "on_time_rate",
		"turnaround_hours_median", "turnaround_hours_p90", "ftfr_meets_target", "csi_meets_target", "on_time_rate_meets_target")
	// FTFR, CSI and on-time delivery over the months, each month that misses its KPI's target a
	// red dot (store_trend's <kpi>_meets_target, from mart_benchmark; the cards say it of this
	// month only)
	qualityKPIs := []string{"ftfr", "csi", "on_time_rate"}
	qualitySeries := map[string][]any{}
	var qualityOrder []string
	for _, k := range qualityKPIs {
		qualitySeries[label(review, k, l)] = mapv(cols[k], pct)
		qualityOrder = append(qualityOrder, label(review, k, l))
	}
	quality := optionMap(lines("", x, qualitySeries, qualityOrder, "%", nil))
	var qualityTargets []string
	qualityMiss := false
	for i, k := range qualityKPIs {
		t, dir, ok := workbook.KPITarget(review, k)
		if !ok {
			continue
		}
		qualityTargets = append(qualityTargets, label(review, k, l)+" "+workbook.TargetOp(dir)+" "+Fmt(t, "rate", l))
		miss := make([]bool, len(x))
		for j, met := range cols[k+"_meets_target"] {
			if met == false {
				miss[j], qualityMiss = true, true
			}
		}
		markMisses(nthSeries(quality, i), miss)
	}
	var qualityNote string
	if qualityMiss {
		qualityNote = T(l, "red_dots_miss_months") + sep(l, "（目标：", " (targets: ") +
			strings.Join(qualityTargets, sep(l, "，", ", ")) + sep(l, "）", ")")
	}
	// money in 万元 in Chinese, ¥k in English (moneyUnit), as the chart titles say
	unit := moneyUnit(l)
	pg.Charts = append(pg.Charts,
		chart{"c_orders", optionJSON(barLine("", x, map[string][]any{T(l, "orders"): cols["orders"]}, []string{T(l, "orders")}, false,
			map[string][]any{T(l, "revenue"): mapv(cols["revenue"], func(v any) any { return scaled(v, unit) })}, []string{T(l, "revenue")}, T(l, "orders"), T(l, "revenue")), nil)},
		chart{"c_revenue", optionJSON(barLine("", x, map[string][]any{
			T(l, "labour"):    mapv(cols["labor_revenue"], func(v any) any { return scaled(v, unit) }),
			T(l, "parts_rev"): mapv(cols["parts_revenue"], func(v any) any { return scaled(v, unit) }),
			T(l, "other"):     mapv(cols["other_revenue"], func(v any) any { return scaled(v, unit) })},
			[]string{T(l, "labour"), T(l, "parts_rev"), T(l, "other")}, true, nil, nil, "", ""), nil)},
		chart{"c_quality", safeJSON(quality)},
		chart{"c_tat", optionJSON(lines("", x, map[string][]any{
			label(review, "turnaround_hours_median", l): mapv(cols["turnaround_hours_median"], num),
			label(review, "turnaround_hours_p90", l):    mapv(cols["turnaround_hours_p90"], num)},
			[]string{label(review, "turnaround_hours_median", l), label(review, "turnaround_hours_p90", l)}, T(l, "hours_unit"), 0), nil)},
	)
	pg.Sections = append(pg.Sections,
		section{Title: T(l, "trend_orders"), Charts: []chartDiv{{ID: "c_orders", Height: 300}}},
		section{Title: T(l, "trend_revenue"), Charts: []chartDiv{{ID: "c_revenue", Height: 300}}},
		section{Title: T(l, "trend_quality"), Note: qualityNote, Charts: []chartDiv{{ID: "c_quality", Height: 300}}},
		section{Title: T(l, "trend_tat"), Charts: []chartDiv{{ID: "c_tat", Height: 300}}},
	)
	// mixes
	om, err := workbook.Named(b.ctx, b.db, "order_type_mix", p)
	if err != nil {
		return err
	}
	var names []string
	var vals []any
	for _, r := range om.Rows {
		names = append(names, E(l, str(r[om.Col("order_type")])))
		vals = append(vals, num(r[om.Col("orders")]))
	}
	pg.Charts = append(pg.Charts, chart{"c_types", optionJSON(pie(T(l, "order_mix"), names, vals), map[string]any{"title": map[string]any{"show": false}})})
	fm, err := workbook.Named(b.ctx, b.db, "fault_system_mix", p)
	if err != nil {
		return err
	}
	var fx []string
	var fv []any
	for _, r := range fm.Rows {
		fx = append(fx, E(l, str(r[fm.Col("fault_system")])))
		fv = append(fv, num(r[fm.Col("jobs")]))
	}
	pg.Charts = append(pg.Charts, chart{"c_faults", optionJSON(barLine("", fx, map[string][]any{T(l, "count"): fv}, []string{T(l, "count")}, false, nil, nil, "", ""),
		// every system named (in English ECharts hid every other one)
		map[string]any{"xAxis": []any{map[string]any{"type": "category", "data": fx, "axisLabel": map[string]any{"rotate": 30, "interval": 0}}},
			"grid": map[string]any{"bottom": 80}})})
	// comeback causes (Pareto)
	cc, err := workbook.Named(b.ctx, b.db, "comeback_causes", p)
	if err != nil {
		return err
	}
	var cx []string
	var cv, cs []any
	for _, r := range cc.Rows {
		cx = append(cx, E(l, str(r[cc.Col("cause")])))
		cv = append(cv, num(r[cc.Col("comebacks")]))
		cs = append(cs, pct(r[cc.Col("cumulative_share")]))
	}
	pg.Charts = append(pg.Charts, chart{"c_causes", optionJSON(barLine("", cx, map[string][]any{T(l, "count"): cv}, []string{T(l, "count")}, false,
		map[string][]any{T(l, "cumulative"): cs}, []string{T(l, "cumulative")}, T(l, "count"), "%"),
		// every cause named (ECharts hid two of three when they did not fit side by side)
		map[string]any{"xAxis": []any{map[string]any{"type": "category", "data": cx, "axisLabel": map[string]any{"rotate": 30, "interval": 0}}},
			"grid": map[string]any{"bottom": 90, "left": 100}})})
	pg.Sections = append(pg.Sections,
		section{Title: T(l, "order_mix"), Charts: []chartDiv{{ID: "c_types", Height: 300}}},
		section{Title: T(l, "fault_mix"), Charts: []chartDiv{{ID: "c_faults", Height: 300}}},
		section{Title: T(l, "causes"), Charts: []chartDiv{{ID: "c_causes", Height: 300}}},
	)
	// complaints (masked) and advisors
	cm, err := workbook.Named(b.ctx, b.db, "complaints_month", p)
	if err != nil {
		return err
	}
	ct := &table{Head: heads(l, "callback_id", "called_at", "order_no", "advisor_id", "complaint_type", "customer_name", "phone", "resolved_at", "resolved_in_7d")}
	for _, r := range cm.Rows {
		resolved := r[cm.Col("resolved_in_7d")] == true
		cls := "miss"
		if resolved {
			cls = "met"
		}
		ct.Rows = append(ct.Rows, []cellv{{Text: str(r[0])}, {Text: str(r[1])}, {Text: str(r[2])}, {Text: str(r[3])}, {Text: str(r[4])},
			{Text: mask.Name(str(r[cm.Col("customer_name")]))}, {Text: mask.Phone(str(r[cm.Col("phone")]))},
			{Text: str(r[cm.Col("resolved_at")])}, {Text: yesNo(l, resolved), Class: cls}})
	}
	ad, err := workbook.Named(b.ctx, b.db, "advisor_ranking", p)
	if err != nil {
		return err
	}
	at := &table{Head: heads(l, "rank", "advisor_id", "orders", "revenue", "revenue_per_order", "csi", "complaint_rate", "on_time_rate")}
	for _, r := range ad.Rows {
		at.Rows = append(at.Rows, []cellv{{Text: str(r[0]), Class: "num"}, {Text: str(r[1])},
			numCell(r[ad.Col("orders")], "count", l), numCell(r[ad.Col("revenue")], "money", l), numCell(r[ad.Col("revenue_per_order")], "money", l),
			numCell(r[ad.Col("csi")], "rate", l), numCell(r[ad.Col("complaint_rate")], "rate", l), numCell(r[ad.Col("on_time_rate")], "rate", l)})
	}
	// the advisors beside the causes' chart; the complaints below at full width (nine columns of
	// IDs and times wrapped in half of it)
	pg.Sections = append(pg.Sections, section{Title: T(l, "advisors"), Table: at},
		section{Title: T(l, "complaints"), Note: T(l, "masked"), Table: ct, Wide: true})
	return b.render(storeFile("store", s.id, m.month), pg)
}

func label(r *workbook.Result, kpi, lang string) string {
	for _, row := range r.Rows {
		if str(row[r.Col("kpi")]) == kpi {
			if lang == "en" {
				return str(row[r.Col("label_en")])
			}
			return str(row[r.Col("label_zh")])
		}
	}
	return kpi
}

func kpiCard(r []any, review *workbook.Result, l string) card {
	col := review.Col
	unit, dir := str(r[col("unit")]), str(r[col("direction")])
	c := card{Label: str(r[col("label_zh")]), Tip: str(r[col("formula_zh")]), Good: 1}
	if l == "en" {
		c.Label, c.Tip = str(r[col("label_en")]), str(r[col("formula_en")])
	}
	if dir == "down" {
		c.Good = -1
		c.Tip += " (" + T(l, "lower_better") + ")"
	}
	v, ok := toFloat(r[col("value")])
	if !ok {
		c.Value = "—"
		return c
	}
	c.Value = Fmt(v, unit, l)
	if t, ok := toFloat(r[col("target")]); ok {
		status := T(l, "met")
		c.Status = "met"
		if r[col("meets_target")] == false {
			status, c.Status = T(l, "miss"), "miss"
		}
		c.Target = fmt.Sprintf("%s %s %s · ", T(l, "target"), workbook.TargetOp(dir), Fmt(t, unit, l))
		c.Target += status
	}
	if pv, ok := toFloat(r[col("value_prev_month")]); ok {
		c.MoM, c.MoMSign = Delta(v, pv, unit, l)
	}
	if py, ok := toFloat(r[col("value_prev_year")]); ok {
		c.YoY, c.YoYSign = Delta(v, py, unit, l)
	}
	if ytd, ok := toFloat(r[col("value_ytd")]); ok {
		c.YTD = Fmt(ytd, unit, l)
		if py, ok := toFloat(r[col("value_ytd_prev_year")]); ok {
			c.YTDChange, c.YTDSign = Delta(ytd, py, unit, l)
		}
	}
	if str(r[col("kpi")]) == "ftfr" && r[col("provisional")] == true {
		c.Provisional, c.ProvisionalTip = true, T(l, "provisional_tip")
	}
	return c
}

// columns returns the x axis (first name) and the other columns of a result as value lists.
func columns(r *workbook.Result, x string, names ...string) ([]string, map[string][]any) {
	var xs []string
	out := map[string][]any{}
	for _, row := range r.Rows {
		xs = append(xs, str(row[r.Col(x)]))
		for _, n := range names {
			out[n] = append(out[n], row[r.Col(n)])
		}
	}
	return xs, out
}

func mapv(vs []any, f func(any) any) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	return out
}

var headLabels = map[string][2]string{
	"callback_id": {"回访编号", "Callback"}, "called_at": {"回访时间", "Called"}, "order_no": {"工单号", "Order"}, "advisor_id": {"服务顾问", "Advisor"},
	"complaint_type": {"投诉类型", "Type"}, "customer_name": {"客户", "Customer"}, "phone": {"电话", "Phone"}, "resolved_at": {"解决时间", "Resolved"},
	"resolved_in_7d": {"7日内解决", "Within 7 d"}, "rank": {"排名", "Rank"}, "orders": {"台次", "Orders"}, "revenue": {"产值", "Revenue"},
	"revenue_per_order": {"单车产值", "Revenue/order"}, "orders_ytd": {"本年累计台次", "Orders YTD"}, "revenue_ytd": {"本年累计产值", "Revenue YTD"},
	"revenue_ytd_prev_year": {"去年同期产值", "Revenue, last year"}, "change_revenue_ytd": {"产值累计同比", "Revenue YoY"},
	"labor_revenue_ytd": {"本年累计工时费", "Labour YTD"}, "parts_revenue_ytd": {"本年累计材料费", "Parts YTD"}, "csi": {"满意度", "CSI"}, "complaint_rate": {"投诉率", "Complaints"}, "on_time_rate": {"按时交车", "On time"},
	"tech_id": {"工号", "Tech"}, "tech_name": {"姓名", "Name"}, "team_id": {"班组", "Team"}, "grade": {"级别", "Grade"}, "jobs": {"派工项", "Jobs"},
	"flagged_hours": {"派工工时", "Hours"}, "labor_amount": {"工时费", "Labour"}, "days_worked": {"出勤", "Days"}, "efficiency": {"效率", "Efficiency"},
	"comebacks": {"返修", "Comebacks"}, "share": {"分配额", "Share"}, "topup": {"保底补差", "Top-up"}, "deduction": {"扣款", "Deduction"}, "pay": {"应发", "Pay"},
	"part_no": {"配件编号", "Part"}, "part_name": {"名称", "Name"}, "on_hand": {"库存", "On hand"}, "unit_cost": {"成本价", "Cost"},
	"stock_value": {"库存金额", "Value"}, "last_issue_at": {"最后领料", "Last issue"}, "abc": {"ABC", "ABC"}, "mad": {"月均需求", "MAD"},
	"safety_stock": {"安全库存", "Safety stock"}, "suggested_order": {"建议订货", "Suggested"}, "order_value": {"订货金额", "Order value"},
	"store": {"门店", "Store"}, "value": {"数值", "Value"}, "percentile": {"百分位", "Percentile"}, "target": {"目标", "Target"}, "kpi": {"指标", "KPI"},
	"median": {"中位数", "Median"}, "mom": {"环比", "MoM"}, "yoy": {"同比", "YoY"}, "techs": {"人数", "Techs"}, "points": {"点数", "Points"},
}

func heads(l string, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		if h, ok := headLabels[k]; ok {
			out[i] = h[0]
			if l == "en" {
				out[i] = h[1]
			}
		}
	}
	return out
}

func numCell(v any, unit, l string) cellv {
	f, ok := toFloat(v)
	if !ok {
		return cellv{Text: "—", Class: "num"}
	}
	return cellv{Text: Fmt(f, unit, l), Class: "num"}
}

func yesNo(l string, b bool) string {
	switch {
	case b && l == "en":
		return "yes"
	case b:
		return "是"
	case l == "en":
		return "no"
	}
	return "否"
}
