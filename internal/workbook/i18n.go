package workbook

import (
	"fmt"
	"strings"
)

// labels of the workbooks: key → {zh, en}.
var labels = map[string][2]string{
	"payroll_title":           {"工资表（5.0系数工资分配法）", "Payroll (5.0 coefficient method)"},
	"summary":                 {"汇总", "Summary"},
	"team":                    {"班组", "Team"},
	"members":                 {"人数", "Members"},
	"team_labour":             {"班组工时费", "Team labour"},
	"team_hours":              {"班组工时", "Team hours"},
	"pool":                    {"奖金池", "Pool"},
	"pool_rate":               {"提成比例", "Pool rate"},
	"hour_rate":               {"工时单价", "Hour rate"},
	"points_sum":              {"点数合计", "Σ points"},
	"shares_sum":              {"实发分配合计", "Σ shares"},
	"topup_sum":               {"保底补差合计", "Σ top-ups"},
	"deduction_sum":           {"返修扣款合计", "Σ deductions"},
	"pay_sum":                 {"应发合计", "Σ pay"},
	"check":                   {"核对（分配合计=奖金池）", "Check (Σ shares = pool)"},
	"total":                   {"合计", "Total"},
	"status":                  {"状态", "Status"},
	"closed":                  {"已关账", "Closed"},
	"open":                    {"未关账（数据更新后会变化）", "Open (changes when data change)"},
	"scheme":                  {"分配方案", "Scheme"},
	"coefficient":             {"系数法", "coefficient"},
	"hourly":                  {"工时单价法", "hour rate"},
	"deduction_rate":          {"每次返修扣款", "Deduction per comeback"},
	"tech_id":                 {"工号", "Tech ID"},
	"tech_name":               {"姓名", "Name"},
	"grade":                   {"岗位级别", "Grade"},
	"coef":                    {"技术系数", "Coefficient"},
	"days_worked":             {"出勤天数", "Days worked"},
	"days_scheduled":          {"应出勤天数", "Days scheduled"},
	"ratio":                   {"出勤系数", "Attendance ratio"},
	"points":                  {"点数", "Points"},
	"share_pct":               {"分配比例", "Share %"},
	"share_exact":             {"计算分配额", "Share (exact)"},
	"share_paid":              {"实发分配额", "Share paid"},
	"base_wage":               {"保底工资", "Base wage"},
	"topup":                   {"保底补差", "Top-up"},
	"comebacks":               {"返修次数", "Comebacks"},
	"deduction":               {"返修扣款", "Deduction"},
	"pay":                     {"应发工资", "Pay"},
	"flagged_hours":           {"派工工时", "Flagged hours"},
	"grade_rate":              {"级别工时单价", "Grade hour rate"},
	"hour_pay":                {"工时工资", "Hours pay"},
	"exceptions":              {"异常事项", "Exceptions"},
	"no_exceptions":           {"无", "None"},
	"comeback_sheet":          {"返修扣款明细", "Comeback charges"},
	"comeback_order":          {"返修工单", "Comeback order"},
	"origin_order":            {"源头工单", "Origin order"},
	"vin":                     {"车架号", "VIN"},
	"systems":                 {"共同故障系统", "Shared systems"},
	"cause":                   {"返修原因", "Cause"},
	"kind":                    {"类型", "Kind"},
	"charged":                 {"被扣款技师", "Charged techs"},
	"stats_sheet":             {"维修人员工作情况月统计表", "Technicians' monthly work"},
	"jobs":                    {"派工项数", "Jobs"},
	"labor_amount":            {"工时费", "Labour amount"},
	"efficiency":              {"工时效率", "Efficiency"},
	"diff_sheet":              {"关账后差异", "Changes after close"},
	"closed_pay":              {"关账应发", "Closed pay"},
	"recomputed_pay":          {"重算应发", "Recomputed pay"},
	"difference":              {"差额", "Difference"},
	"why":                     {"原因", "Why"},
	"adjust_month":            {"建议调整月份", "Adjust in month"},
	"why_gone":                {"按现有数据已不在工资表中", "no longer in the payroll with the current data"},
	"why_new":                 {"不在已关账的工资表中", "not in the closed payroll"},
	"formula_note":            {"出勤系数、点数、分配比例、计算分配额、保底补差、返修扣款、应发工资均为公式，可直接审核；“实发分配额”按最大余数法舍入到分，合计等于奖金池。", "Computed columns are live formulas; 'Share paid' is rounded to the fen by largest remainder so that it adds up to the pool."},
	"flagged":                 {"登记返修", "flagged"},
	"suspected":               {"疑似返修", "suspected"},
	"lead":                    {"主修", "lead"},
	"deputy":                  {"副修", "deputy"},
	"assistant":               {"辅修", "assistant"},
	"trainee":                 {"学员", "trainee"},
	"apprentice":              {"学徒", "apprentice"},
	"store":                   {"门店", "Store"},
	"month":                   {"月份", "Month"},
	"report_title":            {"售后业务月报表", "After-sales monthly report"},
	"kpi_sheet":               {"经营指标", "KPIs"},
	"trend_sheet":             {"13个月趋势", "13-month trend"},
	"trend_misses":            {"红色：未达目标的月份（目标：%s）", "red: months that miss the target (targets: %s)"},
	"list_sep":                {"，", ", "},
	"tech_sheet":              {"技师", "Technicians"},
	"advisor_sheet":           {"服务顾问", "Advisors"},
	"complaint_sheet":         {"投诉", "Complaints"},
	"parts_sheet":             {"配件", "Parts"},
	"kpi":                     {"指标", "KPI"},
	"value":                   {"本月", "This month"},
	"target":                  {"目标", "Target"},
	"meets":                   {"达标", "Met"},
	"prev_month":              {"上月", "Last month"},
	"mom":                     {"环比", "MoM"},
	"prev_year":               {"去年同期", "Last year"},
	"yoy":                     {"同比", "YoY"},
	"ytd":                     {"本年累计", "Year to date"},
	"ytd_prev_year":           {"去年同期累计", "Last year to date"},
	"ytd_change":              {"累计同比", "YTD vs last year"},
	"definition":              {"口径", "Definition"},
	"yes":                     {"是", "yes"},
	"bench_title":             {"集团对标", "Group benchmark"},
	"bench_overview":          {"对标总览", "Overview"},
	"bench_note":              {"各指标一列：绿色较好，红色较差（按指标方向，如投诉率越低越好）；红字为未达目标。集团中位数和四分位数在门店之下。", "A column per KPI: green is better, red worse (by the KPI's direction: a lower complaint rate is better); red text misses its target. The group's median and quartiles are under the stores."},
	"bench_rank_sheet":        {"排名明细", "Rankings"},
	"bench_trend_sheet":       {"集团中位数趋势", "Group median trend"},
	"bench_ytd_sheet":         {"本年累计", "Year to date"},
	"bench_ytd_title":         {"本年累计（%s 至 %s，按产值排名）", "Year to date (%s to %s, ranked by revenue)"},
	"bench_ytd_note":          {"数据起始晚于当年 1 月的门店没有本年累计（空白，不参与排名），晚于去年 1 月的没有去年同期累计。", "A store whose data begins after this January has no year to date (blank, not ranked); after last January, none for last year."},
	"orders_ytd":              {"本年累计台次", "Orders YTD"},
	"orders_ytd_prev_year":    {"去年同期台次", "Orders, last year"},
	"revenue_ytd":             {"本年累计产值", "Revenue YTD"},
	"revenue_ytd_prev_year":   {"去年同期产值", "Revenue, last year"},
	"change_revenue_ytd_pct":  {"产值累计同比", "Revenue YoY"},
	"labor_revenue_ytd":       {"本年累计工时费", "Labour YTD"},
	"parts_revenue_ytd":       {"本年累计材料费", "Parts YTD"},
	"flagged_hours_ytd":       {"本年累计派工工时", "Hours YTD"},
	"bench_trend_title":       {"集团中位数（13个月）", "Group median (13 months)"},
	"store_name":              {"门店名称", "Store name"},
	"percentile":              {"百分位", "Percentile"},
	"group_median":            {"集团中位数", "Group median"},
	"group_q1":                {"下四分位", "Lower quartile"},
	"group_q3":                {"上四分位", "Upper quartile"},
	"no":                      {"否", "no"},
	"provisional":             {"（暂定：返修窗口未满）", " (provisional: comeback window still open)"},
	"partial_month":           {"本月数据截至 %s，尚不完整（环比按不同天数比较）", "Data to %s only: the month is not complete (month-on-month compares unequal periods)"},
	"rank":                    {"排名", "Rank"},
	"advisor_id":              {"服务顾问", "Advisor"},
	"orders":                  {"台次", "Orders"},
	"revenue":                 {"产值", "Revenue"},
	"labor_revenue":           {"工时费", "Labour"},
	"parts_revenue":           {"材料费", "Parts"},
	"other_revenue":           {"其他", "Other"},
	"revenue_per_order":       {"单车产值", "Revenue/order"},
	"csi":                     {"客户满意度", "CSI"},
	"complaint_rate":          {"投诉率", "Complaint rate"},
	"on_time_rate":            {"按时交车率", "On-time rate"},
	"ftfr":                    {"一次修复率", "FTFR"},
	"ftfr_provisional":        {"FTFR暂定", "FTFR provisional"},
	"comeback_rate":           {"返修率", "Comeback rate"},
	"turnaround_hours_median": {"在厂时长中位数(h)", "Turnaround median (h)"},
	"turnaround_hours_p90":    {"在厂时长P90(h)", "Turnaround p90 (h)"},
	"inventory_value":         {"库存金额", "Inventory value"},
	"turnover":                {"库存周转率", "Turnover"},
	"order_no":                {"工单号", "Order"},
	"opened_at":               {"进厂时间", "Opened"},
	"origin_order_no":         {"源头工单", "Origin order"},
	"origin_delivered_at":     {"源头交车时间", "Origin delivered"},
	"fault_systems":           {"共同故障系统", "Shared systems"},
	"charged_tech_ids":        {"被扣款技师", "Charged techs"},
	"callback_id":             {"回访编号", "Callback"},
	"called_at":               {"回访时间", "Called"},
	"complaint_type":          {"投诉类型", "Complaint type"},
	"customer_name":           {"客户", "Customer"},
	"phone":                   {"电话", "Phone"},
	"resolved_at":             {"解决时间", "Resolved"},
	"days_to_resolve":         {"解决天数", "Days to resolve"},
	"resolved_in_7d":          {"7日内解决", "Resolved in 7 d"},
	"part_no":                 {"配件编号", "Part"},
	"part_name":               {"配件名称", "Part name"},
	"category":                {"类别", "Category"},
	"on_hand":                 {"库存", "On hand"},
	"unit_cost":               {"成本价", "Unit cost"},
	"stock_value":             {"库存金额", "Stock value"},
	"last_issue_at":           {"最后领料", "Last issue"},
	"abc":                     {"ABC", "ABC"},
	"mad":                     {"月均需求", "MAD"},
	"safety_stock":            {"安全库存", "Safety stock"},
	"suggested_order":         {"建议订货", "Suggested order"},
	"order_value":             {"订货金额", "Order value"},
	"parts":                   {"品种数", "Parts"},
	"consumption_value_6m":    {"6个月消耗金额", "6-month consumption"},
	"dead_parts":              {"滞库品种", "Dead parts"},
	"team_id":                 {"班组", "Team"},
	"abc_title":               {"ABC分类", "ABC classes"},
	"dead_title":              {"滞库件（前20）", "Dead stock (top 20)"},
	"suggest_title":           {"建议订货（前20）", "Suggested orders (top 20)"},
	"chart_orders":            {"台次与产值", "Orders and revenue"},
	"chart_quality":           {"一次修复率 / 满意度 / 按时交车率", "FTFR / CSI / on-time"},
}

// enumZH: the Chinese names of the canonical enum values (CONTRACT §1), shared by the workbooks
// and the dashboards.
var enumZH = map[string]string{
	"maintenance": "保养", "repair": "机修", "body_paint": "钣喷", "warranty": "索赔", "insurance": "事故", "internal": "内部", "accessory": "精品",
	"engine": "发动机", "transmission": "变速箱", "chassis": "底盘", "electrical": "电器", "body": "车身", "paint": "喷漆", "interior": "内饰",
	"hvac": "空调", "other": "其他",
	"parts_defect": "配件不良", "wrong_method": "工作方法不正确", "carelessness": "操作者大意", "unclear_request": "交修不清楚",
	"manufacturing_defect": "制造不良", "management": "管理不良", "suspected": "疑似返修（未登记原因）", "unrecorded": "未登记原因",
	"lead": "主修", "deputy": "副修", "assistant": "辅修", "trainee": "学员", "apprentice": "学徒", "flagged": "登记返修",
}

// Enum names a canonical enum value in the language (English: the value itself; an unknown
// value as it is).
func Enum(lang, v string) string {
	if lang == "en" {
		return v
	}
	if z, ok := enumZH[v]; ok {
		return z
	}
	return v
}

// EnumList names each value of a ", "-joined list (fault systems) in the language.
func EnumList(lang, s string) string {
	if s == "" {
		return ""
	}
	parts := strings.Split(s, ", ")
	for i, p := range parts {
		parts[i] = Enum(lang, p)
	}
	if lang == "en" {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, "、")
}

// whyItems are the items of payroll_differences.why (written in English by transform's
// writeDifferences, joined by "; "): the whole item, or its label before " a → b".
var whyItems = []struct{ en, key string }{
	{"no longer in the payroll with the current data", "why_gone"},
	{"not in the closed payroll", "why_new"},
	{"attendance ratio ", "ratio"},
	{"pool ", "pool"},
	{"points ", "points"},
	{"share ", "share_paid"},
	{"top-up ", "topup"},
	{"comebacks ", "comebacks"},
}

// Why is a payroll difference's reason in lang: "attendance ratio 0.75 → 1; share 80.77 → 100.00"
// reads 出勤系数 0.75 → 1；实发分配额 80.77 → 100.00 in Chinese. An item it does not know is kept.
func Why(lang, why string) string {
	if lang == "en" || why == "" {
		return why
	}
	items := strings.Split(why, "; ")
	for i, it := range items {
		for _, w := range whyItems {
			if it == w.en || (strings.HasSuffix(w.en, " ") && strings.HasPrefix(it, w.en)) {
				items[i] = L(lang, w.key) + strings.TrimPrefix(it, strings.TrimSuffix(w.en, " "))
				break
			}
		}
	}
	return strings.Join(items, "；")
}

// L returns a label in the language ("en" or Chinese by default).
// PartialMonth says that the data of a month reaches only asOf (its store's latest work order,
// "2006-01-02 15:04"): the month-end note of the report, the payroll workbook and the dashboards.
func PartialMonth(lang, asOf string) string { return fmt.Sprintf(L(lang, "partial_month"), asOf) }

func L(lang, key string) string {
	l, ok := labels[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}
