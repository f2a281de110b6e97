package dashboards

import (
	"fmt"
	"math"
	"strings"
)

// Fmt renders a KPI value for people: ¥ and 万/亿 for money (K/M in English), % for rates.
func Fmt(v float64, unit, lang string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	switch unit {
	case "money":
		return "¥" + big(v, lang, 2)
	case "rate":
		return fmt.Sprintf("%.1f%%", v*100)
	case "count":
		if math.Abs(v) >= 10000 {
			return big(v, lang, 2)
		}
		return commas(fmt.Sprintf("%.0f", v))
	case "hours":
		if lang == "en" {
			return fmt.Sprintf("%.1f h", v)
		}
		return fmt.Sprintf("%.1f小时", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// big writes 12.35万 / 1.23亿 (zh) or 12.35K / 1.23M (en) for large numbers, with thousands
// separators where those have four digits or more (a year's revenue: ¥1,946.63万).
func big(v float64, lang string, dec int) string {
	a := math.Abs(v)
	if lang == "en" {
		switch {
		case a >= 1e9:
			return commas(fmt.Sprintf("%.2f", v/1e9)) + "B"
		case a >= 1e6:
			return fmt.Sprintf("%.2fM", v/1e6)
		case a >= 1e4:
			return fmt.Sprintf("%.1fK", v/1e3)
		}
	} else {
		switch {
		case a >= 1e8:
			return commas(fmt.Sprintf("%.2f", v/1e8)) + "亿"
		case a >= 1e4:
			return commas(fmt.Sprintf("%.2f", v/1e4)) + "万"
		}
	}
	return commas(fmt.Sprintf("%.*f", dec, v))
}

func commas(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Delta renders a change: percentage points for rates, a relative change otherwise.
func Delta(cur, prev float64, unit, lang string) (string, int) {
	d := cur - prev
	sign := 0
	switch {
	case d > 1e-12:
		sign = 1
	case d < -1e-12:
		sign = -1
	}
	if unit == "rate" {
		pp := "pp"
		if lang != "en" {
			pp = "个百分点"
		}
		return signed1(d*100) + pp, sign
	}
	if prev == 0 {
		return "—", sign
	}
	return signed1(d/math.Abs(prev)*100) + "%", sign
}

// signed1 is a change with one decimal and its sign; one that rounds to zero is "0.0", not
// "-0.0" or "+0.0" (its colour still tells a small fall from a small rise).
func signed1(x float64) string {
	s := fmt.Sprintf("%+.1f", x)
	if s == "+0.0" || s == "-0.0" {
		return "0.0"
	}
	return s
}

var dict = map[string][2]string{
	"index_title":     {"售后经营看板", "After-sales dashboards"},
	"store_review":    {"月度经营分析", "Monthly review"},
	"techs":           {"技师", "Technicians"},
	"parts":           {"配件", "Parts"},
	"benchmark":       {"集团对标", "Group benchmark"},
	"stores":          {"门店", "Stores"},
	"freshness":       {"数据时效", "Data freshness"},
	"dq":              {"数据质量", "Data quality"},
	"total":           {"集团合计", "Group total"},
	"dq_check":        {"检查项", "Check"},
	"dq_severity":     {"级别", "Severity"},
	"dq_count":        {"数量", "Count"},
	"dq_amount":       {"金额", "Amount"},
	"dq_example":      {"示例", "Example"},
	"dq_warn":         {"警告", "warning"},
	"dq_info":         {"提示", "info"},
	"target":          {"目标", "Target"},
	"miss":            {"未达标", "missed"},
	"met":             {"达标", "met"},
	"mom":             {"环比", "MoM"},
	"yoy":             {"同比", "YoY"},
	"prev_month":      {"上月", "Previous month"},
	"prev_year":       {"去年同月", "Same month last year"},
	"change":          {"变化", "change"},
	"provisional":     {"暂定", "provisional"},
	"partial_star":    {"* 该月数据尚不完整（门店最近一张工单早于月末），悬停可见截至时间。", " * The data does not cover the month yet (the store's latest order opened before its last day): hover for the date."},
	"partial_stores":  {"本月数据尚不完整的门店（按较少天数排名）：", "Stores whose data does not cover the month yet (ranked on fewer days): "},
	"partial_store":   {"%s（截至 %s）", "%s (to %s)"},
	"list_sep":        {"、", ", "},
	"provisional_tip": {"返修窗口尚未结束，后续返修可能使一次修复率下降", "The comeback window is still open: later comebacks may lower it"},
	"trend_orders":    {"台次与产值（万元）", "Orders and revenue (¥k)"},
	"trend_revenue":   {"产值构成（万元）", "Revenue mix (¥k)"},
	"trend_quality":   {"一次修复率 / 满意度 / 按时交车率", "FTFR / CSI / on-time delivery"},
	"trend_tat":       {"在厂时长（小时）", "Turnaround (hours)"},
	"order_mix":       {"维修类别构成", "Order types"},
	"fault_mix":       {"故障系统构成（派工项）", "Fault systems (job lines)"},
	"causes":          {"返修原因（帕累托）", "Comeback causes (Pareto)"},
	"complaints":      {"投诉清单", "Complaints"},
	"advisors":        {"服务顾问", "Service advisors"},
	"labour":          {"工时费", "Labour"},
	"parts_rev":       {"材料费", "Parts"},
	"other":           {"其他", "Other"},
	"orders":          {"台次", "Orders"},
	"revenue":         {"产值", "Revenue"},
	"cumulative":      {"累计占比", "Cumulative share"},
	"count":           {"次数", "Count"},
	"median":          {"中位数", "Median"},
	"definitions":     {"指标口径", "Definitions"},
	"settings":        {"本页使用的设置", "Settings in force"},
	"overrides":       {"门店单独设置", "per-store overrides"},
	"generated":       {"生成时间", "Generated"},
	"tech_hours":      {"技师派工工时、返修与效率", "Flagged hours, comebacks and efficiency per technician"},
	"team_hours":      {"班组派工工时、返修与效率", "Flagged hours, comebacks and efficiency per team"},
	"efficiency":      {"工时效率", "Efficiency"},
	"flagged_hours":   {"派工工时", "Flagged hours"},
	"comebacks":       {"返修次数", "Comebacks"},
	"pay":             {"工资（保密）", "Pay (confidential)"},
	"abc_pareto":      {"ABC分类帕累托（6个月消耗金额，万元）", "ABC Pareto (6-month consumption, ¥k)"},
	"pareto_top":      {"消耗金额最大的 %d 个配件（共 %d 个）；累计占比按全部配件计算", "The %d parts of largest consumption (of %d); the cumulative share is over all of them"},
	"inv_trend":       {"库存金额（万元）", "Inventory value (¥k)"},
	"turnover":        {"库存周转率与供应天数", "Turnover and days of supply"},
	"fill_rate":       {"备件满足率", "Fill rate"},
	"dead_stock":      {"滞库件", "Dead stock"},
	"suggested":       {"建议订货（前30）", "Top suggested orders"},
	"consumption":     {"消耗金额", "Consumption value"},
	"days_supply":     {"供应天数", "Days of supply"},
	"per_year":        {"次/年", "×/year"},
	"days":            {"天", "days"},
	"hours_unit":      {"小时", "h"},
	"wan_yuan":        {"万元", "¥k"},
	"turnover_s":      {"库存周转率", "Turnover"},
	"heatmap":         {"门店 × 指标 百分位热力图（越绿越好）", "Stores × KPIs by percentile (green = better)"},
	"heatmap_one_store": {"本月只有一家门店有数据：百分位要在至少两家门店之间比较，因此热力图为空（排名和数值见下方各图和对标排名表）",
		"Only one store has data this month: a percentile compares two stores or more, so the heatmap is empty (ranks and values: the charts and the ranked table below)"},
	"scatter":              {"一次修复率 vs 客户满意度", "FTFR vs CSI"},
	"median_trend":         {"集团中位数趋势", "Group median trend"},
	"ranking":              {"排名", "Ranking"},
	"ranked_table":         {"对标排名表", "Ranked table"},
	"ytd_table":            {"本年累计（按产值排名）", "Year to date (ranked by revenue)"},
	"ytd_note":             {"数据起始晚于当年 1 月的门店没有本年累计（—，不参与排名），晚于去年 1 月的没有去年同期累计", "A store whose data begins after this January has no year to date (—, not ranked); after last January, none for last year"},
	"rank":                 {"排名", "Rank"},
	"percentile":           {"百分位", "Percentile"},
	"q1q3":                 {"四分位", "Quartiles"},
	"value":                {"数值", "Value"},
	"store":                {"门店", "Store"},
	"month":                {"月份", "Month"},
	"none":                 {"无", "None"},
	"back":                 {"返回首页", "Back to index"},
	"no_pay":               {"工资为保密信息，未包含。使用 --include-pay 生成含工资的页面。", "Pay is confidential and not shown; use --include-pay to include it."},
	"lower_better":         {"越低越好", "lower is better"},
	"red_dots_miss":        {"红点：未达目标的门店", "red dots: stores that miss the target"},
	"red_dots_miss_either": {"红点：至少一项未达目标的门店", "red dots: stores that miss either target"},
	"red_dots_miss_months": {"红点：未达目标的月份", "red dots: months that miss the target"},
	"dashed_targets":       {"虚线：两项指标的目标", "dashed lines: the two KPIs' targets"},
	"masked":               {"客户姓名与电话已脱敏", "Customer names and phones are masked"},
}

// sep is a punctuation mark in the page's language: full-width in Chinese.
func sep(l, zh, en string) string {
	if l == "en" {
		return en
	}
	return zh
}

// moneyUnit is the yuan in a chart's unit of money: 万元 in Chinese, thousands (¥k) in English,
// as the cards' 万/亿 and K/M (big).
func moneyUnit(lang string) float64 {
	if lang == "en" {
		return 1000
	}
	return 10000
}

// T returns a dashboard label.
func T(lang, key string) string {
	l, ok := dict[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}
