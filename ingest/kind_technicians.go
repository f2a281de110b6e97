package ingest

import (
	"fmt"

	"github.com/aftersales/aftersales/internal/msg"
)

// Grades of the 5.0 coefficient wage method and their coefficient bands (tenths, inclusive).
var GradeBands = map[string][2]int64{
	"lead": {41, 50}, "deputy": {31, 40}, "assistant": {21, 30}, "trainee": {11, 20}, "apprentice": {1, 10},
}

// technicians (技师档案), CONTRACT §1.2: effective-dated by valid_from.
// Natural key (store_id, tech_id, valid_from).
var Technicians = register(&Kind{
	Name: "technicians", Label: "技师档案",
	Columns: []Column{
		storeCol(),
		{Name: "tech_id", Type: ID, Required: true, Aliases: []string{"技师编号", "工号", "员工编号", "员工工号"}},
		{Name: "tech_name", Type: Text, Required: true, Aliases: []string{"姓名", "技师姓名"}},
		{Name: "team_id", Type: ID, Required: true, Aliases: []string{"班组", "班组编号", "班组名称", "所属班组"}},
		{Name: "grade", Type: Enum, Required: true, Aliases: []string{"岗位级别", "级别", "技师级别"},
			Enum: enum("lead: 主修 主修技师", "deputy: 副修 副修技师", "assistant: 辅修 辅修技师", "trainee: 学员", "apprentice: 学徒 学徒工")},
		// coefficient is DECIMAL(3,1). A value with more than one decimal is rounded half-up to one
		// place before the band check (the contract gives the type, not the rule for extra digits).
		{Name: "coefficient", Type: Decimal, Scale: 1, Required: true, Aliases: []string{"技术系数", "系数"}},
		{Name: "base_wage", Type: Decimal, Default: "0", NonNeg: true, Aliases: []string{"保底工资", "底薪"}},
		{Name: "valid_from", Type: Month, Required: true, Aliases: []string{"生效月份", "生效日期"}},
	},
	Key:   []string{"store_id", "tech_id", "valid_from"},
	Since: "strptime(valid_from || '-01', '%Y-%m-%d')", Period: "valid_from",
	Check: func(r *Row) (string, error) {
		grade := r.Str("grade")
		band := GradeBands[grade]
		coef := r.Values[r.Kind.Col("coefficient")].I
		if coef < band[0] || coef > band[1] {
			return "coefficient", msg.Errorf("coefficient %s is outside the %s band %s–%s",
				fmtTenths(coef), grade, fmtTenths(band[0]), fmtTenths(band[1]))
		}
		return "", nil
	},
})

func fmtTenths(v int64) string { return fmt.Sprintf("%d.%d", v/10, v%10) }
