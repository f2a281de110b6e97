package transform

// KPI is one entry of the KPI dictionary: every dashboard, workbook and the benchmark read
// labels, units, directions, targets and formulas from here (CONTRACT §2).
type KPI struct {
	Key       string // column of mart_store_month
	LabelZH   string
	LabelEN   string
	Unit      string // count | money | rate | hours | ratio | days
	Direction string // up (higher is better) | down
	FormulaZH string
	FormulaEN string
	Benchmark bool // ranked across stores in mart_benchmark
}

// KPIs is the dictionary, in display order.
var KPIs = []KPI{
	{"orders", "台次", "Orders", "count", "up", "当月交车的客户工单数（不含内部、作废）", "Customer orders delivered in the month (internal and cancelled excluded)", true},
	{"revenue", "产值", "Revenue", "money", "up", "工时费+材料费+其他费用−优惠金额，按交车月份", "Labour + parts + other − discount, by month of delivery", true},
	{"labor_revenue", "工时费", "Labour revenue", "money", "up", "客户工单工时费合计（优惠前）", "Σ labour amount of customer orders (before discount)", false},
	{"parts_revenue", "材料费", "Parts revenue", "money", "up", "客户工单材料费合计（优惠前）", "Σ parts amount of customer orders (before discount)", false},
	{"revenue_per_order", "单车产值", "Revenue per order", "money", "up", "产值 ÷ 台次", "Revenue ÷ orders", true},
	{"appointment_rate", "预约率", "Appointment rate", "rate", "up", "预约进厂的客户工单占比", "Share of customer orders with an appointment", true},
	{"turnaround_hours_avg", "平均在厂时长", "Turnaround (mean)", "hours", "down", "交车时间−进厂时间（小时）的平均值", "Mean of delivered_at − opened_at in hours", false},
	{"turnaround_hours_median", "在厂时长中位数", "Turnaround (median)", "hours", "down", "交车时间−进厂时间（小时）的中位数（线性插值）", "Median of delivered_at − opened_at in hours (linear interpolation)", true},
	{"turnaround_hours_p90", "在厂时长P90", "Turnaround (p90)", "hours", "down", "交车时间−进厂时间（小时）的90分位（线性插值）", "90th percentile of delivered_at − opened_at in hours", false},
	{"on_time_rate", "按时交车率", "On-time delivery", "rate", "up", "有承诺交车时间的工单中，交车时间 ≤ 承诺时间+宽限 的占比", "Among orders with promised_at, share delivered by promised_at + grace", true},
	{"ftfr", "一次修复率", "First-time fix rate", "rate", "up", "1 − 成为返修源头的工单数 ÷ 客户工单数（按源头交车月份）；窗口未满时为暂定值", "1 − failed orders ÷ customer orders (by the origin's month); provisional until the window has passed", true},
	{"comeback_rate", "返修率", "Comeback rate", "rate", "down", "当月进厂的返修工单数 ÷ 当月进厂的非作废工单数", "Comebacks opened in the month ÷ non-cancelled orders opened in the month", true},
	{"comebacks_flagged", "登记返修", "Flagged comebacks", "count", "down", "当月进厂、标记为返修的工单数", "Comebacks opened in the month and flagged is_comeback", false},
	{"comebacks_suspected", "疑似返修", "Suspected comebacks", "count", "down", "当月进厂、未标记但在窗口内同一VIN同一故障系统的维修/索赔工单数", "Unflagged repair/warranty orders sharing a fault system with an order of the same VIN delivered within the window", false},
	{"callback_rate", "回访率", "Callback rate", "rate", "up", "有回访记录的客户工单占比", "Share of customer orders with at least one callback", true},
	{"callback_timely_rate", "及时回访率", "Timely callback rate", "rate", "up", "最早一次回访在交车后7天内的客户工单占比", "Share of customer orders whose earliest callback is within 7 days of delivery", true},
	{"reach_rate", "回访接通率", "Reach rate", "rate", "up", "有回访的工单中，至少接通一次的占比", "Among orders with a callback, share with a reached one", true},
	{"csi", "客户满意度", "CSI", "rate", "up", "首次接通回访有评分的工单中，评分 ≥ 4 的占比", "Among orders with a scored first reached callback, share with score ≥ 4", true},
	{"avg_score", "平均评分", "Average score", "ratio", "up", "首次接通回访评分的平均值", "Mean score of the first reached callback", false},
	{"reported_fix_rate", "客户反馈修复率", "Reported fix rate", "rate", "up", "首次接通回访中“问题已解决”的占比（已知者）", "Share of fixed_ok = true among first reached callbacks where it is known", false},
	{"complaint_rate", "投诉率", "Complaint rate", "rate", "down", "有投诉回访的客户工单占比", "Share of customer orders with any complaint callback", true},
	{"complaint_resolved_rate", "投诉7日解决率", "Complaints resolved in 7 days", "rate", "up", "投诉回访中，回访后7天内解决的占比", "Among complaint callbacks, share resolved within 7 days of the call", true},
	{"flagged_hours", "派工工时", "Flagged hours", "hours", "up", "当月交车工单（含内部）的工时合计", "Σ labour hours of job lines of orders closed in the month (internal included)", false},
	{"techs", "技师人数", "Technicians", "count", "up", "当月有派工的技师人数", "Distinct technicians with job lines in the month", false},
	{"revenue_per_tech", "人均产值", "Revenue per technician", "money", "up", "产值 ÷ 技师人数", "Revenue ÷ technicians", true},
	{"fill_rate", "备件满足率", "Parts fill rate", "rate", "up", "当月领料中未缺件的占比", "Share of the month's issue movements without backorder", true},
	{"inventory_value", "库存金额", "Inventory value", "money", "down", "月末 Σ max(库存,0) × 成本价", "Σ max(on hand, 0) × unit cost at month end", false},
	{"turnover", "库存周转率", "Stock turnover", "ratio", "up", "12 × 当月出库成本 ÷ 月初月末平均库存金额（年化）", "12 × issue cost of the month ÷ mean inventory value (annualised)", true},
	{"dead_stock_value", "滞库金额", "Dead stock value", "money", "down", "有库存且180天内无领料的配件的库存金额", "Value of parts with stock and no issue in the dead-stock window", true},
}

// KPIByKey finds a dictionary entry.
func KPIByKey(key string) (KPI, bool) {
	for _, k := range KPIs {
		if k.Key == key {
			return k, true
		}
	}
	return KPI{}, false
}
