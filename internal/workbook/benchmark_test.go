package workbook

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/testenv"
)

// TestBenchmarkWorkbook: head office's workbook shows mart_benchmark as it is — every store's
// value of every KPI, the group's median and quartiles and the target under them, each value that
// misses its target in red (exactly those whose meets_target is false), each KPI's column coloured
// worst → best by its direction, and every ranking row; a store's name stays text.
func TestBenchmarkWorkbook(t *testing.T) {
	d := testenv.Sample(t, 4, 3, nil)
	if _, err := d.Exec(`UPDATE raw_stores SET store_name = ? WHERE store_id = 'S002'`, hostile); err != nil {
		t.Fatal(err)
	}
	var month string
	if err := d.QueryRow(`SELECT max(month) FROM mart_benchmark WHERE kpi = 'orders'`).Scan(&month); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "b.xlsx")
	if err := Benchmark(t.Context(), d, month, "zh", p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "对标总览,排名明细,本年累计,集团中位数趋势" {
		t.Errorf("sheets %v", got)
	}

	// the overview: header row 3, stores from row 4, then median, Q1, Q3, target
	sh := "对标总览"
	rows, _ := f.GetRows(sh, excelize.Options{RawCellValue: true})
	header := rows[2]
	colOf := map[string]int{}
	for j, h := range header {
		colOf[h] = j
	}
	type key struct{ store, label string }
	want := map[key]string{}
	missed := map[key]bool{}
	q, err := d.Query(`SELECT b.store_id, k.label_zh, b.value::VARCHAR, NOT coalesce(b.meets_target, true), b.group_median::VARCHAR, b.target::VARCHAR, k.direction
		FROM mart_benchmark b JOIN kpi_dictionary k USING (kpi) WHERE b.month = ?`, month)
	if err != nil {
		t.Fatal(err)
	}
	medians, targets, dirs := map[string]string{}, map[string]string{}, map[string]string{}
	n := 0
	for q.Next() {
		var s, l string
		var v, med, tgt *string
		var miss bool
		var dir string
		if err := q.Scan(&s, &l, &v, &miss, &med, &tgt, &dir); err != nil {
			t.Fatal(err)
		}
		if v != nil {
			want[key{s, l}] = *v
		}
		missed[key{s, l}] = miss
		if med != nil {
			medians[l] = *med
		}
		if tgt != nil {
			targets[l] = *tgt
		}
		dirs[l] = dir
		n++
	}
	q.Close()
	if len(header) != 2+len(dirs) {
		t.Errorf("%d KPI columns, mart_benchmark has %d KPIs", len(header)-2, len(dirs))
	}
	// equal to Excel's 15 significant digits (a workbook holds no more)
	same := func(got, want string) bool {
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		return err1 == nil && err2 == nil && math.Abs(g-w) <= 1e-14*math.Max(1, math.Abs(w))
	}
	stores := 0
	misses := 0
	for i := 3; i < len(rows); i++ {
		r := rows[i]
		switch {
		case strings.HasPrefix(r[0], "S0"):
			stores++
			if r[0] == "S002" && r[1] != hostile {
				t.Errorf("store name %q, want the text %q", r[1], hostile)
			}
			for l, j := range colOf {
				if j < 2 {
					continue
				}
				w, ok := want[key{r[0], l}]
				if got := ""; j < len(r) {
					got = r[j]
					if ok && !same(got, w) || !ok && got != "" {
						t.Errorf("%s %s: %q, want %q", r[0], l, got, w)
					}
				}
				style, _ := f.GetCellStyle(sh, cell(j+1, i+1))
				s, _ := f.GetStyle(style)
				red := s != nil && s.Font != nil && s.Font.Color == "9C0006"
				if red != missed[key{r[0], l}] {
					t.Errorf("%s %s: red %v, misses its target %v", r[0], l, red, missed[key{r[0], l}])
				}
				if red {
					misses++
				}
			}
		case r[0] == "集团中位数":
			for l, j := range colOf {
				if j >= 2 && j < len(r) && !same(r[j], medians[l]) {
					t.Errorf("median of %s: %q, want %s", l, r[j], medians[l])
				}
			}
		case r[0] == "目标":
			for l, j := range colOf {
				if j < 2 {
					continue
				}
				shown, _ := f.GetCellValue(sh, cell(j+1, i+1))
				if tg, ok := targets[l]; ok != (shown != "") || ok && !strings.HasPrefix(shown, map[string]string{"up": "≥ ", "down": "≤ "}[dirs[l]]) {
					t.Errorf("target of %s shown %q, want %s (%s)", l, shown, tg, dirs[l])
				}
			}
		}
	}
	if stores != 4 || misses == 0 {
		t.Errorf("%d store rows, %d misses (the sample's stores miss some targets)", stores, misses)
	}
	// worst → best: red to green where more is better, green to red where less is
	cf, _ := f.GetConditionalFormats(sh)
	for l, j := range colOf {
		if j < 2 {
			continue
		}
		c := colName(j + 1)
		opts := cf[c+"4:"+c+"7"]
		if len(opts) != 1 || opts[0].Type != "3_color_scale" {
			t.Errorf("%s: conditional formats %+v", l, opts)
			continue
		}
		if lo := map[string]string{"up": "#F8696B", "down": "#63BE7B"}[dirs[l]]; !strings.EqualFold("#"+strings.TrimPrefix(opts[0].MinColor, "#"), lo) {
			t.Errorf("%s (%s): lowest value coloured %s, want %s", l, dirs[l], opts[0].MinColor, lo)
		}
	}

	// rankings: a row per mart row
	rk, _ := f.GetRows("排名明细", excelize.Options{RawCellValue: true})
	if len(rk)-1 != n {
		t.Errorf("%d ranking rows, mart_benchmark has %d", len(rk)-1, n)
	}
	// trend: the months of benchmark_trend
	tr, _ := f.GetRows("集团中位数趋势")
	if len(tr) < 2+3 || tr[len(tr)-1][0] != month {
		t.Errorf("trend rows %v", tr)
	}

	// a month without a benchmark names the months there are
	if err := Benchmark(t.Context(), d, "2030-01", "en", filepath.Join(t.TempDir(), "x.xlsx")); err == nil || !strings.Contains(err.Error(), "mart_benchmark holds the months") {
		t.Errorf("a month without data: %v", err)
	}
}

// TestBenchmarkYTDSheet: the benchmark workbook's 本年累计 sheet holds store_ytd's rows, ranked,
// each number in its cell, a store name as text.
func TestBenchmarkYTDSheet(t *testing.T) {
	d := testenv.Sample(t, 2, 2, nil)
	// 2026-01 … 2026-08 as copies of 2026-09 for S001 alone: S002's data still begins in 2026-09
	if _, err := d.Exec(`INSERT INTO mart_store_month SELECT s.* REPLACE (v.m AS month) FROM mart_store_month s,
		(SELECT strftime(DATE '2026-01-01' + to_months(i), '%Y-%m') FROM range(8) r(i)) v(m) WHERE store_id = 'S001' AND month = '2026-09'`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE raw_stores SET store_name = ? WHERE store_id = 'S001'`, hostile); err != nil {
		t.Fatal(err)
	}
	var orders int64
	var revenue float64
	if err := d.QueryRow(`SELECT sum(orders), sum(revenue)::DOUBLE FROM mart_store_month WHERE store_id = 'S001' AND month BETWEEN '2026-01' AND '2026-10'`).Scan(&orders, &revenue); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "b.xlsx")
	if err := Benchmark(t.Context(), d, "2026-10", "zh", p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("本年累计", excelize.Options{RawCellValue: true})
	if len(rows) != 5 || rows[0][0] != "本年累计（2026-01 至 2026-10，按产值排名）" || strings.Join(rows[2], ",") != "排名,门店,门店名称,本年累计台次,去年同期台次,本年累计产值,去年同期产值,产值累计同比,本年累计工时费,本年累计材料费,本年累计派工工时" {
		t.Fatalf("本年累计 sheet: %q", rows)
	}
	s1 := append(rows[3], make([]string, 11)...)
	if s1[0] != "1" || s1[1] != "S001" || s1[2] != hostile || s1[3] != strconv.FormatInt(orders, 10) || s1[4] != "" {
		t.Errorf("S001's row %q: want rank 1, %d orders, none last year", rows[3], orders)
	}
	if g, _ := strconv.ParseFloat(s1[5], 64); math.Abs(g-revenue) > 0.005 {
		t.Errorf("S001's revenue year to date %q, want %.2f", s1[5], revenue)
	}
	// S002, whose data begins after January: listed, no year to date, not ranked
	if s2 := rows[4]; s2[1] != "S002" || strings.Join(s2, "") != "S002"+s2[2] {
		t.Errorf("S002's row %q: want no year to date", s2)
	}
	if formula, _ := f.GetCellFormula("本年累计", "C4"); formula != "" {
		t.Errorf("a store name written as a formula: %q", formula)
	}
}
