package ingest

// order_jobs (维修项目/派工), CONTRACT §1.5: the labour lines. Natural key (store_id, order_no, line_no).
var OrderJobs = register(&Kind{
	Name: "order_jobs", Label: "维修项目",
	Columns: []Column{
		storeCol(),
		{Name: "order_no", Type: ID, Distinct: true, Required: true, Aliases: []string{"工单号", "委托书号", "维修单号", "工单编号", "委托书编号"}},
		{Name: "line_no", Type: Int, Required: true, Aliases: []string{"行号", "序号"}},
		{Name: "job_code", Type: ID, Display: true, Aliases: []string{"工时代码", "项目代码"}},
		{Name: "job_name", Type: Text, Display: true, Aliases: []string{"维修项目", "项目名称"}},
		{Name: "fault_system", Type: Enum, Required: true, Aliases: []string{"故障系统", "维修系统"},
			Enum: enum("engine: 发动机", "transmission: 变速箱", "chassis: 底盘", "electrical: 电器 电气", "body: 车身 钣金",
				"paint: 喷漆", "interior: 内饰", "hvac: 空调", "maintenance: 保养", "other: 其他")},
		{Name: "labor_hours", Type: Decimal, Required: true, NonNeg: true, Aliases: []string{"工时", "标准工时"}},
		{Name: "labor_amount", Type: Decimal, Default: "0", NonNeg: true, Aliases: []string{"工时费"}},
		{Name: "tech_id", Type: ID, Required: true, Aliases: []string{"维修技师", "主修人", "技师编号", "主修技师"}},
	},
	Key:        []string{"store_id", "order_no", "line_no"},
	SinceOrder: true,
})
