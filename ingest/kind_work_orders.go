package ingest

import "github.com/aftersales/aftersales/internal/msg"

// work_orders (工单), CONTRACT §1.4. Natural key (store_id, order_no).
var WorkOrders = register(&Kind{
	Name: "work_orders", Label: "工单",
	Columns: []Column{
		storeCol(),
		{Name: "order_no", Type: ID, Distinct: true, Required: true, Aliases: []string{"工单号", "委托书号", "维修单号", "工单编号", "委托书编号"}},
		{Name: "vin", Type: VIN, Distinct: true, Required: true, Aliases: []string{"VIN", "车架号", "底盘号", "VIN码", "车辆识别代号", "车辆识别号", "车辆识别码"}},
		{Name: "plate", Type: ID, Distinct: true, Display: true, Aliases: []string{"车牌号", "车牌"}},
		{Name: "model", Type: Text, Display: true, Aliases: []string{"车型"}},
		{Name: "mileage_km", Type: Int, NonNeg: true, Display: true, Aliases: []string{"行驶里程", "进厂里程", "公里数", "里程", "进站里程"}},
		{Name: "customer_name", Type: Text, Distinct: true, Display: true, Aliases: []string{"客户姓名", "车主", "送修人", "客户名称"}},
		{Name: "phone", Type: ID, Distinct: true, Display: true, Aliases: []string{"联系电话", "手机", "电话", "手机号", "手机号码"}},
		{Name: "order_type", Type: Enum, Required: true, Aliases: []string{"维修类别", "工单类型", "业务类型", "维修类型"},
			// (beyond the contract's words, their long forms as DMS write them: 定期保养 for 定保, …)
			Enum: enum("maintenance: 保养 首保 定保 首次保养 定期保养", "repair: 机修 一般维修 机电 机电维修", "body_paint: 钣喷 钣金 喷漆 钣金喷漆",
				"warranty: 索赔 三包 保修 质保 质量担保", "insurance: 事故 保险 事故车 保险理赔", "internal: 内部 PDI", "accessory: 精品 加装 改装")},
		{Name: "appointment", Type: Bool, Aliases: []string{"是否预约", "预约"}},
		{Name: "advisor_id", Type: ID, Aliases: []string{"服务顾问", "接待员"}},
		{Name: "opened_at", Type: Timestamp, Required: true, Aliases: []string{"进厂时间", "开单时间", "接车时间", "进站时间", "入厂时间", "进厂日期", "开单日期", "接车日期", "进站日期", "入厂日期"}},
		{Name: "promised_at", Type: Timestamp, Aliases: []string{"预计交车时间", "承诺交车时间", "预计交车日期", "承诺交车日期"}},
		{Name: "completed_at", Type: Timestamp, Display: true, Aliases: []string{"完工时间", "竣工时间", "完工日期", "竣工日期"}},
		{Name: "delivered_at", Type: Timestamp, Aliases: []string{"交车时间", "出厂时间", "出站时间", "交车日期", "出厂日期", "出站日期"}},
		{Name: "status", Type: Enum, Required: true, Aliases: []string{"工单状态", "状态"},
			Enum: enum("open: 在修 待料 待检 歇工", "completed: 完工", "delivered: 已交车 已结算 出厂", "cancelled: 作废 取消")},
		{Name: "is_comeback", Type: Bool, Aliases: []string{"是否返修", "返修"}},
		{Name: "comeback_cause", Type: Enum, Aliases: []string{"返修原因"},
			Enum: enum("parts_defect: 配件不良", "wrong_method: 工作方法不正确", "carelessness: 操作者大意",
				"unclear_request: 交修不清楚", "manufacturing_defect: 制造不良", "management: 管理不良", "other: 其他")},
		{Name: "labor_amount", Type: Decimal, Default: "0", NonNeg: true, Aliases: []string{"工时费"}},
		{Name: "parts_amount", Type: Decimal, Default: "0", NonNeg: true, Aliases: []string{"材料费", "配件费"}},
		{Name: "other_amount", Type: Decimal, Default: "0", NonNeg: true, Aliases: []string{"其他费用", "外加工费"}},
		{Name: "discount_amount", Type: Decimal, Default: "0", NonNeg: true, Aliases: []string{"优惠金额", "折扣"}},
	},
	Key:   []string{"store_id", "order_no"},
	Since: "opened_at", Period: "opened_at",
	Check: func(r *Row) (string, error) {
		opened := r.Values[r.Kind.Col("opened_at")]
		for _, c := range []string{"delivered_at", "completed_at"} {
			v := r.Values[r.Kind.Col(c)]
			if !v.Null && v.I < opened.I {
				return c, msg.Errorf("%s is earlier than opened_at", c)
			}
		}
		if r.Str("status") == "delivered" && r.Values[r.Kind.Col("delivered_at")].Null {
			return "delivered_at", msg.Errorf("status is delivered but delivered_at is empty")
		}
		return "", nil
	},
})
