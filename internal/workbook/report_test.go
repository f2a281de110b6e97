package workbook

import (
	"database/sql"
	"maps"
	"math"
	"math/big"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/testenv"
)

func TestReportWorkbook(t *testing.T) {
	d := sampleDB(t)
	if _, err := d.Exec(`UPDATE raw_work_orders SET customer_name = '</script>张三', phone = '13812345678'`); err != nil {
		t.Fatal(err)
	}
	f, p := writeReport(t, d, "2026-09")
	for _, sh := range []string{"经营指标", "13个月趋势", "技师", "服务顾问", "返修扣款明细", "投诉", "配件"} {
		if idx, _ := f.GetSheetIndex(sh); idx < 0 {
			t.Errorf("no sheet %s", sh)
		}
	}
	// the KPI sheet shows the monthly_review numbers
	want := map[string]float64{}
	var orders int64
	var revenue string
	d.QueryRow(`SELECT orders, revenue::VARCHAR FROM mart_store_month WHERE store_id = 'S001' AND month = '2026-09'`).Scan(&orders, &revenue)
	want["台次"] = float64(orders)
	rv, _ := strconv.ParseFloat(revenue, 64)
	want["产值"] = rv
	got := map[string]string{}
	all, _ := f.GetRows("经营指标", excelize.Options{RawCellValue: true})
	for _, r := range all {
		if len(r) > 1 {
			got[r[0]] = r[1]
		}
	}
	for k, v := range want {
		g, _ := strconv.ParseFloat(got[k], 64)
		if g != v {
			t.Errorf("KPI %s: workbook %q, mart %v", k, got[k], v)
		}
	}
	// no formulas from data; complaints masked
	phone := regexp.MustCompile(`1[3-9]\d{9}`)
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			for _, c := range r {
				if phone.MatchString(c) || strings.Contains(c, "张三") {
					t.Errorf("sheet %s shows unmasked customer data %q", sh, c)
				}
			}
		}
	}
	// a target says which way it points ("≥ 95.00%", "≤ 1.00%"), as the dashboards' cards do,
	// and the cell holds the plain number
	targets := map[string]string{"一次修复率": "≥ 95.00%", "客户满意度": "≥ 90.00%", "按时交车率": "≥ 95.00%", "投诉率": "≤ 1.00%"}
	rawTargets := map[string]string{"一次修复率": "0.95", "客户满意度": "0.9", "按时交车率": "0.95", "投诉率": "0.01"}
	for i, r := range all {
		if i < 3 || len(r) < 3 { // the title, the partial-month note and the header
			continue
		}
		label := strings.TrimSuffix(r[0], "（暂定：返修窗口未满）")
		w, ok := targets[label]
		if !ok {
			if r[2] != "" {
				t.Errorf("%s has a target %q; want none", r[0], r[2])
			}
			continue
		}
		shown, _ := f.GetCellValue("经营指标", cell(3, i+1))
		if shown != w || r[2] != rawTargets[label] {
			t.Errorf("%s: target shown %q and held %q, want %q and %s", label, shown, r[2], w, rawTargets[label])
		}
		delete(targets, label)
	}
	if len(targets) > 0 {
		t.Errorf("no target row for %v", targets)
	}
	// a rate's month-on-month change in percentage points: the cell holds points, shown as such
	var ftfr, ftfrPrev float64
	if err := d.QueryRow(`SELECT (SELECT ftfr FROM mart_store_month WHERE store_id = 'S001' AND month = '2026-10'),
		(SELECT ftfr FROM mart_store_month WHERE store_id = 'S001' AND month = '2026-09')`).Scan(&ftfr, &ftfrPrev); err != nil {
		t.Fatal(err)
	}
	f10, _ := writeReport(t, d, "2026-10")
	all10, _ := f10.GetRows("经营指标", excelize.Options{RawCellValue: true})
	seen := false
	for i, r := range all10 {
		if len(r) > 5 && strings.HasPrefix(r[0], "一次修复率") {
			g, _ := strconv.ParseFloat(r[5], 64)
			if w := math.Round((ftfr-ftfrPrev)*1e6) / 1e4; g != w {
				t.Errorf("FTFR change %q, want %v percentage points", r[5], w)
			}
			shown, _ := f10.GetCellValue("经营指标", cell(6, i+1))
			if !strings.HasSuffix(shown, "个百分点") {
				t.Errorf("FTFR change shown as %q, want percentage points", shown)
			}
			seen = true
		}
	}
	if !seen {
		t.Error("no FTFR row in the 2026-10 report")
	}
	// hours carry their unit
	hours := false
	for i, r := range all10 {
		if len(r) > 1 && r[0] == "平均在厂时长" {
			hours = true
			if shown, _ := f10.GetCellValue("经营指标", cell(2, i+1)); !strings.HasSuffix(shown, "小时") {
				t.Errorf("turnaround shown as %q, want hours", shown)
			}
		}
	}
	if !hours {
		t.Error("no turnaround row in the 2026-10 report")
	}
	// every other change shows its sign: a rise as +, a fall as -
	signs := 0
	for i, r := range all10 {
		for _, c := range []int{6, 8} {
			if len(r) < c || r[c-1] == "" {
				continue
			}
			v, err := strconv.ParseFloat(r[c-1], 64)
			if err != nil || v == 0 {
				continue
			}
			shown, _ := f10.GetCellValue("经营指标", cell(c, i+1))
			if want := map[bool]string{true: "+", false: "-"}[v > 0]; !strings.HasPrefix(shown, want) {
				t.Errorf("%s: change %v shown as %q, without its sign", r[0], v, shown)
			}
			signs++
		}
	}
	if signs < 10 {
		t.Errorf("%d changes checked for their sign, want at least 10", signs)
	}
	// comeback causes and fault systems in Chinese
	cb, _ := f.GetRows("返修扣款明细")
	if len(cb) < 2 {
		t.Fatal("no comebacks in the sample month")
	}
	for _, r := range cb[1:] {
		for _, c := range r {
			if regexp.MustCompile(`^(parts_defect|wrong_method|carelessness|unclear_request|manufacturing_defect|management|other|engine|transmission|chassis|electrical|body|paint|interior|hvac)\b`).MatchString(c) {
				t.Errorf("comeback sheet shows the code %q, not its Chinese name", c)
			}
		}
	}
	if charts := countCharts(t, p); charts < 2 {
		t.Errorf("%d charts, want 2", charts)
	}
}

// writeReport writes store S001's report of month in Chinese and opens it (closed with the test).
func writeReport(t *testing.T, d *sql.DB, month string) (*excelize.File, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "r-"+month+".xlsx")
	if err := Report(t.Context(), d, "S001", month, "zh", p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, p
}

func countCharts(t *testing.T, path string) int {
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	f.Pkg.Range(func(k, v any) bool {
		if strings.HasPrefix(k.(string), "xl/charts/chart") {
			n++
		}
		return true
	})
	return n
}

// TestPartialMonthInWorkbooks: the report and the payroll workbook of a month the data does not
// cover to its end say up to when it does, under their titles; a complete month's do not.
func TestPartialMonthInWorkbooks(t *testing.T) {
	d := testenv.Sample(t, 1, 2, testenv.CutOrders(t, "2026-10-16 00:00"))
	var asOf string
	d.QueryRow(`SELECT strftime(max(opened_at), '%Y-%m-%d %H:%M') FROM raw_work_orders`).Scan(&asOf)
	for month, want := range map[string]string{"2026-09": "", "2026-10": "本月数据截至 " + asOf + "，尚不完整（环比按不同天数比较）"} {
		f, _ := writeReport(t, d, month)
		if got, _ := f.GetCellValue("经营指标", "A2"); got != want {
			t.Errorf("report %s: A2 %q, want %q", month, got, want)
		}
		p := filepath.Join(t.TempDir(), "pay.xlsx")
		if err := Payroll(t.Context(), d, "S001", month, "zh", p); err != nil {
			t.Fatal(err)
		}
		pf, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := pf.GetCellValue(pf.GetSheetName(0), "A3"); got != want {
			t.Errorf("payroll %s: A3 %q, want %q", month, got, want)
		}
		pf.Close()
	}
}

// TestTrendSheetMarksMisses: in the report's 13-month trend, each month's FTFR, CSI, on-time rate
// or complaint rate that misses its target is red — exactly the cells whose
// mart_benchmark.meets_target is false: a value equal to its target meets it, a complaint rate
// misses above its target (benchmark_targets.yaml) — and the note under the table names the
// targets.
func TestTrendSheetMarksMisses(t *testing.T) {
	d := sampleDB(t)
	// in both marts, the benchmark's judgement made by its own rule
	for _, q := range []string{
		`UPDATE mart_store_month SET ftfr = 0.95, complaint_rate = 0.5 WHERE store_id = 'S001' AND month = '2026-10'`,
		`UPDATE mart_store_month SET ftfr = 0.5, complaint_rate = 0.01 WHERE store_id = 'S001' AND month = '2026-09'`,
		`UPDATE mart_benchmark SET value = 0.95, meets_target = 0.95 >= target WHERE store_id = 'S001' AND month = '2026-10' AND kpi = 'ftfr'`,
		`UPDATE mart_benchmark SET value = 0.5, meets_target = 0.5 <= target WHERE store_id = 'S001' AND month = '2026-10' AND kpi = 'complaint_rate'`,
		`UPDATE mart_benchmark SET value = 0.5, meets_target = 0.5 >= target WHERE store_id = 'S001' AND month = '2026-09' AND kpi = 'ftfr'`,
		`UPDATE mart_benchmark SET value = 0.01, meets_target = 0.01 <= target WHERE store_id = 'S001' AND month = '2026-09' AND kpi = 'complaint_rate'`,
	} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{} // "kpi month" of each miss
	rows, err := d.Query(`SELECT kpi, month FROM mart_benchmark WHERE store_id = 'S001' AND month <= '2026-10'
		AND kpi IN ('ftfr', 'csi', 'on_time_rate', 'complaint_rate') AND NOT meets_target`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kpi, month string
		if err := rows.Scan(&kpi, &month); err != nil {
			t.Fatal(err)
		}
		want[kpi+" "+month] = true
	}
	rows.Close()
	if !want["ftfr 2026-09"] || want["ftfr 2026-10"] || !want["complaint_rate 2026-10"] || want["complaint_rate 2026-09"] {
		t.Fatalf("the case lost its edges: %v", want)
	}
	f, _ := writeReport(t, d, "2026-10")
	sh := "13个月趋势"
	all, _ := f.GetRows(sh)
	cols := map[string]string{"一次修复率": "ftfr", "客户满意度": "csi", "按时交车率": "on_time_rate", "投诉率": "complaint_rate"}
	got := map[string]bool{}
	found := 0
	for j, h := range all[0] {
		kpi, ok := cols[h]
		if !ok {
			continue
		}
		found++
		for i := 1; i < len(all) && i < len(all[0]) && len(all[i]) > 0 && strings.HasPrefix(all[i][0], "20"); i++ {
			s, _ := f.GetCellStyle(sh, cell(j+1, i+1))
			fill, _ := f.GetStyle(s)
			if fill != nil && len(fill.Fill.Color) > 0 && fill.Fill.Color[0] == "FFC7CE" {
				got[kpi+" "+all[i][0]] = true
			}
		}
	}
	if found != 4 || !maps.Equal(got, want) {
		t.Errorf("red cells %v, want the months that miss their target %v (%d columns)", got, want, found)
	}
	note := false
	for _, r := range all {
		if len(r) > 0 && strings.HasPrefix(r[0], "红色：未达目标的月份（目标：") && strings.Contains(r[0], "一次修复率 ≥ 95%") && strings.Contains(r[0], "投诉率 ≤ 1%") {
			note = true
		}
	}
	if !note {
		t.Error("no note naming the red cells and the targets under the trend")
	}
}

// TestReportYearToDate: the KPI sheet's 本年累计, 去年同期累计 and 累计同比 (monthly_review's year
// to date) for the KPIs that add up, blank for the others and where the data does not reach
// back to January.
func TestReportYearToDate(t *testing.T) {
	d := sampleDB(t)
	ytdCells := func(f *excelize.File, label string) []string {
		t.Helper()
		all, _ := f.GetRows("经营指标", excelize.Options{RawCellValue: true})
		if len(all) < 3 || len(all[2]) < 12 || all[2][8] != "本年累计" || all[2][9] != "去年同期累计" || all[2][10] != "累计同比" || all[2][11] != "口径" {
			t.Fatalf("KPI sheet header %v", all[min(2, len(all)-1)])
		}
		for _, r := range all[3:] {
			if len(r) > 0 && r[0] == label {
				return append(r, make([]string, 12)...)[8:11]
			}
		}
		t.Fatalf("no row %s", label)
		return nil
	}
	// the sample holds 2026-09 and 2026-10 alone: no year to date
	f, _ := writeReport(t, d, "2026-10")
	if got := ytdCells(f, "台次"); got[0] != "" || got[1] != "" || got[2] != "" {
		t.Errorf("year to date without January: %q", got)
	}
	// the months of 2025 and 2026-01 … 2026-08 as copies of 2026-09
	if _, err := d.Exec(`INSERT INTO mart_store_month SELECT s.* REPLACE (v.m AS month) FROM mart_store_month s,
		(SELECT strftime(DATE '2025-01-01' + to_months(i), '%Y-%m') FROM range(20) r(i)) v(m) WHERE store_id = 'S001' AND month = '2026-09'`); err != nil {
		t.Fatal(err)
	}
	var o9, o10 int64
	var r9, r10 string
	d.QueryRow(`SELECT orders, revenue::VARCHAR FROM mart_store_month WHERE store_id = 'S001' AND month = '2026-09'`).Scan(&o9, &r9)
	d.QueryRow(`SELECT orders, revenue::VARCHAR FROM mart_store_month WHERE store_id = 'S001' AND month = '2026-10'`).Scan(&o10, &r10)
	f, _ = writeReport(t, d, "2026-10")
	// 台次: January … October = nine months of 2026-09's orders and October's; last year's
	// January … October ten of 2026-09's
	ytd, py := 9*o9+o10, 10*o9
	if got, want := ytdCells(f, "台次"), []string{strconv.FormatInt(ytd, 10), strconv.FormatInt(py, 10), strconv.FormatInt(ytd-py, 10)}; !slices.Equal(got, want) {
		t.Errorf("台次 year to date %q, want %q", got, want)
	}
	rev9, _ := new(big.Rat).SetString(r9)
	rev10, _ := new(big.Rat).SetString(r10)
	ytdRev := new(big.Rat).Add(new(big.Rat).Mul(big.NewRat(9, 1), rev9), rev10)
	pyRev := new(big.Rat).Mul(big.NewRat(10, 1), rev9)
	got := ytdCells(f, "产值")
	for i, w := range []*big.Rat{ytdRev, pyRev, new(big.Rat).Sub(ytdRev, pyRev)} {
		g, ok := new(big.Rat).SetString(got[i])
		if ok {
			g.Sub(g, w)
		}
		if !ok || g.Abs(g).Cmp(big.NewRat(1, 1000)) > 0 {
			t.Errorf("产值 year to date column %d: %q, want %s", i, got[i], w.FloatString(2))
		}
	}
	// shown with its unit, a change with its sign
	for i, r := range []int{9, 10, 11} {
		shown, _ := f.GetCellValue("经营指标", cell(r, rowOf(t, f, "产值")))
		if !strings.HasPrefix(shown, []string{"¥", "¥", map[bool]string{true: "+¥", false: "-¥"}[ytdRev.Cmp(pyRev) > 0]}[i]) {
			t.Errorf("产值 year to date column %d shown as %q", r, shown)
		}
	}
	// a count of four digits or more with its thousands separator
	if shown, _ := f.GetCellValue("经营指标", cell(9, rowOf(t, f, "台次"))); ytd < 1000 || shown != commaInt(ytd) {
		t.Errorf("台次 year to date %d shown as %q", ytd, shown)
	}
	// a rate has none
	if got := ytdCells(f, "预约率"); got[0] != "" || got[1] != "" || got[2] != "" {
		t.Errorf("a rate's year to date: %q", got)
	}
}

// commaInt writes n with thousands separators (1,304).
func commaInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// rowOf is the KPI sheet's row of a KPI's label.
func rowOf(t *testing.T, f *excelize.File, label string) int {
	t.Helper()
	all, _ := f.GetRows("经营指标")
	for i, r := range all {
		if len(r) > 0 && r[0] == label {
			return i + 1
		}
	}
	t.Fatalf("no row %s", label)
	return 0
}
