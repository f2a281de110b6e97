package dashboards

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/aftersales/aftersales/internal/workbook"
)

// techPage: flagged hours, efficiency and comebacks per technician and team. Pay is
// confidential and appears only with --include-pay.
func (b *builder) techPage(s storeInfo, m monthInfo) error {
	l := b.o.Lang
	p := map[string]string{"store": s.id, "month": m.month}
	pg := &page{Title: fmt.Sprintf("%s · %s %s", s.label(), T(l, "techs"), m.month), Subtitle: b.subtitle(s, m), Nav: b.nav(s, m.month, "techs")}
	tr, err := workbook.Named(b.ctx, b.db, "tech_ranking", p)
	if err != nil {
		return err
	}
	var x []string
	var hours, eff, cbs []any
	t := &table{Head: heads(l, "rank", "tech_id", "tech_name", "team_id", "grade", "jobs", "flagged_hours", "labor_amount", "days_worked", "efficiency", "comebacks")}
	for _, r := range tr.Rows {
		name := str(r[tr.Col("tech_name")])
		x = append(x, name+" "+str(r[tr.Col("tech_id")]))
		hours = append(hours, num(r[tr.Col("flagged_hours")]))
		eff = append(eff, pct(r[tr.Col("efficiency")]))
		cbs = append(cbs, num(r[tr.Col("comebacks")]))
		cls := ""
		if toInt(r[tr.Col("comebacks")]) > 0 {
			cls = "warn"
		}
		t.Rows = append(t.Rows, []cellv{{Text: str(r[0]), Class: "num"}, {Text: str(r[tr.Col("tech_id")])}, {Text: name},
			{Text: str(r[tr.Col("team_id")])}, {Text: E(l, str(r[tr.Col("grade")]))}, numCell(r[tr.Col("jobs")], "count", l),
			numCell(r[tr.Col("flagged_hours")], "ratio", l), numCell(r[tr.Col("labor_amount")], "money", l),
			numCell(r[tr.Col("days_worked")], "ratio", l), numCell(r[tr.Col("efficiency")], "rate", l),
			{Text: str(r[tr.Col("comebacks")]), Class: "num " + cls}})
	}
	techChart := hoursChart(l, x, hours, cbs, eff)
	// the names, turned 45°, need room above the legend
	techChart["xAxis"] = []any{map[string]any{"type": "category", "data": x, "axisLabel": map[string]any{"rotate": 45, "interval": 0}}}
	techChart["grid"].(map[string]any)["bottom"] = 110
	pg.Charts = append(pg.Charts, chart{"c_tech", safeJSON(techChart)})
	tm, err := workbook.Named(b.ctx, b.db, "team_month", p)
	if err != nil {
		return err
	}
	var tx []string
	var th, tc, te []any
	for _, r := range tm.Rows {
		tx = append(tx, str(r[tm.Col("team_id")]))
		th = append(th, num(r[tm.Col("flagged_hours")]))
		tc = append(tc, num(r[tm.Col("comebacks")]))
		te = append(te, pct(r[tm.Col("efficiency")]))
	}
	pg.Charts = append(pg.Charts, chart{"c_team", safeJSON(hoursChart(l, tx, th, tc, te))})
	pg.Sections = append(pg.Sections,
		section{Title: T(l, "tech_hours"), Charts: []chartDiv{{ID: "c_tech", Height: 360}}, Wide: true},
		section{Title: T(l, "team_hours"), Charts: []chartDiv{{ID: "c_team", Height: 300}}},
		section{Title: T(l, "techs"), Table: t},
	)
	if b.o.IncludePay {
		pr, err := workbook.Named(b.ctx, b.db, "payroll_month", p)
		if err != nil {
			return err
		}
		pt := &table{Head: heads(l, "team_id", "tech_id", "tech_name", "grade", "points", "share", "topup", "deduction", "pay")}
		for _, r := range pr.Rows {
			pt.Rows = append(pt.Rows, []cellv{{Text: str(r[0])}, {Text: str(r[1])}, {Text: str(r[2])}, {Text: E(l, str(r[3]))},
				numCell(r[pr.Col("points")], "ratio", l), numCell(r[pr.Col("share")], "money", l), numCell(r[pr.Col("topup")], "money", l),
				numCell(r[pr.Col("deduction")], "money", l), numCell(r[pr.Col("pay")], "money", l)})
		}
		pg.Sections = append(pg.Sections, section{Title: T(l, "pay"), Table: pt, Wide: true})
	} else {
		pg.Notes = append(pg.Notes, T(l, "no_pay"))
	}
	return b.render(storeFile("techs", s.id, m.month), pg)
}

// hoursChart: flagged hours (bars, left axis in hours), comebacks (red dots, a count axis of their own
// outside the right one: on the hours axis 3 comebacks beside 120 hours did not show) and
// efficiency (line, right axis in %), per technician or team.
func hoursChart(l string, x []string, hours, comebacks, eff []any) map[string]any {
	c := barLine("", x, map[string][]any{T(l, "flagged_hours"): hours, T(l, "comebacks"): comebacks},
		[]string{T(l, "flagged_hours"), T(l, "comebacks")}, false, map[string][]any{T(l, "efficiency"): eff}, []string{T(l, "efficiency")}, T(l, "hours_unit"), "%")
	for i := range c.MultiSeries {
		if c.MultiSeries[i].Name == T(l, "comebacks") {
			c.MultiSeries[i].YAxisIndex = 2
			// comebacks are bad news, and few: red dots at their count, not bars in the palette's
			// second colour (a green that read as good, and two comebacks stood as tall as the
			// most hours); none is no dot
			c.MultiSeries[i].Type, c.MultiSeries[i].Symbol, c.MultiSeries[i].SymbolSize = "scatter", "circle", 11
			c.MultiSeries[i].ItemStyle = &opts.ItemStyle{Color: comebackColor}
			if data, ok := c.MultiSeries[i].Data.([]opts.BarData); ok {
				for j := range data {
					if f, ok := toFloat(data[j].Value); ok && f == 0 {
						data[j].Value = null
					}
				}
			}
		}
	}
	c.Validate()
	m := c.JSON()
	m["yAxis"] = []any{
		map[string]any{"type": "value", "name": T(l, "hours_unit")},
		map[string]any{"type": "value", "name": "%", "position": "right"},
		map[string]any{"type": "value", "name": T(l, "count"), "position": "right", "offset": 48, "minInterval": 1,
			"splitLine": map[string]any{"show": false}},
	}
	m["grid"] = map[string]any{"right": 100}
	return m
}

// comebackColor: the dots of comebacks, the red of a missed target's dots.
const comebackColor = missColor
