package workbook

import (
	"bytes"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/testenv"
	"github.com/aftersales/aftersales/transform"
)

func sampleDB(t *testing.T) *sql.DB { return testenv.Sample(t, 1, 2, nil) }

const hostile = `=HYPERLINK("http://example.invalid","x")`

func TestPayrollWorkbook(t *testing.T) {
	d := sampleDB(t)
	month := "2026-10"
	if _, err := d.Exec(`UPDATE mart_payroll SET tech_name = ? WHERE tech_id = (SELECT min(tech_id) FROM mart_payroll)`, hostile); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "a.xlsx"), filepath.Join(dir, "b.xlsx")
	for _, p := range []string{p1, p2} {
		if err := Payroll(t.Context(), d, "S001", month, "zh", p); err != nil {
			t.Fatal(err)
		}
	}
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) {
		t.Error("the same inputs gave different workbook bytes")
	}
	f, err := excelize.OpenFile(p1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pays := map[string]string{}
	rows, _ := d.Query(`SELECT tech_id, pay::VARCHAR FROM mart_payroll WHERE store_id = 'S001' AND month = ?`, month)
	for rows.Next() {
		var id, pay string
		rows.Scan(&id, &pay)
		pays[id] = pay
	}
	rows.Close()
	teams, checked := 0, 0
	sawHostile := false
	for _, sh := range f.GetSheetList() {
		if !strings.HasPrefix(sh, "班组") {
			continue
		}
		teams++
		for r := 5; ; r++ {
			id, _ := f.GetCellValue(sh, cell(1, r))
			if id == "" || id == "合计" {
				break
			}
			for _, c := range []int{7, 8, 9, 10, 13, 15, 16} {
				if fo, _ := f.GetCellFormula(sh, cell(c, r)); fo == "" {
					t.Errorf("%s %s: no formula", sh, cell(c, r))
				}
			}
			if fo, _ := f.GetCellFormula(sh, cell(11, r)); fo != "" {
				t.Errorf("%s %s: the paid share must be a value, not %q", sh, cell(11, r), fo)
			}
			name, _ := f.GetCellValue(sh, cell(2, r))
			if fo, _ := f.GetCellFormula(sh, cell(2, r)); fo != "" {
				t.Errorf("a name became a formula: %q", fo)
			}
			if name == hostile {
				sawHostile = true
				if ty, _ := f.GetCellType(sh, cell(2, r)); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
					t.Errorf("hostile name cell type %v", ty)
				}
			}
			pay, _ := f.GetCellValue(sh, cell(16, r), excelize.Options{RawCellValue: true})
			if want, ok := pays[id]; !ok || !sameNumber(pay, want) {
				t.Errorf("%s %s pay %s, mart says %s", sh, id, pay, want)
			}
			checked++
		}
	}
	if teams < 2 || checked < 6 || !sawHostile {
		t.Fatalf("teams %d, techs %d, hostile name seen %v", teams, checked, sawHostile)
	}
	for _, want := range []string{"汇总", "返修扣款明细", "维修人员工作情况月统计表"} {
		if idx, _ := f.GetSheetIndex(want); idx < 0 {
			t.Errorf("no sheet %s", want)
		}
	}
	recalcMatches(t, p1)
}

// TestPayrollComebackSheet: every comeback of the month is a full row — its cause in Chinese and
// its charged technicians — also one with no shared fault system (an empty list, which DuckDB's
// array_to_string turns into NULL: the row lost its cause and technicians).
func TestPayrollComebackSheet(t *testing.T) {
	d := sampleDB(t)
	month := "2026-10"
	var order string
	if err := d.QueryRow(`SELECT min(order_no) FROM mart_comebacks WHERE store_id = 'S001' AND month = ? AND len(charged_tech_ids) > 0`, month).Scan(&order); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE mart_comebacks SET fault_systems = [], cause = 'parts_defect' WHERE store_id = 'S001' AND order_no = ?`, order); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	rows, err := d.Query(`SELECT order_no, array_to_string(charged_tech_ids, ', ') FROM mart_comebacks WHERE store_id = 'S001' AND month = ? AND len(charged_tech_ids) > 0`, month)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o, c string
		if err := rows.Scan(&o, &c); err != nil {
			t.Fatal(err)
		}
		want[o] = c
	}
	rows.Close()
	p := filepath.Join(t.TempDir(), "p.xlsx")
	if err := Payroll(t.Context(), d, "S001", month, "zh", p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := f.GetRows("返修扣款明细")
	seen := 0
	for _, r := range got[1:] {
		r = append(r, make([]string, 7)...)
		if w, ok := want[r[0]]; ok {
			seen++
			if r[6] != w {
				t.Errorf("comeback %s: charged %q, want %q", r[0], r[6], w)
			}
		}
		if r[0] == order && (r[4] != "" || r[5] != "配件不良") {
			t.Errorf("comeback %s with no shared system: systems %q, cause %q (want 配件不良)", order, r[4], r[5])
		}
	}
	if seen != len(want) || seen == 0 {
		t.Errorf("%d of %d charged comebacks in the sheet", seen, len(want))
	}
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) < 0.005
}

// recalcMatches recalculates the workbook with LibreOffice headless (forced recalculation on
// load) and checks that every formula cell's recalculated value equals the stored one. A
// tampered copy must come back corrected, which proves the recalculation really ran.
func recalcMatches(t *testing.T, path string) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("LibreOffice (soffice) is required in CI: .ci/run installs libreoffice-calc")
		}
		t.Skip("soffice not installed: the recalculation check needs libreoffice-calc")
	}
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	os.MkdirAll(filepath.Join(profile, "user"), 0o755)
	os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(`<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>`), 0o644)
	// tampered copy: one pay cell's cached value set wrong, and a share typed over by hand (its
	// formula gone), which the team's check and the summary's must find
	orig, _ := excelize.OpenFile(path)
	tampered := filepath.Join(dir, "tampered.xlsx")
	var tSheet, tCell, tFormula, checkRef string
	for _, sh := range orig.GetSheetList() {
		if strings.HasPrefix(sh, "班组") {
			tSheet, tCell = sh, "P5"
			tFormula, _ = orig.GetCellFormula(sh, tCell)
			orig.SetCellValue(sh, tCell, 99999.99)
			orig.SetCellFormula(sh, tCell, tFormula)
			orig.SetCellValue(sh, "K5", 1.23)
			rows, _ := orig.GetRows(sh)
			for r, row := range rows {
				if len(row) > 0 && row[0] == L("zh", "check") {
					checkRef = cell(11, r+1)
				}
			}
			// 1, shown by its number format as 一致 (excelize does not render text-only formats;
			// LibreOffice and Excel do)
			raw, _ := orig.GetCellValue(sh, checkRef, excelize.Options{RawCellValue: true})
			style, _ := orig.GetCellStyle(sh, checkRef)
			st, _ := orig.GetStyle(style)
			if raw != "1" || st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != `"一致";"不一致";"不一致"` {
				t.Errorf("%s!%s: %q in format %v, want 1 shown as 一致", sh, checkRef, raw, st)
			}
			break
		}
	}
	orig.SaveAs(tampered)
	orig.Close()
	outDir := filepath.Join(dir, "out")
	for _, in := range []string{path, tampered} {
		cmd := exec.Command(soffice, "-env:UserInstallation=file://"+profile, "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", outDir, in)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
	}
	a, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := excelize.OpenFile(filepath.Join(outDir, filepath.Base(path)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	n := 0
	for _, sh := range a.GetSheetList() {
		rows, _ := a.GetRows(sh)
		for r := range rows {
			for c := range rows[r] {
				ref := cell(c+1, r+1)
				if fo, _ := a.GetCellFormula(sh, ref); fo == "" {
					continue
				}
				want, _ := a.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
				got, _ := b.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
				if !sameValue(got, want) {
					t.Errorf("%s!%s (%s): stored %q, LibreOffice recalculates %q", sh, ref, fmt.Sprint(a.GetCellFormula(sh, ref)), want, got)
				}
				n++
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d formula cells compared", n)
	}
	c, err := excelize.OpenFile(filepath.Join(outDir, "tampered.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fixed, _ := c.GetCellValue(tSheet, tCell, excelize.Options{RawCellValue: true})
	want, _ := a.GetCellValue(tSheet, tCell, excelize.Options{RawCellValue: true})
	if !sameValue(fixed, want) {
		t.Errorf("LibreOffice did not recalculate the tampered cell: %q, want %q", fixed, want)
	}
	summary := c.GetSheetList()[0]
	for _, ref := range [][2]string{{tSheet, checkRef}, {summary, "J5"}} {
		if raw, _ := c.GetCellValue(ref[0], ref[1], excelize.Options{RawCellValue: true}); raw != "0" {
			t.Errorf("%s!%s after a share was typed over: %q, want 0 (不一致)", ref[0], ref[1], raw)
		}
	}
}

func sameValue(a, b string) bool {
	norm := func(s string) string {
		switch strings.ToUpper(s) {
		case "TRUE":
			return "1"
		case "FALSE":
			return "0"
		}
		return s
	}
	a, b = norm(a), norm(b)
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-6*math.Max(1, math.Abs(y))
}

// TestPayrollExceptionsNamed: the summary's exceptions name each check in the sheet's language
// with what to do, before the mart's detail.
func TestPayrollExceptionsNamed(t *testing.T) {
	d := sampleDB(t)
	if _, err := d.Exec(`INSERT INTO int_payroll_exceptions VALUES ('S001', '2026-10', 'no_attendance', 'warn', 1,
		'2026-10: T09999 had job lines but no attendance row, so ratio 0 and no share', 0)`); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"zh": "有派工无考勤", "en": "Job lines, no attendance"} {
		p := filepath.Join(t.TempDir(), lang+".xlsx")
		if err := Payroll(t.Context(), d, "S001", "2026-10", lang, p); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		f.Close()
		found := false
		for _, r := range rows {
			if len(r) > 1 && r[0] == want && strings.Contains(r[1], "T09999") && !strings.HasPrefix(r[1], "2026-10") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no exception row %q with a hint before the detail in %q", lang, want, rows)
		}
	}
}

// TestPayrollClosedAndDifferences: a closed month's workbook shows when and why it was closed,
// and the technicians whose recomputed pay differs; LoadPayroll of every store gives each store
// its own rows only, and the same workbook as the store's own load.
func TestPayrollClosedAndDifferences(t *testing.T) {
	d := testenv.Sample(t, 2, 2, nil)
	month := "2026-10"
	if _, err := transform.ClosePayroll(t.Context(), d, t.TempDir(), "S001", month, "十月工资已审批", time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// the difference a later transform would find (TestPayrollCloseDifferenceReopen computes it)
	for _, s := range []string{
		`INSERT INTO payroll_differences SELECT store_id, month, tech_id, tech_name, pay, pay + 875, 875, 'attendance ratio 0.75 → 1; share 80.77 → 100.00; new item'
			FROM mart_payroll WHERE month = '2026-10' AND tech_id IN (SELECT min(tech_id) FROM mart_payroll GROUP BY store_id)`,
		`INSERT INTO payroll_adjustments SELECT store_id, '2026-11', tech_id, 875, '2026-10', 'x' FROM payroll_differences`,
	} {
		if _, err := d.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	all, err := LoadPayroll(t.Context(), d, "", month)
	if err != nil || len(all) != 2 || all[0].Store != "S001" || all[1].Store != "S002" {
		t.Fatalf("LoadPayroll of every store: %d stores, %v", len(all), err)
	}
	dir := t.TempDir()
	for _, p := range all {
		for _, r := range p.rows {
			if !strings.HasPrefix(r.tech, "T") || r.closed != (p.Store == "S001") {
				t.Errorf("%s: row %s closed=%v", p.Store, r.tech, r.closed)
			}
		}
		if len(p.diffs) != 1 || len(p.techs) != len(p.rows) {
			t.Errorf("%s: %d differences, %d technicians' statistics for %d payroll rows", p.Store, len(p.diffs), len(p.techs), len(p.rows))
		}
		one, two := filepath.Join(dir, p.Store+"-one.xlsx"), filepath.Join(dir, p.Store+"-all.xlsx")
		if err := Payroll(t.Context(), d, p.Store, month, "zh", one); err != nil {
			t.Fatal(err)
		}
		if err := WritePayroll(p, "zh", two); err != nil {
			t.Fatal(err)
		}
		b1, _ := os.ReadFile(one)
		b2, _ := os.ReadFile(two)
		if !bytes.Equal(b1, b2) {
			t.Errorf("%s: the workbook from every store's load differs from the store's own", p.Store)
		}
		f, err := excelize.OpenFile(one)
		if err != nil {
			t.Fatal(err)
		}
		status, _ := f.GetCellValue(f.GetSheetList()[0], "B2")
		diff, _ := f.GetRows("关账后差异")
		f.Close()
		wantStatus := "未关账（数据更新后会变化）"
		if p.Store == "S001" {
			wantStatus = "已关账 2026-11-05 09:30（十月工资已审批）"
		}
		if status != wantStatus {
			t.Errorf("%s: status %q, want %q", p.Store, status, wantStatus)
		}
		if len(diff) != 2 || diff[1][0] != p.diffs[0].id || diff[1][4] != "¥875.00" || diff[1][6] != "2026-11" ||
			diff[1][5] != "出勤系数 0.75 → 1；实发分配额 80.77 → 100.00；new item" {
			t.Errorf("%s: difference sheet %q", p.Store, diff)
		}
	}
}

// TestWhy: every item transform's writeDifferences writes reads in Chinese (and as written in English).
func TestWhy(t *testing.T) {
	for in, want := range map[string]string{
		"pool 350.00 → 350.01; attendance ratio 0.75 → 1; points 3 → 4; share 80.77 → 100.00; top-up 1.00 → 0.00; comebacks 1 → 0": "奖金池 350.00 → 350.01；出勤系数 0.75 → 1；点数 3 → 4；实发分配额 80.77 → 100.00；保底补差 1.00 → 0.00；返修次数 1 → 0",
		"no longer in the payroll with the current data": "按现有数据已不在工资表中",
		"not in the closed payroll":                      "不在已关账的工资表中",
		"shares 1 → 2":                                   "shares 1 → 2",
		"":                                               "",
	} {
		if got := Why("zh", in); got != want {
			t.Errorf("Why(zh, %q) = %q, want %q", in, got, want)
		}
		if got := Why("en", in); got != in {
			t.Errorf("Why(en, %q) = %q", in, got)
		}
	}
}

// TestPayrollWithoutTechnicians: a store whose technicians were never loaded has no payroll, and
// the error says so and what to load — not only "check the store id and month".
func TestPayrollWithoutTechnicians(t *testing.T) {
	d := testenv.Sample(t, 2, 2, func(d *sql.DB) {
		if _, err := d.Exec(`DELETE FROM raw_technicians WHERE store_id = 'S001'`); err != nil {
			t.Fatal(err)
		}
	})
	err := Payroll(t.Context(), d, "S001", "2026-10", "en", filepath.Join(t.TempDir(), "p.xlsx"))
	if err == nil || !strings.Contains(err.Error(), "no technicians of store S001 are loaded") {
		t.Errorf("S001 without technicians: %v", err)
	}
	if err := NoTechnicians(t.Context(), d, "S002"); err != nil {
		t.Errorf("S002 has technicians: %v", err)
	}
	// a mistyped store id has no technicians either: the message is about the id, not them
	if err := NoTechnicians(t.Context(), d, "s001"); err != nil {
		t.Errorf("s001, a store with no work orders: %v", err)
	}
}
