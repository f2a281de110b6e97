package ingest

import "github.com/aftersales/aftersales/internal/msg"

// parts_movements (配件出入库), CONTRACT §1.7. Natural key (store_id, movement_id).
var PartsMovements = register(&Kind{
	Name: "parts_movements", Label: "配件出入库",
	Columns: []Column{
		storeCol(),
		{Name: "movement_id", Type: ID, Distinct: true, Required: true, Aliases: []string{"单据号", "流水号", "单据编号"}},
		{Name: "part_no", Type: ID, Required: true, Aliases: []string{"配件编号", "零件号", "配件代码"}},
		{Name: "moved_at", Type: Timestamp, Required: true, Aliases: []string{"日期", "出入库时间", "出入库日期", "单据日期"}},
		{Name: "movement_type", Type: Enum, Required: true, Aliases: []string{"类型", "出入库类型"},
			// (beyond the contract's words: 维修领料, 维修退料, 采购退货, 调拨入库/调拨出库 as DMS write them;
			// not 盘盈/盘亏, whose sign a positive qty would lose)
			Enum: enum("receipt: 采购入库", "issue: 领料 出库 维修领料", "return: 退料 维修退料", "supplier_return: 退货 采购退货",
				"adjust: 盘点调整", "transfer_in: 调入 调拨入库", "transfer_out: 调出 调拨出库")},
		{Name: "qty", Type: Decimal, Required: true, Aliases: []string{"数量"}},
		{Name: "unit_price", Type: Decimal, NonNeg: true, Display: true, Aliases: []string{"销售单价"}},
		{Name: "order_no", Type: ID, Distinct: true, Aliases: []string{"工单号", "工单编号"}},
		{Name: "backorder", Type: Bool, Default: "false", Aliases: []string{"是否缺件", "待料"}},
	},
	Key:   []string{"store_id", "movement_id"},
	Since: "moved_at", Period: "moved_at",
	Check: func(r *Row) (string, error) {
		if r.Str("movement_type") != "adjust" && r.Values[r.Kind.Col("qty")].I <= 0 {
			return "qty", msg.Errorf("qty must be positive for a %s movement (only adjust is signed)", r.Str("movement_type"))
		}
		return "", nil
	},
})
