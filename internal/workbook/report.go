package workbook

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/mask"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
	"github.com/aftersales/aftersales/internal/xlsxw"
)

// column formats of query results, by column name
var moneyCols = map[string]bool{"revenue": true, "labor_revenue": true, "parts_revenue": true, "other_revenue": true, "revenue_per_order": true,
	"labor_amount": true, "unit_cost": true, "stock_value": true, "order_value": true, "consumption_value_6m": true, "inventory_value": true}
var rateCols = map[string]bool{"csi": true, "complaint_rate": true, "on_time_rate": true, "efficiency": true, "ftfr": true, "comeback_rate": true}
var decCols = map[string]bool{"flagged_hours": true, "mad": true, "safety_stock": true, "on_hand": true, "suggested_order": true, "days_worked": true,
	"turnaround_hours_median": true, "turnaround_hours_p90": true, "turnover": true, "days_to_resolve": true}

// MartSpan is what a mart (with store_id and month columns) holds: its stores (the first twelve,
// and how many in all past that) and its first and last month, for a message about a
// store-month without rows, so that a wrong store or month is seen at once; ok is false when
// the mart has no row, or cannot be read.
func MartSpan(ctx context.Context, db *sql.DB, mart string) (stores, months string, ok bool) {
	var s, m sql.NullString
	err := db.QueryRowContext(ctx, `SELECT array_to_string(list_slice(list(DISTINCT store_id ORDER BY store_id), 1, 12), ', ')
		    || CASE WHEN count(DISTINCT store_id) > 12 THEN ' … (' || count(DISTINCT store_id) || ')' ELSE '' END,
		  min(month) || ' … ' || max(month) FROM `+mart).Scan(&s, &m)
	if err != nil || !s.Valid {
		return "", "", false
	}
	return s.String, m.String, true
}

// Report writes the monthly business report (业务月报表) of a store-month. Its numbers come from
// the same named queries as the dashboards.
func Report(ctx context.Context, db *sql.DB, store, month, lang, path string) error {
	p := map[string]string{"store": store, "month": month}
	kpis, err := Named(ctx, db, "monthly_review", p)
	if err != nil {
		return err
	}
	if len(kpis.Rows) == 0 {
		stores, months, ok := MartSpan(ctx, db, "mart_store_month")
		if !ok {
			return msg.Errorf("no KPIs for store %s month %s: no mart holds any yet — run `aftersales transform`", store, month)
		}
		return msg.Errorf("no KPIs for store %s month %s (the marts hold stores %s, months %s): check --store and --month, or run `aftersales transform` after loading that month",
			store, month, stores, months)
	}
	var storeName string
	db.QueryRowContext(ctx, `SELECT coalesce((SELECT store_name FROM raw_stores WHERE store_id = ?), ?)`, store, store).Scan(&storeName)

	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s %s %s %s", store, storeName, month, L(lang, "report_title"))

	// KPIs
	sh := L(lang, "kpi_sheet")
	f.SetSheetName("Sheet1", sh)
	setText(f, sh, "A1", title)
	f.SetCellStyle(sh, "A1", "A1", st.title)
	// a month the data does not cover to its end (the store's latest work order opened before its
	// last day): said under the title, as the dashboards do
	var asOf sql.NullTime
	db.QueryRowContext(ctx, `SELECT as_of FROM mart_store_month WHERE store_id = ? AND month = ?`, store, month).Scan(&asOf)
	if asOf.Valid && parse.MonthPartial(asOf.Time, month) {
		setText(f, sh, "A2", PartialMonth(lang, asOf.Time.Format("2006-01-02 15:04")))
	}
	// (本年累计, 去年同期累计 and their change: the KPIs that add up over months, where the data
	// reaches back to January; blank otherwise — monthly_review)
	hdr := []string{L(lang, "kpi"), L(lang, "value"), L(lang, "target"), L(lang, "meets"), L(lang, "prev_month"), L(lang, "mom"), L(lang, "prev_year"), L(lang, "yoy"),
		L(lang, "ytd"), L(lang, "ytd_prev_year"), L(lang, "ytd_change"), L(lang, "definition")}
	for i, h := range hdr {
		setText(f, sh, cell(i+1, 3), h)
	}
	f.SetCellStyle(sh, "A3", cell(len(hdr), 3), st.header)
	ci := func(n string) int { return kpis.Col(n) }
	for i, r := range kpis.Rows {
		row := 4 + i
		label := str(r[ci("label_zh")])
		def := str(r[ci("formula_zh")])
		if lang == "en" {
			label, def = str(r[ci("label_en")]), str(r[ci("formula_en")])
		}
		if str(r[ci("kpi")]) == "ftfr" && r[ci("provisional")] == true {
			label += L(lang, "provisional")
		}
		setText(f, sh, cell(1, row), label)
		unit := str(r[ci("unit")])
		style := unitStyle(st, unit, lang, false)
		for c, col := range map[int]string{2: "value", 5: "value_prev_month", 7: "value_prev_year", 9: "value_ytd", 10: "value_ytd_prev_year"} {
			setNumber(f, sh, cell(c, row), r[ci(col)], style)
		}
		setNumber(f, sh, cell(3, row), r[ci("target")], st.targetStyle(f, unit, lang, str(r[ci("direction")])))
		setChange(f, st, sh, cell(6, row), r[ci("change_mom")], unit, lang)
		setChange(f, st, sh, cell(8, row), r[ci("change_yoy")], unit, lang)
		setChange(f, st, sh, cell(11, row), r[ci("change_ytd")], unit, lang)
		labelStyle := st.text // a KPI that misses its target: its name in red too
		if setMet(f, st, sh, cell(4, row), r[ci("meets_target")], lang) {
			labelStyle = st.bad
		}
		f.SetCellStyle(sh, cell(1, row), cell(1, row), labelStyle)
		setText(f, sh, cell(12, row), def)
		f.SetCellStyle(sh, cell(12, row), cell(12, row), st.text)
	}
	for i, w := range []float64{24, 16, 10, 8, 16, 14, 16, 14, 18, 18, 16, 70} {
		f.SetColWidth(sh, colName(i+1), colName(i+1), w)
	}
	freeze(f, sh, 3, 1)
	pageSetup(f, sh, 3)

	// 13-month trend with native charts
	trend, err := Named(ctx, db, "store_trend", p)
	if err != nil {
		return err
	}
	tsh := L(lang, "trend_sheet")
	f.NewSheet(tsh)
	tcols := []string{"month", "orders", "revenue", "labor_revenue", "parts_revenue", "ftfr", "csi", "on_time_rate", "turnaround_hours_median", "turnaround_hours_p90", "comeback_rate", "complaint_rate"}
	writeResult(f, st, tsh, 1, trend, tcols, lang, true)
	n := len(trend.Rows)
	// each month's rate that misses its KPI's target (store_trend's <kpi>_meets_target, from
	// mart_benchmark) in the red of a miss, as the KPI sheet's 达标 column and the dashboards'
	// trend mark them, and the targets said under the table
	var targets []string
	missed := false
	for j, c := range tcols {
		t, dir, ok := KPITarget(kpis, c)
		if !ok {
			continue
		}
		targets = append(targets, fmt.Sprintf("%s %s %s", L(lang, c), TargetOp(dir), strconv.FormatFloat(math.Round(t*1e6)/1e4, 'f', -1, 64)+"%"))
		for i, r := range trend.Rows {
			if r[trend.Col(c+"_meets_target")] == false {
				f.SetCellStyle(tsh, cell(j+1, i+2), cell(j+1, i+2), st.pctBad)
				missed = true
			}
		}
	}
	if missed {
		setText(f, tsh, cell(1, n+3), fmt.Sprintf(L(lang, "trend_misses"), strings.Join(targets, L(lang, "list_sep"))))
		f.SetCellStyle(tsh, cell(1, n+3), cell(1, n+3), st.note)
	}
	if n > 0 {
		cats := fmt.Sprintf("'%s'!$A$2:$A$%d", tsh, n+1)
		ser := func(col int) excelize.ChartSeries {
			c := colName(col)
			return excelize.ChartSeries{Name: fmt.Sprintf("'%s'!$%s$1", tsh, c), Categories: cats, Values: fmt.Sprintf("'%s'!$%s$2:$%s$%d", tsh, c, c, n+1)}
		}
		f.AddChart(tsh, "N2", &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{ser(2)},
			Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: L(lang, "chart_orders")}}}, Dimension: excelize.ChartDimension{Width: 640, Height: 300}},
			// (the axes' numbers as the cells show them: revenue in yuan, the rates in %; without a
			// format Excel wrote 2000000 and 0.96)
			&excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{ser(3)}, YAxis: excelize.ChartAxis{Secondary: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "¥#,##0"}}})
		// rates end at 100 % (a month at 100 % made the automatic axis end at 120 %)
		hundred := 1.0
		f.AddChart(tsh, "N20", &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{ser(6), ser(7), ser(8)},
			YAxis: excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Maximum: &hundred},
			Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: L(lang, "chart_quality")}}}, Dimension: excelize.ChartDimension{Width: 640, Height: 300}})
	}

	// technicians, advisors, comebacks, complaints
	for _, part := range []struct {
		sheet, query string
		cols         []string
	}{
		{"tech_sheet", "tech_ranking", []string{"rank", "tech_id", "tech_name", "team_id", "grade", "jobs", "flagged_hours", "labor_amount", "days_worked", "efficiency", "comebacks"}},
		{"advisor_sheet", "advisor_ranking", []string{"rank", "advisor_id", "orders", "revenue", "revenue_per_order", "csi", "complaint_rate", "on_time_rate"}},
		{"comeback_sheet", "comeback_list", []string{"order_no", "opened_at", "kind", "cause", "vin", "origin_order_no", "origin_delivered_at", "fault_systems", "charged_tech_ids"}},
		{"complaint_sheet", "complaints_month", []string{"callback_id", "called_at", "order_no", "advisor_id", "complaint_type", "customer_name", "phone", "resolved_at", "days_to_resolve", "resolved_in_7d"}},
	} {
		res, err := Named(ctx, db, part.query, p)
		if err != nil {
			return err
		}
		s := sheetName(f, L(lang, part.sheet))
		f.NewSheet(s)
		writeResult(f, st, s, 1, res, part.cols, lang, true)
	}

	// parts
	psh := sheetName(f, L(lang, "parts_sheet"))
	f.NewSheet(psh)
	row := 1
	for _, part := range []struct {
		title, query string
		cols         []string
		limit        int
	}{
		{"abc_title", "parts_abc", []string{"abc", "parts", "consumption_value_6m", "inventory_value", "dead_parts"}, 0},
		{"dead_title", "dead_stock", []string{"part_no", "part_name", "on_hand", "unit_cost", "stock_value", "last_issue_at", "abc"}, 20},
		{"suggest_title", "suggested_orders", []string{"part_no", "part_name", "abc", "on_hand", "mad", "safety_stock", "suggested_order", "unit_cost", "order_value"}, 20},
	} {
		res, err := Named(ctx, db, part.query, p)
		if err != nil {
			return err
		}
		if part.limit > 0 && len(res.Rows) > part.limit {
			res.Rows = res.Rows[:part.limit]
		}
		setText(f, psh, cell(1, row), L(lang, part.title))
		f.SetCellStyle(psh, cell(1, row), cell(1, row), st.title)
		row = writeResult(f, st, psh, row+1, res, part.cols, lang, false) + 2
	}
	f.SetColWidth(psh, "A", "I", 14)
	pageSetup(f, psh, 0)

	f.SetActiveSheet(0)
	f.SetDocProps(&excelize.DocProperties{Creator: "aftersales", Title: title, Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z"})
	return xlsxw.Save(f, path)
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// unitStyle is the cell style of a KPI's unit; signed, that of a change (环比, 同比) of a KPI that
// is not a rate, with the sign shown, so that a rise reads +¥12.88 beside a fall of -¥298,640.63.
func unitStyle(st *styles, unit, lang string, signed bool) int {
	pick := func(plain, withSign int) int {
		if signed {
			return withSign
		}
		return plain
	}
	switch unit {
	case "money":
		return pick(st.money, st.signedMoney)
	case "rate":
		return st.pct
	case "count":
		return pick(st.int, st.signedInt)
	case "hours":
		if lang == "en" {
			return pick(st.hoursEN, st.signedHoursEN)
		}
		return pick(st.hoursZH, st.signedHoursZH)
	}
	return pick(st.dec2, st.signedDec2)
}

// setNumber writes a value (nothing for NULL) in style.
func setNumber(f *excelize.File, sheet, ref string, v any, style int) {
	if v != nil {
		f.SetCellValue(sheet, ref, v)
	}
	f.SetCellStyle(sheet, ref, ref, style)
}

// setChange writes a KPI's change (环比, 同比): a rate's, a difference of percentages, in
// percentage points ("−1.03个百分点": the cell holds −1.03), not as "−1.03%", which reads as a
// relative change; any other with its sign and unit.
func setChange(f *excelize.File, st *styles, sheet, ref string, v any, unit, lang string) {
	if unit != "rate" {
		setNumber(f, sheet, ref, v, unitStyle(st, unit, lang, true))
		return
	}
	if x, ok := v.(float64); ok {
		v = math.Round(x*1e6) / 1e4
	}
	style := st.ppZH
	if lang == "en" {
		style = st.ppEN
	}
	setNumber(f, sheet, ref, v, style)
}

// setMet writes whether a value meets its target (meets_target): 是 in green, 否 in red, nothing
// without a target; it reports a miss.
func setMet(f *excelize.File, st *styles, sheet, ref string, meets any, lang string) bool {
	switch meets {
	case true:
		setText(f, sheet, ref, L(lang, "yes"))
		f.SetCellStyle(sheet, ref, ref, st.good)
	case false:
		setText(f, sheet, ref, L(lang, "no"))
		f.SetCellStyle(sheet, ref, ref, st.bad)
		return true
	default:
		f.SetCellStyle(sheet, ref, ref, st.text)
	}
	return false
}

// writeResult writes chosen columns of a query result as a formatted table from row; it returns
// the last row written. Customer names and phones are masked.
func writeResult(f *excelize.File, st *styles, sheet string, row int, res *Result, cols []string, lang string, frozen bool) int {
	for i, c := range cols {
		setText(f, sheet, cell(i+1, row), L(lang, c))
	}
	f.SetCellStyle(sheet, cell(1, row), cell(len(cols), row), st.header)
	for i, r := range res.Rows {
		for j, c := range cols {
			k := res.Col(c)
			if k < 0 {
				continue
			}
			v := r[k]
			ref := cell(j+1, row+1+i)
			switch c {
			case "customer_name":
				v = mask.Name(str(v))
			case "phone":
				v = mask.Phone(str(v))
			case "grade", "kind":
				v = L(lang, str(v))
			case "cause":
				if v != nil {
					v = Enum(lang, str(v))
				}
			case "fault_systems":
				v = EnumList(lang, str(v))
			}
			switch x := v.(type) {
			case nil:
			case string:
				setText(f, sheet, ref, x)
			case bool:
				if x {
					setText(f, sheet, ref, L(lang, "yes"))
				} else {
					setText(f, sheet, ref, L(lang, "no"))
				}
			default:
				f.SetCellValue(sheet, ref, x)
			}
		}
	}
	last := row + len(res.Rows)
	if len(res.Rows) > 0 {
		f.SetCellStyle(sheet, cell(1, row+1), cell(len(cols), last), st.text)
		for j, c := range cols {
			var s int
			switch {
			case moneyCols[c]:
				s = st.money
			case rateCols[c]:
				s = st.pct
			case decCols[c]:
				s = st.dec2
			default:
				continue
			}
			f.SetCellStyle(sheet, cell(j+1, row+1), cell(j+1, last), s)
		}
	}
	for j, c := range cols {
		w := 12.0
		if c == "vin" {
			w = 22 // 17 capitals, W and M among them, wider than Excel's width unit (a digit)
		} else if strings.HasSuffix(c, "_at") || c == "fault_systems" || c == "charged_tech_ids" || c == "order_no" || c == "origin_order_no" || c == "callback_id" {
			w = 19
		}
		f.SetColWidth(sheet, colName(j+1), colName(j+1), w)
	}
	if frozen {
		freeze(f, sheet, row, 0)
		pageSetup(f, sheet, row)
	}
	return last
}

// KPITarget is a KPI's target and direction ("up" or "down") in the rows of the monthly_review
// query; ok is false for a KPI without a target (or not in res).
func KPITarget(res *Result, kpi string) (float64, string, bool) {
	k, t, d := res.Col("kpi"), res.Col("target"), res.Col("direction")
	if k < 0 || t < 0 || d < 0 {
		return 0, "", false
	}
	for _, row := range res.Rows {
		if str(row[k]) == kpi {
			v, ok := row[t].(float64)
			return v, str(row[d]), ok
		}
	}
	return 0, "", false
}

// TargetOp is how a target reads for a KPI whose better direction is dir: "≤" for a KPI where
// lower is better, else "≥" (a value equal to its target meets it).
func TargetOp(dir string) string {
	if dir == "down" {
		return "≤"
	}
	return "≥"
}
