package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/db"
)

// patchZipPart rewrites one part of a zip file (a workbook's sheet XML) with edit.
func patchZipPart(t *testing.T, path, part string, edit func(string) string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == part {
			b, found = []byte(edit(string(b))), true
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	zr.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("%s has no part %s", path, part)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A number cell holds a double, and Excel writes a typed 1.005 into the file as
// 1.0049999999999999 (2.675 as 2.6749999999999998): read as written and rounded half-up, the
// amount lost a cent against what the sheet shows and what Excel's ROUND gives. Number cells are
// read at Excel's 15 significant digits — in XLSX, Excel 2003 XML and Parquet doubles — while the
// same digits typed as text are taken as written, and a number of 15 digits or fewer is unchanged.
func TestSpreadsheetNumbersAtExcelsDigits(t *testing.T) {
	dir := t.TempDir()
	header := []any{"门店编号", "工单号", "车架号", "维修类别", "进厂时间", "工单状态", "工时费", "材料费", "其他费用"}
	q := `SELECT order_no, labor_amount::VARCHAR, parts_amount::VARCHAR, other_amount::VARCHAR FROM raw_work_orders ORDER BY 1`
	want := []string{"W1|1.01|2.68|1.00", "W2|0.29|1234.57|0.28", "W3|0.30|10.13|0.00"}

	// XLSX: excelize writes 1.005 as "1.005"; the file is then given Excel's digits
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &header)
	for i, r := range [][]any{{1.005, 2.675, "1.0049999999999999"}, {0.285, 1234.565, "0.28499999999999998"}, {0.1, 10.125, 0}} {
		row := append([]any{"S001", fmt.Sprintf("W%d", i+1), "LSVAB4180N2123456", "保养", "2026-03-05 09:00", "在修"}, r...)
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row)
	}
	xlsx := saveBook(t, f, dir, "wo.xlsx")
	patchZipPart(t, xlsx, "xl/worksheets/sheet1.xml", func(s string) string {
		for from, to := range map[string]string{"1.005": "1.0049999999999999", "2.675": "2.6749999999999998", "0.285": "0.28499999999999998",
			"1234.565": "1234.5650000000001", "0.1": "0.30000000000000004"} {
			if !strings.Contains(s, "<v>"+from+"</v>") {
				t.Fatalf("the sheet has no number %s: %s", from, s)
			}
			s = strings.Replace(s, "<v>"+from+"</v>", "<v>"+to+"</v>", 1)
		}
		return s
	})
	e := newEnv(t)
	expectCounts(t, e.ingest(xlsx, Options{}), StatusLoaded, 3, 3, 0, 0)
	expectRows(t, "xlsx", e.rows(q), want)

	// Excel 2003 XML: ss:Type="Number" as Excel writes it; a String is text
	cell := func(typ, v string) string { return `<Cell><Data ss:Type="` + typ + `">` + v + `</Data></Cell>` }
	var rows strings.Builder
	for i, r := range [][3]string{{"1.0049999999999999", "2.6749999999999998", "S1.0049999999999999"}, {"0.28499999999999998", "1234.5650000000001", "S0.28499999999999998"},
		{"0.30000000000000004", "10.125", "N0"}} {
		rows.WriteString("<Row>" + cell("String", "S001") + cell("String", fmt.Sprintf("W%d", i+1)) + cell("String", "LSVAB4180N2123456") +
			cell("String", "保养") + cell("String", "2026-03-05 09:00") + cell("String", "在修") + cell("Number", r[0]) + cell("Number", r[1]))
		if r[2][0] == 'S' {
			rows.WriteString(cell("String", r[2][1:]))
		} else {
			rows.WriteString(cell("Number", r[2][1:]))
		}
		rows.WriteString("</Row>")
	}
	var hdr strings.Builder
	for _, h := range header {
		hdr.WriteString(cell("String", h.(string)))
	}
	xml := filepath.Join(dir, "wo.xls")
	os.WriteFile(xml, []byte(`<?xml version="1.0" encoding="UTF-8"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="工单"><Table><Row>`+hdr.String()+`</Row>`+rows.String()+`</Table></Worksheet></Workbook>`), 0o644)
	e = newEnv(t)
	expectCounts(t, e.ingest(xml, Options{}), StatusLoaded, 3, 3, 0, 0)
	expectRows(t, "xml", e.rows(q), want)

	// Parquet: doubles, as a data frame writes money (a total computed a few units of the last
	// place below 1.005, whose shortest text is 1.0049999999999997); text is exact
	pq := filepath.Join(dir, "wo.parquet")
	if _, err := e.db.Exec(fmt.Sprintf(`COPY (SELECT * FROM (VALUES
			('W1', nextafter(1.005::DOUBLE, 0), nextafter(2.675::DOUBLE, 0), '1.0049999999999999'),
			('W2', nextafter(0.285::DOUBLE, 0), nextafter(1234.565::DOUBLE, 0), '0.28499999999999998'),
			('W3', 0.1::DOUBLE + 0.2::DOUBLE, 10.125::DOUBLE, '0')) v(order_no, labor_amount, parts_amount, other_amount),
			(SELECT 'S001' AS store_id, 'LSVAB4180N2123456' AS vin, '保养' AS order_type, TIMESTAMP '2026-03-05 09:00' AS opened_at, '在修' AS status))
			TO %s (FORMAT parquet)`, db.Quote(pq))); err != nil {
		t.Fatal(err)
	}
	e = newEnv(t)
	expectCounts(t, e.ingest(pq, Options{}), StatusLoaded, 3, 3, 0, 0)
	expectRows(t, "parquet", e.rows(q), want)
}

// A CSV saved from a sheet in Excel's accounting format holds "¥ -" or "-" for each zero. In an
// amount, where an empty cell is 0, the dash is read as 0; in a number without that default
// (attendance days) it is still a row error.
func TestAccountingZeroDash(t *testing.T) {
	dir := t.TempDir()
	wo := filepath.Join(dir, "wo.csv")
	os.WriteFile(wo, []byte("门店编号,工单号,车架号,维修类别,进厂时间,工单状态,工时费,材料费,其他费用,优惠金额\n"+
		"S001,W1,LSVAB4180N2123456,保养,2026-03-05 09:00,在修,\" ¥1,200.00 \",\" ¥ -   \", - ,¥-\n"+
		"S001,W2,LSVAB4180N2123456,保养,2026-03-05 09:00,在修,--,0,0,0\n"), 0o644)
	e := newEnv(t)
	r := e.ingest(wo, Options{})
	expectCounts(t, r, StatusLoaded, 2, 1, 1, 0)
	expectRejects(t, r, "3:labor_amount")
	expectRows(t, "amounts", e.rows(`SELECT order_no, labor_amount::VARCHAR, parts_amount::VARCHAR, other_amount::VARCHAR, discount_amount::VARCHAR FROM raw_work_orders`),
		[]string{"W1|1200.00|0.00|0.00|0.00"})
	att := filepath.Join(dir, "att.csv")
	os.WriteFile(att, []byte("门店编号,月份,技师编号,出勤天数,应出勤天数\nS001,2026-03,T01,-,22\nS001,2026-03,T02,21.5,22\n"), 0o644)
	r = e.ingest(att, Options{})
	expectCounts(t, r, StatusLoaded, 2, 1, 1, 0)
	expectRejects(t, r, "2:days_worked")
}

// An Excel error value (#N/A from a VLOOKUP that found nothing, #DIV/0!) is a row error in any
// column, named as such: as an advisor or technician id it was loaded as one.
func TestExcelErrorValues(t *testing.T) {
	wo := filepath.Join(t.TempDir(), "wo.csv")
	os.WriteFile(wo, []byte("门店编号,工单号,车架号,维修类别,进厂时间,工单状态,服务顾问,工时费\n"+
		"S001,W1,LSVAB4180N2123456,保养,2026-03-05 09:00,在修,#N/A,100\n"+
		"S001,W2,LSVAB4180N2123456,保养,2026-03-05 09:00,在修,A01,#div/0!\n"+
		"S001,W3,LSVAB4180N2123456,保养,2026-03-05 09:00,在修,#A01,100\n"), 0o644)
	e := newEnv(t)
	r := e.ingest(wo, Options{})
	expectCounts(t, r, StatusLoaded, 3, 1, 2, 0)
	expectRejects(t, r, "2:advisor_id", "3:labor_amount")
	if len(r.Rejects) == 2 && !strings.Contains(r.Rejects[0].Reason, "holds #N/A, an Excel error value") {
		t.Errorf("reason %q", r.Rejects[0].Reason)
	}
	expectRows(t, "loaded", e.rows(`SELECT order_no, advisor_id FROM raw_work_orders`), []string{"W3|#A01"})
}

// A time cell with no date (an export that keeps the date in a column of its own) was loaded as
// 1899-12-31 and the time: it is a row error that says what it is.
func TestTimeCellWithoutDate(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"门店编号", "工单号", "车架号", "维修类别", "进厂时间", "交车时间", "工单状态"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"S001", "W1", "LSVAB4180N2123456", "保养", 0.6, 0.75, "在修"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"S001", "W2", "LSVAB4180N2123456", "保养", 46086.6, "14:30", "在修"})
	f.SetSheetRow("Sheet1", "A4", &[]any{"S001", "W3", "LSVAB4180N2123456", "保养", 46086.6, 46086.75, "在修"})
	p := saveBook(t, f, t.TempDir(), "wo.xlsx")
	e := newEnv(t)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 3, 1, 2, 0)
	expectRejects(t, r, "2:opened_at", "3:delivered_at")
	for _, rj := range r.Rejects {
		if !strings.Contains(rj.Reason, "is a time of day with no date") {
			t.Errorf("row %d: %q", rj.Row, rj.Reason)
		}
	}
	expectRows(t, "loaded", e.rows(`SELECT order_no, opened_at, delivered_at FROM raw_work_orders`), []string{"W3|2026-03-05 14:24:00|2026-03-05 18:00:00"})
}
