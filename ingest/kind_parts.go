package ingest

// parts (配件档案), CONTRACT §1.6. Natural key (store_id, part_no) (§5).
var Parts = register(&Kind{
	Name: "parts", Label: "配件档案",
	Columns: []Column{
		storeCol(),
		{Name: "part_no", Type: ID, Required: true, Aliases: []string{"配件编号", "零件号", "配件代码"}},
		{Name: "part_name", Type: Text, Required: true, Display: true, Aliases: []string{"配件名称", "零件名称"}},
		{Name: "category", Type: Text, Display: true, Aliases: []string{"类别", "配件类别"}},
		{Name: "unit_cost", Type: Decimal, Required: true, NonNeg: true, Aliases: []string{"成本价", "单价"}},
		{Name: "order_cycle_days", Type: Int, Default: "0", NonNeg: true, Aliases: []string{"采购周期"}},
		{Name: "lead_time_days", Type: Int, Default: "0", NonNeg: true, Aliases: []string{"到货周期"}},
	},
	Key:   []string{"store_id", "part_no"},
	Since: "TIMESTAMP '1900-01-01'",
})
