package dashboards

// Chinese names of the canonical enum values (CONTRACT §1).
var enumZH = map[string]string{
	"maintenance": "保养", "repair": "机修", "body_paint": "钣喷", "warranty": "索赔", "insurance": "事故", "internal": "内部", "accessory": "精品",
	"engine": "发动机", "transmission": "变速箱", "chassis": "底盘", "electrical": "电器", "body": "车身", "paint": "喷漆", "interior": "内饰",
	"hvac": "空调", "other": "其他",
	"parts_defect": "配件不良", "wrong_method": "工作方法不正确", "carelessness": "操作者大意", "unclear_request": "交修不清楚",
	"manufacturing_defect": "制造不良", "management": "管理不良", "suspected": "疑似返修（未登记原因）", "unrecorded": "未登记原因",
	"lead": "主修", "deputy": "副修", "assistant": "辅修", "trainee": "学员", "apprentice": "学徒", "flagged": "登记返修",
}

// E names an enum value in the page's language.
func E(lang, v string) string {
	if lang == "en" {
		return v
	}
	if z, ok := enumZH[v]; ok {
		return z
	}
	return v
}
