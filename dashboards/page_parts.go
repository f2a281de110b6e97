package dashboards

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/aftersales/aftersales/internal/workbook"
)

// partsPage: ABC Pareto, inventory value trend, turnover and days of supply, fill rate,
// dead stock list and value, top suggested orders.
func (b *builder) partsPage(s storeInfo, m monthInfo) error {
	l := b.o.Lang
	p := map[string]string{"store": s.id, "month": m.month}
	pg := &page{Title: fmt.Sprintf("%s · %s %s", s.label(), T(l, "parts"), m.month), Subtitle: b.subtitle(s, m), Nav: b.nav(s, m.month, "parts")}
	ab, err := workbook.Named(b.ctx, b.db, "abc_pareto", p)
	if err != nil {
		return err
	}
	// the Pareto shows the 200 largest parts; the cumulative line is over all of them (it ends
	// below 100 %: the section's note says so)
	const paretoTop = 200
	paretoNote := ""
	if len(ab.Rows) > paretoTop {
		paretoNote = fmt.Sprintf(T(l, "pareto_top"), paretoTop, len(ab.Rows))
	}
	var ax []string
	var av, ac []any
	for i, r := range ab.Rows {
		if i == paretoTop {
			break
		}
		ax = append(ax, str(r[ab.Col("part_no")])+" ("+str(r[ab.Col("abc")])+")")
		av = append(av, inUnit(r[ab.Col("consumption_value_6m")], moneyUnit(l)))
		ac = append(ac, pct(r[ab.Col("cumulative_share")]))
	}
	pareto := barLine("", ax, map[string][]any{T(l, "consumption"): av}, []string{T(l, "consumption")}, false,
		map[string][]any{T(l, "cumulative"): ac}, []string{T(l, "cumulative")}, "", "%")
	for i := range pareto.MultiSeries {
		if pareto.MultiSeries[i].Name == T(l, "cumulative") {
			// the class limits (CONTRACT §2.2: A below 80 % cumulative share, B below 95 %)
			charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "A | B", YAxis: 80}, opts.MarkLineNameYAxisItem{Name: "B | C", YAxis: 95})(&pareto.MultiSeries[i])
			pareto.MultiSeries[i].MarkLines.MarkLineStyle = opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b}", Position: "insideEndTop"}}
		}
	}
	pg.Charts = append(pg.Charts, chart{"c_abc", optionJSON(pareto,
		map[string]any{"xAxis": []any{map[string]any{"type": "category", "data": ax, "axisLabel": map[string]any{"show": false}}}})})
	tr, err := workbook.Named(b.ctx, b.db, "parts_trend", p)
	if err != nil {
		return err
	}
	x, cols := columns(tr, "month", "inventory_value", "turnover", "days_of_supply", "fill_rate", "dead_stock_value")
	pg.Charts = append(pg.Charts,
		chart{"c_inv", optionJSON(barLine("", x, map[string][]any{T(l, "inv_trend"): mapv(cols["inventory_value"], func(v any) any { return scaled(v, moneyUnit(l)) }),
			T(l, "dead_stock"): mapv(cols["dead_stock_value"], func(v any) any { return scaled(v, moneyUnit(l)) })},
			[]string{T(l, "inv_trend"), T(l, "dead_stock")}, false, nil, nil, "", ""), nil)},
		chart{"c_turn", optionJSON(twoAxes(x, T(l, "turnover_s"), T(l, "per_year"), mapv(cols["turnover"], num),
			T(l, "days_supply"), T(l, "days"), mapv(cols["days_of_supply"], num)), nil)},
		chart{"c_fill", optionJSON(lines("", x, map[string][]any{T(l, "fill_rate"): mapv(cols["fill_rate"], pct)}, []string{T(l, "fill_rate")}, "%", nil), nil)},
	)
	pg.Sections = append(pg.Sections,
		section{Title: T(l, "abc_pareto"), Note: paretoNote, Charts: []chartDiv{{ID: "c_abc", Height: 320}}, Wide: true},
		section{Title: T(l, "inv_trend"), Charts: []chartDiv{{ID: "c_inv", Height: 280}}},
		section{Title: T(l, "turnover"), Charts: []chartDiv{{ID: "c_turn", Height: 280}}},
		section{Title: T(l, "fill_rate"), Charts: []chartDiv{{ID: "c_fill", Height: 280}}},
	)
	ds, err := workbook.Named(b.ctx, b.db, "dead_stock", p)
	if err != nil {
		return err
	}
	dt := &table{Head: heads(l, "part_no", "part_name", "on_hand", "unit_cost", "stock_value", "last_issue_at", "abc")}
	total := 0.0
	for _, r := range ds.Rows {
		v, _ := toFloat(r[ds.Col("stock_value")])
		total += v
		dt.Rows = append(dt.Rows, []cellv{{Text: str(r[0])}, {Text: str(r[1])}, numCell(r[ds.Col("on_hand")], "ratio", l),
			numCell(r[ds.Col("unit_cost")], "money", l), numCell(r[ds.Col("stock_value")], "money", l), {Text: str(r[ds.Col("last_issue_at")])}, {Text: str(r[ds.Col("abc")])}})
	}
	note := fmt.Sprintf("%d · %s", len(ds.Rows), Fmt(total, "money", l))
	pg.Sections = append(pg.Sections, section{Title: T(l, "dead_stock"), Note: note, Table: dt})
	so, err := workbook.Named(b.ctx, b.db, "suggested_orders", p)
	if err != nil {
		return err
	}
	st := &table{Head: heads(l, "part_no", "part_name", "abc", "on_hand", "mad", "safety_stock", "suggested_order", "order_value")}
	for i, r := range so.Rows {
		if i == 30 {
			break
		}
		st.Rows = append(st.Rows, []cellv{{Text: str(r[0])}, {Text: str(r[1])}, {Text: str(r[so.Col("abc")])}, numCell(r[so.Col("on_hand")], "ratio", l),
			numCell(r[so.Col("mad")], "ratio", l), numCell(r[so.Col("safety_stock")], "ratio", l), numCell(r[so.Col("suggested_order")], "ratio", l),
			numCell(r[so.Col("order_value")], "money", l)})
	}
	pg.Sections = append(pg.Sections, section{Title: T(l, "suggested"), Table: st})
	return b.render(storeFile("parts", s.id, m.month), pg)
}
