package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestMonthFromTheCommandLine: an attendance sheet (or a technicians roster) that gives its month
// in its title only (2026年9月考勤表) was rejected whole for a missing 月份 column, and the
// message said to rename a column. --month supplies the month, as --store supplies the store:
// it fills the column (or its empty cells), a different month in the file rejects the file, and
// without it the message names the month the title reads and the flag.
func TestMonthFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string { return writeText(t, dir, name, text) }
	titled := write("att.csv", "2026年9月考勤表,,,\n工号,姓名,出勤天数,应出勤天数\nT01,张三,22,22\nT02,李四,20.5,22\n")
	e := newEnv(t)

	r := e.ingest(titled, Options{Store: "S001"})
	expectCounts(t, r, StatusRejected, 0, 0, 0, 0)
	if !strings.Contains(r.Message, `it has no month (月份) column. The rows above the header read "2026年9月考勤表": if month (月份) is 2026-09 on every row, ingest the file with --month 2026-09`) {
		t.Errorf("message %q", r.Message)
	}
	named := write("考勤-2026年08月.csv", "工号,出勤天数,应出勤天数\nT01,22,22\n")
	if r := e.ingest(named, Options{Store: "S001"}); r.Status != StatusRejected ||
		!strings.Contains(r.Message, `The file's name reads "考勤-2026年08月.csv": if month (月份) is 2026-08 on every row, ingest the file with --month 2026-08`) {
		t.Errorf("%s: %s", r.Status, r.Message)
	}
	if r := e.ingest(write("attendance_2026-07.csv", "工号,出勤天数,应出勤天数\nT01,22,22\n"), Options{Store: "S001"}); !strings.Contains(r.Message, "ingest the file with --month 2026-07") {
		t.Errorf("%s: %s", r.Status, r.Message)
	}
	untitled := write("att2.csv", "工号,出勤天数,应出勤天数\nT01,22,22\n")
	if r := e.ingest(untitled, Options{Store: "S001"}); r.Status != StatusRejected ||
		!strings.Contains(r.Message, "it has no month (月份) column: if month (月份) is one month on every row, ingest the file with --month YYYY-MM") {
		t.Errorf("%s: %s", r.Status, r.Message)
	}

	r = e.ingest(titled, Options{Store: "S001", Month: "2026-09"})
	expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
	if !strings.Contains(r.Message, "month of 2 rows from --month 2026-09") {
		t.Errorf("message %q", r.Message)
	}
	expectRows(t, "attendance", e.rows(`SELECT month, tech_id, days_worked::VARCHAR, row_number FROM raw_attendance ORDER BY tech_id`),
		[]string{"2026-09|T01|22.00|3", "2026-09|T02|20.50|4"})

	// a month column: its empty cells are filled, another month rejects the file
	withCol := write("att3.csv", "门店编号,月份,工号,出勤天数,应出勤天数\nS001,2026年10月,T01,21,21\nS001,,T02,21,21\n")
	r = e.ingest(withCol, Options{Month: "2026-10"})
	expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
	expectRows(t, "october", e.rows(`SELECT month, tech_id FROM raw_attendance WHERE month = '2026-10' ORDER BY tech_id`),
		[]string{"2026-10|T01", "2026-10|T02"})
	other := write("att4.csv", "门店编号,月份,工号,出勤天数,应出勤天数\nS001,2026-10,T01,21,21\nS001,2026-11,T02,21,21\n")
	if r := e.ingest(other, Options{Month: "2026-10"}); r.Status != StatusRejected || r.Loaded != 0 ||
		!strings.Contains(r.Message, `row 3: month (月份) "2026-11" conflicts with --month 2026-10`) {
		t.Errorf("%s %d: %s", r.Status, r.Loaded, r.Message)
	}

	// a roster without 生效月份: in force from --month
	roster := write("techs.csv", "技师档案 2026.09,,,,\n工号,姓名,班组,级别,系数\nT01,张三,A,主修,4.5\n")
	r = e.ingest(roster, Options{Store: "S001", Month: "2026-09"})
	expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
	expectRows(t, "roster", e.rows(`SELECT tech_id, valid_from FROM raw_technicians`), []string{"T01|2026-09"})

	// an HR system's attendance sheet: 员工编号, 实际出勤天数
	hr := write("hr.csv", "月份,员工编号,姓名,实际出勤天数,应出勤天数\n2026-08,T01,张三,21,22\n")
	expectCounts(t, e.ingest(hr, Options{Store: "S001"}), StatusLoaded, 1, 1, 0, 0)
	expectRows(t, "hr", e.rows(`SELECT tech_id, days_worked::VARCHAR FROM raw_attendance WHERE month = '2026-08'`), []string{"T01|21.00"})

	roster2 := write("roster2.csv", "员工工号,姓名,所属班组,技师级别,技术系数,生效月份\nT02,李四,机电一组,副修,3.5,2026-08\n")
	expectCounts(t, e.ingest(roster2, Options{Store: "S001"}), StatusLoaded, 1, 1, 0, 0)
	expectRows(t, "roster2", e.rows(`SELECT tech_id, team_id, grade FROM raw_technicians WHERE tech_id = 'T02'`), []string{"T02|机电一组|deputy"})

	// --month does not touch a kind without a month column
	wo := write("wo.csv", "门店编号,工单号,车架号,维修类别,进厂时间,工单状态\nS001,W1,LSVAB4180N2123456,保养,2026-03-05 09:00,在修\n")
	expectCounts(t, e.ingest(wo, Options{Month: "2026-10"}), StatusLoaded, 1, 1, 0, 0)

	for _, c := range []struct{ rows, want string }{
		{"2026年9月考勤表", "2026-09"},
		{"考勤表（2026.9）", "2026-09"},
		{"2026/09 出勤", "2026-09"},
		{"考勤 2026-09-01 至 2026-09-30", ""}, // dates, not a month
		{"2026年9月 2026年10月", ""},           // two months
		{"2026年13月", ""},
		{"出勤表", ""},
	} {
		if got, _ := titleMonth([][]string{{c.rows}}); got != c.want {
			t.Errorf("titleMonth(%q) = %q, want %q", c.rows, got, c.want)
		}
	}
}

// TestHeaderRepeatedInTheData: an export written page by page repeats its header row, often with
// its title rows and a page number; such rows were rejected as row errors naming every column.
// They are skipped, counted as skipped, and the file's line says which. A row that only
// resembles one of them is data.
func TestHeaderRepeatedInTheData(t *testing.T) {
	dir := t.TempDir()
	p := writeText(t, dir, "wo.csv", "工单明细表,,,,,,\n"+
		",,导出日期 2026-03-31,,,,\n"+
		"门店编号,工单号,车架号,维修类别,进厂时间,工单状态,备注\n"+
		"S001,W1,LSVAB4180N2123456,保养,2026-03-05 09:00,在修,a\n"+
		"第 1 页 共 2 页,,,,,,\n"+
		"工单明细表\n"+
		" ,,导出日期 2026-03-31 ,,,,\n"+
		" 门店编号 ,工单号,车架号 ,维修类别,进厂时间,工单状态,\n"+
		"S001,W2,LSVAB4180N2123456,保养,2026-03-05 10:00,在修,b\n"+
		"第2页/共2页\n"+
		"门店编号,工单号,车架号,维修类别,进厂时间,在修,\n"+ // not the header: a data row's error
		"工单明细表,,,,,,x\n"+ // not the title
		"第 3 页 备注\n") // not a page number
	e := newEnv(t)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 10, 2, 3, 5)
	expectRejects(t, r, "11:vin", "12:order_no", "13:order_no")
	if !strings.Contains(r.Message, "5 rows repeat the header or a title row, or number a page (the first is row 5): skipped") {
		t.Errorf("message %q", r.Message)
	}
	stores := writeText(t, dir, "stores.csv", "门店编号 ,门店名称\nS001,一店\n门店编号,\u3000门店名称\nPage 2 of 2\n") // the header padded, its repeat not, and the other way round
	r = e.ingest(stores, Options{})
	expectCounts(t, r, StatusLoaded, 3, 1, 0, 2)
	if !strings.Contains(r.Message, "2 rows repeat the header or a title row, or number a page (the first is row 3): skipped") {
		t.Errorf("message %q", r.Message)
	}
	expectRows(t, "stores", e.rows(`SELECT store_id FROM raw_stores`), []string{"S001"})
	for _, c := range []struct {
		text string
		page bool
	}{{"第 1 页 共 2 页", true}, {"第1页，共2页", true}, {"共 5 页 第 3 页", true}, {"第12页", true}, {"Page 3 of 10", true}, {"page 3/10", true},
		{"第 3 页 备注", false}, {"共 5 页", false}, {"第一页", false}, {"页", false}} {
		if pageNumber.MatchString(c.text) != c.page {
			t.Errorf("%q: page number %v", c.text, !c.page)
		}
	}
}

// TestDateAndTimeInTwoColumns: an export that writes a timestamp as a date column and a time
// column of one stem (进厂日期, 进厂时间) loads the date at the time of day. Read alone, the time
// column (an alias) made every row an error ("a time of day with no date") and the date column
// was not read; an export with the date column alone (交车日期) had no column for it.
func TestDateAndTimeInTwoColumns(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "wo.csv")
	os.WriteFile(p, []byte("门店编号,工单号,车架号,维修类别,工单状态,进厂时间,进厂日期,交车日期,交车时间\n"+
		"S001,W1,LSVAB4180N2123456,保养,已交车,09:05,2026-03-05,2026/3/6,17:30:20\n"+
		"S001,W2,LSVAB4180N2123456,保养,已交车,,2026-03-05,2026-03-06,\n"+ // no time: midnight
		"S001,W3,LSVAB4180N2123456,保养,已交车,2026-03-05 10:00,,2026-03-06,2026-03-07 08:00\n"+ // the time column holds a date and time
		"S001,W4,LSVAB4180N2123456,保养,在修,25:00,2026-03-05,,\n"+ // not a time
		"S001,W5,LSVAB4180N2123456,保养,在修,8时30分,2026年3月5日,,\n"), 0o644)
	e := newEnv(t)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 5, 4, 1, 0)
	expectRejects(t, r, "5:opened_at")
	if len(r.Rejects) == 1 && r.Rejects[0].Raw != "25:00" {
		t.Errorf("reject's value %q, want the time cell's", r.Rejects[0].Raw)
	}
	if strings.Contains(r.Message, "Headers repeated") || strings.Contains(r.Message, "Columns not read") {
		t.Errorf("message %q", r.Message)
	}
	expectRows(t, "orders", e.rows(`SELECT order_no, strftime(opened_at, '%Y-%m-%d %H:%M:%S'), coalesce(strftime(delivered_at, '%Y-%m-%d %H:%M:%S'), '') FROM raw_work_orders ORDER BY 1`),
		[]string{"W1|2026-03-05 09:05:00|2026-03-06 17:30:20", "W2|2026-03-05 00:00:00|2026-03-06 00:00:00",
			"W3|2026-03-05 10:00:00|2026-03-07 08:00:00", "W5|2026-03-05 08:30:00|"})

	// a workbook: a date cell and a time cell (serials); headers of two stems are not a pair
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"门店编号", "工单号", "车架号", "维修类别", "工单状态", "开单日期", "开单时间", "交车日期"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"S001", "X1", "LSVAB4180N2123456", "保养", "在修", 46086, 0.6041666666666666, ""})
	f.SetSheetRow("Sheet1", "A3", &[]any{"S001", "X2", "LSVAB4180N2123456", "保养", "在修", 46086, "14:30", ""})
	f.SetSheetRow("Sheet1", "A4", &[]any{"S001", "X3", "LSVAB4180N2123456", "保养", "已交车", 46086, 46086.75, 46087})
	x := saveBook(t, f, dir, "wo.xlsx")
	r = e.ingest(x, Options{})
	expectCounts(t, r, StatusLoaded, 3, 3, 0, 0)
	expectRows(t, "workbook", e.rows(`SELECT order_no, strftime(opened_at, '%Y-%m-%d %H:%M:%S'), coalesce(strftime(delivered_at, '%Y-%m-%d %H:%M:%S'), '') FROM raw_work_orders WHERE order_no LIKE 'X%' ORDER BY 1`),
		[]string{"X1|2026-03-05 14:30:00|", "X2|2026-03-05 14:30:00|", "X3|2026-03-05 18:00:00|2026-03-06 00:00:00"})

	q := filepath.Join(dir, "wo2.csv")
	os.WriteFile(q, []byte("门店编号,工单号,车架号,维修类别,工单状态,进厂时间,开单日期\n"+
		"S001,Y1,LSVAB4180N2123456,保养,在修,2026-03-05 09:00,2026-03-04\n"), 0o644)
	r = e.ingest(q, Options{})
	expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
	if !strings.Contains(r.Message, "Headers repeated") {
		t.Errorf("two stems read as a pair: %q", r.Message)
	}
	expectRows(t, "two stems", e.rows(`SELECT strftime(opened_at, '%Y-%m-%d %H:%M') FROM raw_work_orders WHERE order_no = 'Y1'`), []string{"2026-03-05 09:00"})
}
