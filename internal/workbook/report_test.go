package workbook

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReportWorkbook(t *testing.T) {
	d := sampleDB(t)
	if _, err := d.Exec(`UPDATE raw_work_orders SET customer_name = '</script>张三', phone = '13812345678'`); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "r.xlsx")
	if err := Report(t.Context(), d, "S001", "2026-09", "zh", p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	if charts := countCharts(t, p); charts < 2 {
		t.Errorf("%d charts, want 2", charts)
	}
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
