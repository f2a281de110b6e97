package ingest

// attendance (出勤), CONTRACT §1.3. Natural key (store_id, month, tech_id).
var Attendance = register(&Kind{
	Name: "attendance", Label: "出勤",
	Columns: []Column{
		storeCol(),
		{Name: "month", Type: Month, Required: true, Aliases: []string{"月份", "考勤月份"}},
		{Name: "tech_id", Type: ID, Required: true, Aliases: []string{"技师编号", "工号", "员工编号", "员工工号"}},
		{Name: "days_worked", Type: Decimal, Required: true, NonNeg: true, Aliases: []string{"出勤天数", "实际出勤", "实际出勤天数", "实出勤天数"}},
		{Name: "days_scheduled", Type: Decimal, Required: true, NonNeg: true, Aliases: []string{"应出勤天数", "应出勤"}},
	},
	Key:   []string{"store_id", "month", "tech_id"},
	Since: "strptime(month || '-01', '%Y-%m-%d')", Period: "month",
})
