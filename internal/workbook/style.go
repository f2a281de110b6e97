// Package workbook writes the Excel workbooks: the payroll sheet (工资表) and the monthly
// business report (业务月报表). Data values are always written as values: a text beginning
// with = + - @ stays text; only our own formulas are formulas.
package workbook

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/xlsxw"
)

// styles are created once per file.
type styles struct {
	title, header, text, money, moneyBold, ratio, pct, int, bad, good, note, dec1, dec2 int
	// general: Excel's General format (a count's median of 1384.5 shown so, 1409 without ".0")
	general int
	// pctBad: a rate that misses its target (the red of bad)
	pctBad int
	// ppZH, ppEN: a change of a rate in percentage points (the cell holds points: 0.94, not 0.0094)
	ppZH, ppEN int
	// hoursZH, hoursEN: hours with their unit (在厂时长 15.50小时)
	hoursZH, hoursEN int
	// signed: a change (环比, 同比) of a money, count, hours or other amount, with its sign (+¥12.88)
	signedMoney, signedInt, signedDec2, signedHoursZH, signedHoursEN int
	// signedPct: a relative change with its sign (+10.0%)
	signedPct int
	// checkZH, checkEN: a reconciliation check, 1 or 0 shown as 一致/不一致 (OK/MISMATCH);
	// mismatch: the conditional format of one that fails (styleChecks)
	checkZH, checkEN, mismatch int
	// made: the styles made on first use (madeStyle): a target's, a miss's, by unit and language
	made   map[string]int
	border []excelize.Border
}

// unitNumFmt is a unit's number format (as unitStyle's styles show it).
func unitNumFmt(unit, lang string) string {
	switch unit {
	case "rate":
		return "0.00%"
	case "money":
		return "¥#,##0.00"
	case "count":
		return "#,##0"
	case "hours":
		if lang == "en" {
			return `#,##0.00" h"`
		}
		return `#,##0.00"小时"`
	}
	return "#,##0.00"
}

// madeStyle is the style made from st under key, made on first use; the unit's plain style if
// excelize refuses it.
func (s *styles) madeStyle(f *excelize.File, key string, st *excelize.Style, unit, lang string) int {
	if id, ok := s.made[key]; ok {
		return id
	}
	id, err := f.NewStyle(st)
	if err != nil {
		id = unitStyle(s, unit, lang, false)
	}
	if s.made == nil {
		s.made = map[string]int{}
	}
	s.made[key] = id
	return id
}

// missStyle is the style of a value that misses its target: the unit's number format in the red
// of bad (for a rate, pctBad).
func (s *styles) missStyle(f *excelize.File, unit, lang string) int {
	if unit == "rate" {
		return s.pctBad
	}
	format := unitNumFmt(unit, lang)
	return s.madeStyle(f, "miss|"+unit+"|"+lang, &excelize.Style{CustomNumFmt: &format, Font: &excelize.Font{Color: "9C0006"},
		Fill: excelize.Fill{Type: "pattern", Color: []string{"FFC7CE"}, Pattern: 1}, Border: s.border}, unit, lang)
}

// targetStyle is the style of a target's cell: the unit's number format with the comparison that
// meets the target in front ("≥ 95.00%", "≤ 1.00%"; TargetOp), so that the sheet says which way a
// target points, as the dashboards' cards do, while the cell keeps the plain number for formulas.
func (s *styles) targetStyle(f *excelize.File, unit, lang, dir string) int {
	op := TargetOp(dir)
	format := `"` + op + ` "` + unitNumFmt(unit, lang)
	return s.madeStyle(f, "target|"+unit+"|"+lang+"|"+op, &excelize.Style{CustomNumFmt: &format, Border: s.border}, unit, lang)
}

func newStyles(f *excelize.File) (*styles, error) {
	money := "¥#,##0.00"
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	s := &styles{border: border}
	defs := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"305496"}, Pattern: 1},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}, Border: border}},
		{&s.text, &excelize.Style{Border: border}},
		{&s.money, &excelize.Style{CustomNumFmt: &money, Border: border}},
		{&s.moneyBold, &excelize.Style{CustomNumFmt: &money, Font: &excelize.Font{Bold: true}, Border: border}},
		{&s.ratio, &excelize.Style{NumFmt: 0, CustomNumFmt: strPtr("0.0000"), Border: border}},
		{&s.pct, &excelize.Style{NumFmt: 10, Border: border}},
		{&s.int, &excelize.Style{NumFmt: 3, Border: border}}, // #,##0: a year's orders, 14,225
		{&s.general, &excelize.Style{NumFmt: 0, Border: border}},
		{&s.dec1, &excelize.Style{CustomNumFmt: strPtr("0.0"), Border: border}},
		{&s.dec2, &excelize.Style{CustomNumFmt: strPtr("#,##0.00"), Border: border}},
		{&s.ppZH, &excelize.Style{CustomNumFmt: strPtr(`+0.00"个百分点";-0.00"个百分点";0.00"个百分点"`), Border: border}},
		{&s.hoursZH, &excelize.Style{CustomNumFmt: strPtr(`#,##0.00"小时"`), Border: border}},
		{&s.hoursEN, &excelize.Style{CustomNumFmt: strPtr(`#,##0.00" h"`), Border: border}},
		{&s.signedMoney, &excelize.Style{CustomNumFmt: strPtr(`+¥#,##0.00;-¥#,##0.00;¥0.00`), Border: border}},
		{&s.signedInt, &excelize.Style{CustomNumFmt: strPtr(`+#,##0;-#,##0;0`), Border: border}},
		{&s.signedPct, &excelize.Style{CustomNumFmt: strPtr(`+0.0%;-0.0%;0.0%`), Border: border}},
		{&s.signedDec2, &excelize.Style{CustomNumFmt: strPtr(`+#,##0.00;-#,##0.00;0.00`), Border: border}},
		{&s.signedHoursZH, &excelize.Style{CustomNumFmt: strPtr(`+#,##0.00"小时";-#,##0.00"小时";0.00"小时"`), Border: border}},
		{&s.signedHoursEN, &excelize.Style{CustomNumFmt: strPtr(`+#,##0.00" h";-#,##0.00" h";0.00" h"`), Border: border}},
		{&s.ppEN, &excelize.Style{CustomNumFmt: strPtr(`+0.00" pp";-0.00" pp";0.00" pp"`), Border: border}},
		{&s.checkZH, &excelize.Style{CustomNumFmt: strPtr(`"一致";"不一致";"不一致"`), Font: &excelize.Font{Bold: true, Color: "006100"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"C6EFCE"}, Pattern: 1}, Border: border}},
		{&s.checkEN, &excelize.Style{CustomNumFmt: strPtr(`"OK";"MISMATCH";"MISMATCH"`), Font: &excelize.Font{Bold: true, Color: "006100"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"C6EFCE"}, Pattern: 1}, Border: border}},
		{&s.bad, &excelize.Style{Font: &excelize.Font{Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"FFC7CE"}, Pattern: 1}, Border: border}},
		{&s.pctBad, &excelize.Style{NumFmt: 10, Font: &excelize.Font{Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"FFC7CE"}, Pattern: 1}, Border: border}},
		{&s.good, &excelize.Style{Font: &excelize.Font{Color: "006100"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"C6EFCE"}, Pattern: 1}, Border: border}},
		{&s.note, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}, Alignment: &excelize.Alignment{WrapText: false}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.st)
		if err != nil {
			return nil, err
		}
		*d.dst = id
	}
	id, err := f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Color: []string{"FFC7CE"}, Pattern: 1}})
	if err != nil {
		return nil, err
	}
	s.mismatch = id
	return s, nil
}

func strPtr(s string) *string { return &s }

// cell returns the A1 name of (col, row), both 1-based.
func cell(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

func colName(col int) string {
	n, _ := excelize.ColumnNumberToName(col)
	return n
}

// sheetName makes a valid, unique sheet name (≤ 31 characters, none of []:*?/\).
func sheetName(f *excelize.File, s string) string {
	s = strings.Map(func(r rune) rune {
		// letters, digits, CJK, space, - and _ only: a sheet name never carries data punctuation
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' || r == '_' || r == '~' {
			return r
		}
		return '_'
	}, xlsxw.CleanText(s))
	if r := []rune(s); len(r) > 28 {
		s = string(r[:28])
	}
	base := s
	for i := 2; ; i++ {
		if idx, _ := f.GetSheetIndex(s); idx < 0 {
			return s
		}
		s = fmt.Sprintf("%s~%d", base, i)
	}
}

// setText writes data text as a string cell: never a formula, whatever it begins with.
func setText(f *excelize.File, sheet, ref, v string) error {
	return f.SetCellStr(sheet, ref, xlsxw.CleanText(v))
}

// setFormula writes one of our formulas together with its cached value (so a reader that does
// not recalculate, and the check against a recalculation, both see the number).
func setFormula(f *excelize.File, sheet, ref, formula string, cached any) error {
	if cached != nil {
		if err := f.SetCellValue(sheet, ref, cached); err != nil {
			return err
		}
	}
	return f.SetCellFormula(sheet, ref, formula)
}

// setCheck writes a reconciliation check: cond as a formula of 1 or 0, shown by its number
// format as 一致 or 不一致 (OK or MISMATCH), so that a clerk who edits a cell sees the sheet
// recheck itself — in green, and in red by a conditional format when a value no longer adds up.
// (A bare TRUE/FALSE read as English in a Chinese sheet, and was green either way; a formula
// of text would store its cached value as a shared string, which is not how a formula's text
// result is written.)
func setCheck(f *excelize.File, st *styles, lang, sheet, ref, cond string, ok bool) {
	setFormula(f, sheet, ref, fmt.Sprintf("IF(%s,1,0)", cond), checkValue(ok))
	styleChecks(f, st, lang, sheet, ref, ref)
}

// checkValue is a check's value: 1 when it holds, 0 when not.
func checkValue(ok bool) int {
	if ok {
		return 1
	}
	return 0
}

// styleChecks gives the check cells from..to their number format and turns those that read
// 0 (不一致, MISMATCH) red.
func styleChecks(f *excelize.File, st *styles, lang, sheet, from, to string) {
	style := st.checkZH
	if lang == "en" {
		style = st.checkEN
	}
	f.SetCellStyle(sheet, from, to, style)
	f.SetConditionalFormat(sheet, from+":"+to, []excelize.ConditionalFormatOptions{
		{Type: "cell", Criteria: "==", Format: &st.mismatch, Value: "0"}})
}

// pageSetup: A4 landscape, fit to one page wide, header rows repeated.
func pageSetup(f *excelize.File, sheet string, headerRow int) {
	size, orient, fitW, fitH, fit := 9, "landscape", 1, 0, true
	f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit})
	f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fitW, FitToHeight: &fitH})
	if headerRow > 0 {
		f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, headerRow, headerRow), Scope: sheet})
	}
}

func freeze(f *excelize.File, sheet string, rows, cols int) {
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: cell(cols+1, rows+1), ActivePane: "bottomRight"})
}
