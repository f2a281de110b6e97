package workbook

// labels of the workbooks: key → {zh, en}.
var labels = map[string][2]string{
	"payroll_title":  {"工资表（5.0系数工资分配法）", "Payroll (5.0 coefficient method)"},
	"summary":        {"汇总", "Summary"},
	"team":           {"班组", "Team"},
	"members":        {"人数", "Members"},
	"team_labour":    {"班组工时费", "Team labour"},
	"team_hours":     {"班组工时", "Team hours"},
	"pool":           {"奖金池", "Pool"},
	"pool_rate":      {"提成比例", "Pool rate"},
	"hour_rate":      {"工时单价", "Hour rate"},
	"points_sum":     {"点数合计", "Σ points"},
	"shares_sum":     {"实发分配合计", "Σ shares"},
	"topup_sum":      {"保底补差合计", "Σ top-ups"},
	"deduction_sum":  {"返修扣款合计", "Σ deductions"},
	"pay_sum":        {"应发合计", "Σ pay"},
	"check":          {"核对（分配合计=奖金池）", "Check (Σ shares = pool)"},
	"total":          {"合计", "Total"},
	"status":         {"状态", "Status"},
	"closed":         {"已关账", "Closed"},
	"open":           {"未关账（数据更新后会变化）", "Open (changes when data change)"},
	"scheme":         {"分配方案", "Scheme"},
	"coefficient":    {"系数法", "coefficient"},
	"hourly":         {"工时单价法", "hour rate"},
	"deduction_rate": {"每次返修扣款", "Deduction per comeback"},
	"tech_id":        {"工号", "Tech ID"},
	"tech_name":      {"姓名", "Name"},
	"grade":          {"岗位级别", "Grade"},
	"coef":           {"技术系数", "Coefficient"},
	"days_worked":    {"出勤天数", "Days worked"},
	"days_scheduled": {"应出勤天数", "Days scheduled"},
	"ratio":          {"出勤系数", "Attendance ratio"},
	"points":         {"点数", "Points"},
	"share_pct":      {"分配比例", "Share %"},
	"share_exact":    {"计算分配额", "Share (exact)"},
	"share_paid":     {"实发分配额", "Share paid"},
	"base_wage":      {"保底工资", "Base wage"},
	"topup":          {"保底补差", "Top-up"},
	"comebacks":      {"返修次数", "Comebacks"},
	"deduction":      {"返修扣款", "Deduction"},
	"pay":            {"应发工资", "Pay"},
	"flagged_hours":  {"派工工时", "Flagged hours"},
	"grade_rate":     {"级别工时单价", "Grade hour rate"},
	"hour_pay":       {"工时工资", "Hours pay"},
	"exceptions":     {"异常事项", "Exceptions"},
	"no_exceptions":  {"无", "None"},
	"comeback_sheet": {"返修扣款明细", "Comeback charges"},
	"comeback_order": {"返修工单", "Comeback order"},
	"origin_order":   {"源头工单", "Origin order"},
	"vin":            {"车架号", "VIN"},
	"systems":        {"共同故障系统", "Shared systems"},
	"cause":          {"返修原因", "Cause"},
	"kind":           {"类型", "Kind"},
	"charged":        {"被扣款技师", "Charged techs"},
	"stats_sheet":    {"维修人员工作情况月统计表", "Technicians' monthly work"},
	"jobs":           {"派工项数", "Jobs"},
	"labor_amount":   {"工时费", "Labour amount"},
	"efficiency":     {"工时效率", "Efficiency"},
	"diff_sheet":     {"关账后差异", "Changes after close"},
	"closed_pay":     {"关账应发", "Closed pay"},
	"recomputed_pay": {"重算应发", "Recomputed pay"},
	"difference":     {"差额", "Difference"},
	"why":            {"原因", "Why"},
	"adjust_month":   {"建议调整月份", "Adjust in month"},
	"formula_note":   {"出勤系数、点数、分配比例、计算分配额、保底补差、返修扣款、应发工资均为公式，可直接审核；“实发分配额”按最大余数法舍入到分，合计等于奖金池。", "Computed columns are live formulas; 'Share paid' is rounded to the fen by largest remainder so that it adds up to the pool."},
	"flagged":        {"登记返修", "flagged"},
	"suspected":      {"疑似返修", "suspected"},
	"lead":           {"主修", "lead"},
	"deputy":         {"副修", "deputy"},
	"assistant":      {"辅修", "assistant"},
	"trainee":        {"学员", "trainee"},
	"apprentice":     {"学徒", "apprentice"},
	"store":          {"门店", "Store"},
	"month":          {"月份", "Month"},
}

// L returns a label in the language ("en" or Chinese by default).
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
