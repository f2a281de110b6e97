package ingest

// callbacks (回访), CONTRACT §1.8. Natural key (store_id, callback_id).
var Callbacks = register(&Kind{
	Name: "callbacks", Label: "回访",
	Columns: []Column{
		storeCol(),
		{Name: "callback_id", Type: ID, Distinct: true, Required: true, Aliases: []string{"回访编号", "回访单号"}},
		{Name: "order_no", Type: ID, Distinct: true, Required: true, Aliases: []string{"工单号", "委托书号", "维修单号", "工单编号", "委托书编号"}},
		{Name: "called_at", Type: Timestamp, Required: true, Aliases: []string{"回访时间", "回访日期"}},
		{Name: "reached", Type: Bool, Required: true, Aliases: []string{"是否接通", "接通"}},
		{Name: "score", Type: Int, Min: 1, Max: 5, Aliases: []string{"满意度", "评分"}},
		{Name: "fixed_ok", Type: Bool, Aliases: []string{"问题是否解决"}},
		{Name: "complaint", Type: Bool, Default: "false", Aliases: []string{"是否投诉", "投诉"}},
		{Name: "complaint_type", Type: Text, Display: true, Aliases: []string{"投诉类型"}},
		{Name: "resolved_at", Type: Timestamp, Aliases: []string{"解决时间", "解决日期"}},
	},
	Key:        []string{"store_id", "callback_id"},
	SinceOrder: true,
	Period:     "called_at",
})
