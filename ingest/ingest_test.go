package ingest

import (
	"cmp"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/aftersales/aftersales/internal/db"
)

type env struct {
	t    *testing.T
	db   *sql.DB
	lake string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d, err := db.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := EnsureSchema(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: d, lake: filepath.Join(t.TempDir(), "lake")}
}

// rebuilt is a new in-memory database rebuilt from e's lake.
func (e *env) rebuilt() *env {
	e.t.Helper()
	d, err := db.OpenMemory()
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { d.Close() })
	if _, err := Rebuild(e.t.Context(), d, e.lake, nil); err != nil {
		e.t.Fatal(err)
	}
	return &env{t: e.t, db: d, lake: e.lake}
}

func (e *env) ingest(path string, o Options) *Result {
	e.t.Helper()
	o.Lake = e.lake
	o.Now = func() time.Time { return time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC) }
	in := &Ingester{DB: e.db, Opts: o}
	res, err := in.File(e.t.Context(), path)
	if err != nil {
		e.t.Fatalf("ingest %s: %v", path, err)
	}
	if res.Read != res.Loaded+res.Rejected+res.Skipped {
		e.t.Errorf("%s: rows_read %d != loaded %d + rejected %d + skipped %d", path, res.Read, res.Loaded, res.Rejected, res.Skipped)
	}
	// the database row says the same as the result
	var read, loaded, rejected, skipped int
	var status string
	err = e.db.QueryRow(`SELECT status, rows_read, rows_loaded, rows_rejected, rows_skipped FROM ingest_files WHERE file_id = ?`, res.FileID).
		Scan(&status, &read, &loaded, &rejected, &skipped)
	if err != nil || status != res.Status || read != res.Read || loaded != res.Loaded || rejected != res.Rejected || skipped != res.Skipped {
		e.t.Errorf("ingest_files row differs from result: %v %s %d %d %d %d", err, status, read, loaded, rejected, skipped)
	}
	return res
}

func fixture(name string) string { return filepath.Join("testdata", name) }

// rows returns a query's rows as text, columns joined by '|'.
func (e *env) rows(q string, args ...any) []string {
	e.t.Helper()
	r, err := e.db.Query(q, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	cols, _ := r.Columns()
	var out []string
	for r.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = text(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func expectRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// writeText writes text into dir as name and returns its path.
func writeText(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// saveBook writes a workbook into dir as name and returns its path.
func saveBook(t *testing.T, f *excelize.File, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func expectCounts(t *testing.T, r *Result, status string, read, loaded, rejected, skipped int) {
	t.Helper()
	if r.Status != status || r.Read != read || r.Loaded != loaded || r.Rejected != rejected || r.Skipped != skipped {
		t.Errorf("%s: got %s read %d loaded %d rejected %d skipped %d (%s); want %s %d %d %d %d",
			filepath.Base(r.Path), r.Status, r.Read, r.Loaded, r.Rejected, r.Skipped, r.Message, status, read, loaded, rejected, skipped)
	}
}

func expectRejects(t *testing.T, r *Result, want ...string) {
	t.Helper()
	var got []string
	for _, rj := range r.Rejects {
		got = append(got, fmt.Sprintf("%d:%s", rj.Row, rj.Column))
	}
	expectRows(t, "rejects of "+filepath.Base(r.Path), got, want)
}

func TestGBKWorkOrders(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("gbk_work_orders.csv"), Options{})
	expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
	if r.Encoding != "gb18030" || r.Kind != "work_orders" || r.Store != "S001" {
		t.Errorf("encoding %q kind %q store %q", r.Encoding, r.Kind, r.Store)
	}
	expectRows(t, "raw_work_orders", e.rows(`SELECT order_no, customer_name, plate, order_type, appointment, opened_at, promised_at, delivered_at, status,
		is_comeback, labor_amount::VARCHAR, parts_amount::VARCHAR, discount_amount::VARCHAR, row_number FROM raw_work_orders ORDER BY order_no`), []string{
		"WO0001|张三|沪A12345|maintenance|true|2026-03-05 14:30:00|2026-03-05 17:00:00|2026-03-05 16:45:00|delivered|false|1234.50|800.00|34.50|2",
		"WO0002|李四|沪B54321|repair|false|2026-03-06 09:00:00|NULL|NULL|open|false|300.00|0.00|0.00|3",
	})
}

func TestGBKUndecodableByteRejectsFile(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("gbk_bad_byte.csv"), Options{})
	// record 2 was read; record 3 (line 3) holds the bad bytes; nothing is loaded
	expectCounts(t, r, StatusRejected, 1, 0, 1, 0)
	if !strings.Contains(r.Message, "line 3") {
		t.Errorf("message does not name line 3: %s", r.Message)
	}
	expectRows(t, "raw rows", e.rows(`SELECT count(*) FROM raw_work_orders`), []string{"0"})
}

// Excel's "Unicode text" export: UTF-16 with a byte-order mark (little- or big-endian),
// tab-delimited, Chinese headers; an unpaired surrogate rejects the file naming its line.
func TestUTF16TextExport(t *testing.T) {
	text := "门店编号\t门店名称\t区域\t品牌\r\nS001\t上海浦东大众4S店\t华东区\t大众\r\nS002\t杭州西湖丰田4S店\t华东区\t丰田\r\n"
	for _, order := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
		b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "门店.txt")
		os.WriteFile(p, b, 0o644)
		e := newEnv(t)
		r := e.ingest(p, Options{})
		expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
		if r.Encoding != "utf-16" || r.Kind != "stores" {
			t.Errorf("encoding %q kind %q", r.Encoding, r.Kind)
		}
		expectRows(t, "raw_stores", e.rows(`SELECT store_id, store_name, region, brand, row_number FROM raw_stores ORDER BY 1`), []string{
			"S001|上海浦东大众4S店|华东区|大众|2", "S002|杭州西湖丰田4S店|华东区|丰田|3",
		})
	}
	b, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	b = append(b, 'S', 0, '3', 0, 0x00, 0xD8, '\t', 0, 'x', 0, '\n', 0) // S3, a lone high surrogate
	p := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(p, b, 0o644)
	r := newEnv(t).ingest(p, Options{})
	if r.Status != StatusRejected || !strings.Contains(r.Message, "line 4") || !strings.Contains(r.Message, "not UTF-16") {
		t.Errorf("damaged UTF-16: %s %q", r.Status, r.Message)
	}
}

func TestUTF8BOMStores(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("bom_stores.csv"), Options{})
	expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
	if r.Encoding != "utf-8-bom" || r.Kind != "stores" {
		t.Errorf("encoding %q kind %q", r.Encoding, r.Kind)
	}
	expectRows(t, "raw_stores", e.rows(`SELECT store_id, store_name, region, brand FROM raw_stores ORDER BY 1`), []string{
		"S001|上海浦东大众4S店|华东区|大众", "S002|杭州西湖丰田4S店|华东区|丰田",
	})
}

func TestDateForms(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("date_forms.csv"), Options{})
	expectCounts(t, r, StatusLoaded, 7, 5, 2, 0)
	expectRejects(t, r, "7:opened_at", "8:opened_at")
	expectRows(t, "dates", e.rows(`SELECT order_no, opened_at, delivered_at, labor_amount::VARCHAR FROM raw_work_orders ORDER BY 1`), []string{
		"D01|2026-03-05 14:30:00|2026-03-05 18:00:00|100.00",
		"D02|2026-03-05 14:30:00|2026-03-06 00:00:00|100.00",
		"D03|2026-03-05 00:00:00|2026-03-05 09:15:00|100.00",
		"D04|2026-03-05 14:30:00|2026-03-05 18:00:00|123.00",
		"D05|2026-03-05 14:30:00|2026-03-05 18:00:00|100.00",
	})
}

func TestWorkOrderRowRules(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("work_orders_rules.csv"), Options{})
	expectCounts(t, r, StatusLoaded, 13, 1, 10, 2)
	expectRejects(t, r, "2:phone", "3:vin", "4:vin", "5:vin", "6:delivered_at", "7:order_type", "8:delivered_at",
		"9:labor_amount", "10:labor_amount", "13:completed_at")
	expectRows(t, "R10", e.rows(`SELECT order_no, vin, phone, order_type, appointment, opened_at, completed_at, delivered_at, is_comeback,
		comeback_cause, labor_amount::VARCHAR, parts_amount::VARCHAR, other_amount::VARCHAR, discount_amount::VARCHAR, mileage_km, file_id, row_number FROM raw_work_orders`), []string{
		"R10|LSVAA4180E2123456|013800138000|warranty|true|2026-03-02 08:00:00|2026-03-02 11:00:00|2026-03-02 12:00:00|true|parts_defect|1234.50|200.01|0.00|10.00|12345|1|12",
	})
	// rejects are stored with file, row, column, raw value and reason
	expectRows(t, "ingest_rejects", e.rows(`SELECT row_number, column_name, raw_value FROM ingest_rejects WHERE row_number IN (2, 10) ORDER BY 1`), []string{
		"2|phone|1.38E+10", "10|labor_amount|(12.5)",
	})
}

func TestXLSXTitleRowsSerialDates(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("title_serial.xlsx"), Options{})
	// header in row 3; rows 4–9: X01, X02 (phone text 1.38E+10), X03 (phone number 138.5), blank, X04, 合计
	expectCounts(t, r, StatusLoaded, 6, 2, 2, 2)
	expectRejects(t, r, "5:phone", "6:phone")
	if r.Rejects[0].Reason == "" || r.Sheet != "Sheet1" {
		t.Errorf("reject reason %q sheet %q", r.Rejects[0].Reason, r.Sheet)
	}
	// X02's phone is text in scientific notation, X03's a number cell (the cell's type decides)
	if len(r.Rejects) == 2 && (!strings.Contains(r.Rejects[0].Reason, "scientific") || !strings.Contains(r.Rejects[1].Reason, "number cell")) {
		t.Errorf("reasons %q, %q", r.Rejects[0].Reason, r.Rejects[1].Reason)
	}
	expectRows(t, "raw", e.rows(`SELECT order_no, phone, order_type, opened_at, delivered_at, status, appointment, labor_amount::VARCHAR, row_number FROM raw_work_orders ORDER BY 1`), []string{
		"X01|13800138000|maintenance|2026-03-05 14:30:00|2026-03-05 18:00:00|delivered|true|1234.50|4",
		"X04|NULL|repair|2026-03-07 09:00:00|2026-03-07 17:30:00|delivered|false|100.00|8",
	})
}

func TestXLSXMergedHeader(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("merged_header.xlsx"), Options{})
	expectCounts(t, r, StatusLoaded, 3, 2, 1, 0)
	expectRejects(t, r, "4:coefficient") // apprentice 1.2 is outside 0.1–1.0
	if !strings.Contains(r.Rejects[0].Reason, "apprentice band") {
		t.Errorf("reason %q", r.Rejects[0].Reason)
	}
	expectRows(t, "raw_technicians", e.rows(`SELECT tech_id, tech_name, team_id, grade, coefficient::VARCHAR, base_wage::VARCHAR, valid_from FROM raw_technicians ORDER BY 1`), []string{
		"T001|王师傅|A组|lead|4.5|4500.00|2026-01",
		"T003|赵师傅|A组|assistant|2.5|3000.00|2026-01",
	})
}

// A workbook whose first sheet is a cover page: the rejection names the sheet read and the
// others, and --sheet reads the right one.
func TestXLSXHeaderOnAnotherSheet(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "封面")
	f.NewSheet("门店")
	f.SetSheetRow("门店", "A1", &[]any{"门店编号", "门店名称"})
	f.SetSheetRow("门店", "A2", &[]any{"S001", "上海浦东大众4S店"})
	p := saveBook(t, f, t.TempDir(), "cover.xlsx")
	e := newEnv(t)
	r := e.ingest(p, Options{})
	if r.Status != StatusRejected || !strings.Contains(r.Message, `This was sheet "Sheet1"; the workbook also has "门店": give --sheet NAME`) {
		t.Errorf("%s %q", r.Status, r.Message)
	}
	r = e.ingest(p, Options{Sheet: "门店"})
	expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
}

// TestWorkbookSheetsLoadedOneByOne: a workbook read by its default sheet names its other
// visible sheets that hold values (not a hidden one, not an empty Sheet3); each of them is then
// loaded by --sheet and is no duplicate of the first, while the same sheet again — by its name,
// or as the default — is one. Two sheets of one kind and store get lake files of their own, and
// a rebuild from the lake gives the same rows.
func TestWorkbookSheetsLoadedOneByOne(t *testing.T) {
	f := excelize.NewFile()
	orders := []any{"门店编号", "工单号", "VIN", "维修类别", "进厂时间", "工单状态", "工时费"}
	f.SetSheetName("Sheet1", "九月工单")
	f.SetSheetRow("九月工单", "A1", &orders)
	f.SetSheetRow("九月工单", "A2", &[]any{"S1", "K1", "LSVAA4180E2123456", "机修", "2026-09-01 08:00", "在修", 10})
	f.NewSheet("隐藏")
	f.SetCellValue("隐藏", "A1", "lookup")
	f.SetSheetVisible("隐藏", false)
	f.NewSheet("回访")
	f.SetSheetRow("回访", "A1", &[]any{"门店编号", "回访编号", "工单号", "回访时间", "是否接通"})
	f.SetSheetRow("回访", "A2", &[]any{"S1", "C1", "K1", "2026-09-02 08:00", "是"})
	f.NewSheet("十月工单")
	f.SetSheetRow("十月工单", "A1", &orders)
	f.SetSheetRow("十月工单", "A2", &[]any{"S1", "K2", "LSVAA4180E2123456", "机修", "2026-10-01 08:00", "在修", 20})
	f.NewSheet("Sheet3")
	p := saveBook(t, f, t.TempDir(), "book.xlsx")
	e := newEnv(t)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
	if want := `Only sheet "九月工单" of this workbook was read; it also has "回访", "十月工单", not read`; !strings.HasPrefix(r.Message, want) {
		t.Errorf("message %q, want it to start %q", r.Message, want)
	}
	for _, c := range []struct {
		sheet, status string
	}{{"", StatusDuplicate}, {"回访", StatusLoaded}, {"十月工单", StatusLoaded}, {"九月工单", StatusDuplicate}, {"回访", StatusDuplicate}} {
		r := e.ingest(p, Options{Sheet: c.sheet})
		if r.Status != c.status || (c.status == StatusLoaded && (r.Loaded != 1 || r.Message != "")) {
			t.Errorf("--sheet %q: %s, loaded %d, %q; want %s", c.sheet, r.Status, r.Loaded, r.Message, c.status)
		}
	}
	if r := e.ingest(p, Options{Sheet: "回访"}); !strings.Contains(r.Message, `(sheet "回访"), loaded before`) {
		t.Errorf("duplicate sheet: %q", r.Message)
	}
	want := []string{"K1|10.00", "K2|20.00"}
	expectRows(t, "orders of two sheets", e.rows(`SELECT order_no, labor_amount::VARCHAR FROM raw_work_orders ORDER BY 1`), want)
	expectRows(t, "their lake files", e.rows(`SELECT count(DISTINCT lake_files[1]) FROM ingest_files WHERE kind = 'work_orders'`), []string{"2"})
	expectRows(t, "rebuilt", e.rebuilt().rows(`SELECT order_no, labor_amount::VARCHAR FROM raw_work_orders ORDER BY 1`), want)
	expectRows(t, "rebuilt callbacks", e.rebuilt().rows(`SELECT callback_id, order_no FROM raw_callbacks`), []string{"C1|K1"})
}

// An empty file, or a workbook whose first sheet is empty, says so (and names the other sheets);
// a file with values but no header shows its first row.
func TestEmptyAndHeaderlessFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for name, body := range map[string]string{"empty.csv": "", "bom.csv": "\ufeff\r\n,,\r\n"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if r := e.ingest(p, Options{}); r.Status != StatusRejected || !strings.Contains(r.Message, "the file is empty") {
			t.Errorf("%s: %s %q", name, r.Status, r.Message)
		}
	}
	p := filepath.Join(dir, "nohead.csv")
	os.WriteFile(p, []byte("\n  \nfoo;bar\n1;2\n"), 0o644)
	if r := e.ingest(p, Options{}); r.Status != StatusRejected || !strings.Contains(r.Message, `the first row with values reads "foo | bar"`) {
		t.Errorf("nohead.csv: %s %q", r.Status, r.Message)
	}
	f := excelize.NewFile()
	f.NewSheet("门店")
	f.SetSheetRow("门店", "A1", &[]any{"门店编号", "门店名称"})
	f.SetSheetRow("门店", "A2", &[]any{"S001", "上海浦东大众4S店"})
	px := saveBook(t, f, dir, "blank-first.xlsx")
	if r := e.ingest(px, Options{}); r.Status != StatusRejected || !strings.Contains(r.Message, `sheet "Sheet1" is empty`) || !strings.Contains(r.Message, `also has "门店"`) {
		t.Errorf("blank-first.xlsx: %s %q", r.Status, r.Message)
	}
}

// A hidden first sheet is passed over: the first visible sheet is "the first sheet".
func TestXLSXHiddenFirstSheet(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"meta", "v1"})
	f.NewSheet("门店")
	f.SetSheetRow("门店", "A1", &[]any{"门店编号", "门店名称"})
	f.SetSheetRow("门店", "A2", &[]any{"S001", "上海浦东大众4S店"})
	f.SetActiveSheet(1)
	if err := f.SetSheetVisible("Sheet1", false); err != nil {
		t.Fatal(err)
	}
	p := saveBook(t, f, t.TempDir(), "hidden.xlsx")
	e := newEnv(t)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
	if r.Sheet != "门店" {
		t.Errorf("read sheet %q, want 门店", r.Sheet)
	}
}

func TestXLSX1904Dates(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("date1904.xlsx"), Options{})
	expectCounts(t, r, StatusLoaded, 3, 2, 1, 0)
	expectRejects(t, r, "4:score")
	expectRows(t, "raw_callbacks", e.rows(`SELECT callback_id, called_at, reached, score, complaint FROM raw_callbacks ORDER BY 1`), []string{
		"C1|2026-03-05 14:30:00|true|5|false",
		"C2|2026-03-06 00:00:00|false|NULL|false",
	})
}

func TestLeadingZeroPartNumbers(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("parts_leading_zero.csv"), Options{})
	expectCounts(t, r, StatusLoaded, 4, 2, 1, 1)
	expectRejects(t, r, "4:part_no")
	expectRows(t, "raw_parts", e.rows(`SELECT part_no, part_name, unit_cost::VARCHAR, order_cycle_days, lead_time_days FROM raw_parts ORDER BY 1`), []string{
		"00123|机油滤清器|12.50|7|3", "8E0698151|刹车片|1234.50|14|5",
	})
}

// TestTextNamedXLS: tab-separated GBK text named .xls, as some DMS write their "Excel" exports,
// is read as the text it is (a real old workbook still says to save it as .xlsx: TestFileErrors).
// TestXMLSpreadsheetExport: an Excel 2003 XML workbook named .xls loads as a workbook: its
// title row passed over, its date-times and numbers read, a rejected row named by the row Excel
// shows (a skipped row counted), the sheet recorded; the same sheet again is a duplicate.
func TestXMLSpreadsheetExport(t *testing.T) {
	e := newEnv(t)
	cell := func(v string) string { return `<Cell><Data ss:Type="String">` + v + `</Data></Cell>` }
	row := func(no, opened, amount string) string {
		return "<Row>" + cell("S1") + cell(no) + cell("LSVAA4180E2123456") + cell("机修") + `<Cell><Data ss:Type="DateTime">` + opened + `</Data></Cell>` +
			cell("在修") + `<Cell><Data ss:Type="Number">` + amount + "</Data></Cell></Row>"
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="工单"><Table><Row><Cell ss:MergeAcross="6">` + "<Data ss:Type=\"String\">工单明细</Data></Cell></Row><Row>" +
		cell("门店编号") + cell("工单号") + cell("VIN") + cell("维修类别") + cell("进厂时间") + cell("工单状态") + cell("工时费") + "</Row>" +
		row("K1", "2026-09-01T08:00:00.000", "1234.5") + `<Row ss:Index="5"/>` + row("K2", "2026-09-02T09:30:00.000", "12.345.6") + row("K3", "2026-09-03T00:00:00.000", "80") +
		"</Table></Worksheet></Workbook>"
	p := filepath.Join(t.TempDir(), "工单导出.xls")
	os.WriteFile(p, []byte(body), 0o644)
	r := e.ingest(p, Options{})
	// rows 3 (K1), 4 (blank), 5 (blank, ss:Index), 6 (K2, rejected), 7 (K3)
	expectCounts(t, r, StatusLoaded, 5, 2, 1, 2)
	expectRejects(t, r, "6:labor_amount")
	if r.Format != "xml" || r.Sheet != "工单" {
		t.Errorf("format %q sheet %q", r.Format, r.Sheet)
	}
	expectRows(t, "raw", e.rows(`SELECT order_no, opened_at::VARCHAR, labor_amount::VARCHAR FROM raw_work_orders ORDER BY 1`),
		[]string{"K1|2026-09-01 08:00:00|1234.50", "K3|2026-09-03 00:00:00|80.00"})
	if r := e.ingest(p, Options{}); r.Status != StatusDuplicate {
		t.Errorf("again: %s %s", r.Status, r.Message)
	}
}

func TestTextNamedXLS(t *testing.T) {
	e := newEnv(t)
	body, _ := simplifiedchinese.GB18030.NewEncoder().String("门店编号\t工单号\tVIN\t维修类别\t进厂时间\t工单状态\t工时费\r\nS1\tK1\tLSVAA4180E2123456\t机修\t2026-09-01 08:00\t在修\t1,234.50\r\n")
	p := filepath.Join(t.TempDir(), "工单导出.xls")
	os.WriteFile(p, []byte(body), 0o644)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
	if r.Format != "csv" || r.Encoding != "gb18030" {
		t.Errorf("format %q encoding %q", r.Format, r.Encoding)
	}
	expectRows(t, "raw", e.rows(`SELECT order_no, order_type, status, labor_amount::VARCHAR FROM raw_work_orders`), []string{"K1|repair|open|1234.50"})
}

func TestFileErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		file, store, want string
		read              int
	}{
		{"missing_column.csv", "", "required column(s) opened_at (进厂时间) are missing. Accepted headers (case, spaces, full-width forms and a unit like (元) do not matter): opened_at: opened_at / 进厂时间 / 开单时间 / 接车时间", 0},
		{"unknown_header.csv", "", `vin: vin / 车架号 / 底盘号 / VIN码 / 车辆识别代号 / 车辆识别号 / 车辆识别码. Headers of that row not recognised: "车辆识别码XX", "备注"`, 0},
		{"renamed.xls", "", "save it as .xlsx", 0},
		{"html_as.xls", "", `no header row of any input kind found in the first 30 rows (the first row with values reads "工单号")`, 0}, // (read as the web page it is)
		{"renamed_xls.xlsx", "", "save it as .xlsx", 0},
		{"encrypted.xlsx", "", "this workbook is protected by a password (encrypted)", 0},
		{"attendance_nostore.csv", "", "--store", 0},
		{"store_conflict.csv", "S001", "conflicts with --store S001", 2},
	}
	for _, c := range cases {
		r := e.ingest(fixture(c.file), Options{Store: c.store})
		expectCounts(t, r, StatusRejected, c.read, 0, c.read, 0)
		if !strings.Contains(r.Message, c.want) {
			t.Errorf("%s: message %q does not say %q", c.file, r.Message, c.want)
		}
	}
	expectRows(t, "nothing loaded", e.rows(`SELECT (SELECT count(*) FROM raw_work_orders) + (SELECT count(*) FROM raw_attendance)`), []string{"0"})
	// a rejected file may be retried: not a duplicate
	r := e.ingest(fixture("attendance_nostore.csv"), Options{Store: "S001"})
	expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
	expectRows(t, "attendance", e.rows(`SELECT store_id, month, tech_id, days_worked::VARCHAR, days_scheduled::VARCHAR FROM raw_attendance ORDER BY tech_id`), []string{
		"S001|2026-03|T1|20.50|22.00", "S001|2026-03|T2|22.00|22.00",
	})
}

func TestDuplicateAndReexport(t *testing.T) {
	e := newEnv(t)
	r1 := e.ingest(fixture("reexport_v1.csv"), Options{})
	expectCounts(t, r1, StatusLoaded, 2, 2, 0, 0)
	r2 := e.ingest(fixture("reexport_v1.csv"), Options{})
	expectCounts(t, r2, StatusDuplicate, 0, 0, 0, 0)
	expectRows(t, "after duplicate", e.rows(`SELECT order_no, labor_amount::VARCHAR, status, file_id FROM raw_work_orders ORDER BY 1`), []string{
		"E1|100.00|delivered|1", "E2|50.00|open|1",
	})
	r3 := e.ingest(fixture("reexport_v2.csv"), Options{})
	expectCounts(t, r3, StatusLoaded, 3, 3, 0, 0)
	expectRows(t, "after re-export", e.rows(`SELECT order_no, labor_amount::VARCHAR, status, file_id, row_number FROM raw_work_orders ORDER BY 1`), []string{
		"E1|110.00|delivered|3|2", "E2|50.00|delivered|3|3", "E3|0.00|open|3|4",
	})
	expectRows(t, "ingest_files", e.rows(`SELECT file_id, status FROM ingest_files ORDER BY 1`), []string{"1|loaded", "2|duplicate", "3|loaded"})
}

func TestRebuildGivesIdenticalTables(t *testing.T) {
	e := newEnv(t)
	for _, f := range []string{"gbk_work_orders.csv", "reexport_v1.csv", "reexport_v2.csv", "reexport_v1.csv", "merged_header.xlsx", "missing_column.csv", "title_serial.xlsx", "date1904.xlsx", "parts_leading_zero.csv"} {
		e.ingest(fixture(f), Options{})
	}
	e2 := e.rebuilt()
	tables := []string{"ingest_files", "ingest_rejects"}
	for _, k := range Kinds() {
		tables = append(tables, "raw_"+k.Name)
	}
	for _, tb := range tables {
		q := fmt.Sprintf(`SELECT * FROM %s ORDER BY ALL`, tb)
		expectRows(t, tb+" after rebuild", e2.rows(q), e.rows(q))
	}
}

// A Parquet export bigger than a read batch and with several row groups is read batch by batch
// (not held whole) and every row arrives once, with its record number: row groups of 50,000
// rows (DuckDB's ROW_GROUP_SIZE) against batches of 64 Ki rows, so batches end inside groups.
func TestParquetInputInBatches(t *testing.T) {
	e := newEnv(t)
	pq := filepath.Join(t.TempDir(), "parts.parquet")
	if _, err := e.db.Exec(fmt.Sprintf(`COPY (SELECT 'S001' AS store_id, printf('P%%06d', i) AS part_no, 'part ' || i AS part_name,
			(i %% 1000 + 1) / 4 AS unit_cost FROM range(140000) t(i) ORDER BY i) TO %s (FORMAT parquet, ROW_GROUP_SIZE 50000)`, db.Quote(pq))); err != nil {
		t.Fatal(err)
	}
	r := e.ingest(pq, Options{})
	expectCounts(t, r, StatusLoaded, 140000, 140000, 0, 0)
	expectRows(t, "rows across batches", e.rows(`SELECT count(*), count(DISTINCT part_no), min(row_number), max(row_number),
			max(CASE WHEN row_number = part_no[2:]::INTEGER + 2 THEN 0 ELSE 1 END) FROM raw_parts`),
		[]string{"140000|140000|2|140001|0"})
	expectRows(t, "values at the edges", e.rows(`SELECT part_no, part_name, unit_cost::VARCHAR FROM raw_parts
			WHERE part_no IN ('P000000', 'P049999', 'P050000', 'P065535', 'P065536', 'P139999') ORDER BY 1`), []string{
		"P000000|part 0|0.25", "P049999|part 49999|250.00", "P050000|part 50000|0.25",
		"P065535|part 65535|134.00", "P065536|part 65536|134.25", "P139999|part 139999|250.00",
	})
}

func TestParquetInput(t *testing.T) {
	e := newEnv(t)
	e.ingest(fixture("work_orders_rules.csv"), Options{})
	e.ingest(fixture("gbk_work_orders.csv"), Options{})
	pq := filepath.Join(t.TempDir(), "export.parquet")
	if _, err := e.db.Exec(fmt.Sprintf(`COPY (SELECT * EXCLUDE (file_id, row_number) FROM raw_work_orders ORDER BY order_no) TO %s (FORMAT parquet)`, db.Quote(pq))); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t)
	r := e2.ingest(pq, Options{})
	expectCounts(t, r, StatusLoaded, 3, 3, 0, 0)
	q := `SELECT * EXCLUDE (file_id, row_number) FROM raw_work_orders ORDER BY order_no`
	expectRows(t, "parquet round trip", e2.rows(q), e.rows(q))
}

// A Parquet timestamp that carries a time zone holds an instant: it is read as the local time of
// that instant in the stores' zone (Options.Zone; nil: UTC+8), not as the digits of its UTC
// reading — 07:30 on 1 April in Shanghai is 23:30 on 31 March in UTC, another day and month. A
// timestamp without a zone is read as it is; the file's line names the columns read as instants.
// A floating-point NaN (the missing number of data-frame writers) is an empty cell.
func TestParquetInstants(t *testing.T) {
	pq := filepath.Join(t.TempDir(), "wo.parquet")
	w := newEnv(t)
	if _, err := w.db.Exec(fmt.Sprintf(`COPY (SELECT 'S001' AS store_id, 'WO' || i AS order_no, 'LSVAB4180N2123456' AS vin,
			'保养' AS order_type, '已交车' AS status, TIMESTAMP '2026-03-31 20:00:00' AS opened_at,
			TIMESTAMPTZ '2026-04-01 07:30:00+08' + i * INTERVAL 1 hour AS delivered_at,
			CASE WHEN i = 0 THEN TIMESTAMPTZ '2026-04-01 08:00:00+08' END AS promised_at,
			CASE WHEN i = 0 THEN 'NaN'::DOUBLE ELSE 12.5 END AS other_amount FROM range(2) t(i)) TO %s (FORMAT parquet)`, db.Quote(pq))); err != nil {
		t.Fatal(err)
	}
	q := `SELECT order_no, opened_at, delivered_at, promised_at, other_amount::VARCHAR FROM raw_work_orders ORDER BY order_no`
	for _, c := range []struct {
		zone string
		want []string
	}{
		{"", []string{"WO0|2026-03-31 20:00:00|2026-04-01 07:30:00|2026-04-01 08:00:00|0.00", "WO1|2026-03-31 20:00:00|2026-04-01 08:30:00|NULL|12.50"}},
		{"UTC", []string{"WO0|2026-03-31 20:00:00|2026-03-31 23:30:00|2026-04-01 00:00:00|0.00", "WO1|2026-03-31 20:00:00|2026-04-01 00:30:00|NULL|12.50"}},
		{"Asia/Shanghai", []string{"WO0|2026-03-31 20:00:00|2026-04-01 07:30:00|2026-04-01 08:00:00|0.00", "WO1|2026-03-31 20:00:00|2026-04-01 08:30:00|NULL|12.50"}},
	} {
		var zone *time.Location
		if c.zone != "" {
			var err error
			if zone, err = time.LoadLocation(c.zone); err != nil {
				t.Fatal(err)
			}
		}
		e := newEnv(t)
		r := e.ingest(pq, Options{Zone: zone})
		expectCounts(t, r, StatusLoaded, 2, 2, 0, 0)
		expectRows(t, "zone "+c.zone, e.rows(q), c.want)
		if want := "Column(s) delivered_at, promised_at hold timestamps with a time zone (instants): read as local time in " +
			cmp.Or(c.zone, "UTC+8"); r.Message != want+" (--timezone)" {
			t.Errorf("zone %q: message %q", c.zone, r.Message)
		}
	}
}

// TestEnumSpellings: a fixed-values cell is read by its declared spellings, a leading 已 or a
// trailing 系统 set aside (已完工, 发动机系统); a negation or a word holding two values is rejected,
// and the reason lists every accepted spelling.
func TestEnumSpellings(t *testing.T) {
	status := &WorkOrders.Columns[WorkOrders.Col("status")]
	orderType := &WorkOrders.Columns[WorkOrders.Col("order_type")]
	system := &OrderJobs.Columns[OrderJobs.Col("fault_system")]
	movement := &PartsMovements.Columns[PartsMovements.Col("movement_type")]
	for _, c := range []struct {
		col  *Column
		text string
		want string // "" = rejected
	}{
		{status, "完工", "completed"}, {status, "已完工", "completed"}, {status, " 已作废 ", "cancelled"}, {status, "已取消", "cancelled"},
		{status, "已出厂", "delivered"}, {status, "已交车", "delivered"}, {status, "DELIVERED", "delivered"},
		{status, "未完工", ""}, {status, "未出厂", ""}, {status, "已", ""}, {status, "交车", ""}, {status, "已已完工", ""},
		{orderType, "定期保养", "maintenance"}, {orderType, "首次保养", "maintenance"}, {orderType, "钣金喷漆", "body_paint"},
		{orderType, "事故车", "insurance"}, {orderType, "质保", "warranty"}, {orderType, "事故保养", ""}, {orderType, "保养系统", "maintenance"},
		{system, "发动机系统", "engine"}, {system, "电气系统", "electrical"}, {system, "电器", "electrical"}, {system, "系统", ""},
		{system, "发动机系", ""},
		{movement, "维修领料", "issue"}, {movement, "调拨入库", "transfer_in"}, {movement, "采购退货", "supplier_return"},
		{movement, "盘亏", ""}, {movement, "盘盈", ""},
		{&Technicians.Columns[Technicians.Col("grade")], "主修技师", "lead"}, {&Technicians.Columns[Technicians.Col("grade")], "学徒工", "apprentice"},
	} {
		got, ok := c.col.enumValue(c.text)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s %q = %q, %v; want %q", c.col.Name, c.text, got, ok, c.want)
		}
	}
	if got, want := status.EnumWords(), "cancelled 作废/取消; completed 完工; delivered 出厂/已交车/已结算; open 在修/待料/待检/歇工"; got != want {
		t.Errorf("EnumWords = %q, want %q", got, want)
	}
	// in a file: the reason names the spellings
	p := filepath.Join(t.TempDir(), "wo.csv")
	os.WriteFile(p, []byte("门店编号,工单号,VIN,维修类别,进厂时间,工单状态\nS1,A1,LSVAA4180E2123456,定期保养,2026-09-01 08:00,已完工\n"+
		"S1,A2,LSVAA4180E2123456,保养,2026-09-01 08:00,未完工\n"), 0o644)
	e := newEnv(t)
	r := e.ingest(p, Options{})
	expectCounts(t, r, StatusLoaded, 2, 1, 1, 0)
	if len(r.Rejects) != 1 || r.Rejects[0].Reason != `"未完工" is not a known status value (one of: `+status.EnumWords()+"); if it is the DMS's word for one of them, declare it in data/aliases.yaml (values: → status → the value) and ingest the file again with --reload" {
		t.Errorf("rejects %+v", r.Rejects)
	}
	expectRows(t, "loaded", e.rows(`SELECT order_no, order_type, status FROM raw_work_orders`), []string{"A1|maintenance|completed"})
}

// A Parquet file Arrow writes (pyarrow for pandas, Arrow Go) stores its Arrow schema, whose
// timestamp types say which columns carry a zone — Arrow Go's own isAdjustedToUTC flag is the
// wrong way round (set for a timestamp without a zone). With the stored schema the zone-aware
// column is an instant and the other is read as it is; without it, an Arrow Go file's flag is
// not trusted and both are read as they are (the reading before instants were converted).
func TestParquetInstantsArrowSchema(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "store_id", Type: arrow.BinaryTypes.String}, {Name: "callback_id", Type: arrow.BinaryTypes.String},
		{Name: "order_no", Type: arrow.BinaryTypes.String}, {Name: "reached", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "called_at", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "Asia/Shanghai"}},
		{Name: "resolved_at", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}},
	}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("S1")
	b.Field(1).(*array.StringBuilder).Append("C1")
	b.Field(2).(*array.StringBuilder).Append("K1")
	b.Field(3).(*array.BooleanBuilder).Append(true)
	// 07:30 on 1 April in Shanghai (23:30 on 31 March in UTC), and a wall-clock 07:30
	b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC).UnixNano()))
	b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(time.Date(2026, 4, 1, 7, 30, 0, 0, time.UTC).UnixNano()))
	rec := b.NewRecord()
	defer rec.Release()
	for _, c := range []struct {
		store bool
		want  string
	}{{true, "2026-04-01 07:30:00|2026-04-01 07:30:00"}, {false, "2026-03-31 23:30:00|2026-04-01 07:30:00"}} {
		p := filepath.Join(t.TempDir(), "cb.parquet")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		props := pqarrow.DefaultWriterProps()
		if c.store {
			props = pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
		}
		w, err := pqarrow.NewFileWriter(schema, f, nil, props)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t)
		r := e.ingest(p, Options{})
		expectCounts(t, r, StatusLoaded, 1, 1, 0, 0)
		expectRows(t, fmt.Sprintf("stored schema %v", c.store), e.rows(`SELECT called_at, resolved_at FROM raw_callbacks`), []string{c.want})
		if noted := strings.Contains(r.Message, "Column(s) called_at hold timestamps with a time zone"); noted != c.store {
			t.Errorf("stored schema %v: message %q", c.store, r.Message)
		}
	}
}

func TestKindDetection(t *testing.T) {
	for file, kind := range map[string]string{
		"gbk_work_orders.csv": "work_orders", "bom_stores.csv": "stores", "merged_header.xlsx": "technicians",
		"date1904.xlsx": "callbacks", "parts_leading_zero.csv": "parts", "attendance_nostore.csv": "attendance",
	} {
		e := newEnv(t)
		r := e.ingest(fixture(file), Options{Store: "S001"})
		if r.Kind != kind {
			t.Errorf("%s: detected %q, want %q", file, r.Kind, kind)
		}
	}
	// --kind forces the kind: attendance headers read as work orders lack the required columns
	e := newEnv(t)
	r := e.ingest(fixture("attendance_nostore.csv"), Options{Store: "S001", Kind: "work_orders"})
	if r.Status != StatusRejected {
		t.Errorf("forced kind: %s %s", r.Status, r.Message)
	}
}

func TestStrictRejectsFileWithBadRows(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("date_forms.csv"), Options{Strict: true})
	expectCounts(t, r, StatusRejected, 7, 0, 7, 0)
	if len(r.Rejects) != 2 {
		t.Errorf("row rejects kept: %d", len(r.Rejects))
	}
}

func TestManifestWritten(t *testing.T) {
	e := newEnv(t)
	r := e.ingest(fixture("bom_stores.csv"), Options{})
	if _, err := os.Stat(filepath.Join(ManifestDir(e.lake), "00000001.json")); err != nil {
		t.Error(err)
	}
	if len(r.LakeFiles) != 2 || r.LakeFiles[0] != "stores/store=S001/"+r.SHA256+".parquet" {
		t.Errorf("lake files %v", r.LakeFiles)
	}
}

// TestRepeatedKeysAndFilesInOneCall: a key twice in a file (the later row wins), the same file
// twice in one call (the second is a duplicate), and a batch of distinct keys (no dedupe window).
func TestRepeatedKeysAndFilesInOneCall(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	rep := filepath.Join(dir, "rep.csv")
	os.WriteFile(rep, []byte("store_id,order_no,vin,order_type,opened_at,status,labor_amount\nS1,K1,LSVAA4180E2123456,repair,2026-03-01 08:00,open,1\nS1,K2,LSVAA4180E2123456,repair,2026-03-01 08:00,open,2\nS1,K1,LSVAA4180E2123456,repair,2026-03-01 08:00,open,3\n"), 0o644)
	other := filepath.Join(dir, "other.csv")
	os.WriteFile(other, []byte("store_id,order_no,vin,order_type,opened_at,status,labor_amount\nS1,K3,LSVAA4180E2123456,repair,2026-03-01 08:00,open,4\n"), 0o644)
	copyOf := filepath.Join(dir, "copy.csv")
	b, _ := os.ReadFile(other)
	os.WriteFile(copyOf, b, 0o644)
	in := &Ingester{DB: e.db, Opts: Options{Lake: e.lake}}
	var got []*Result
	if err := in.Files(t.Context(), []string{rep, other, copyOf}, func(_ string, r *Result) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Status != StatusLoaded || got[0].Loaded != 3 || got[1].Status != StatusLoaded || got[2].Status != StatusDuplicate {
		t.Fatalf("results: %+v %+v %+v", got[0], got[1], got[2])
	}
	expectRows(t, "raw", e.rows(`SELECT order_no, labor_amount::VARCHAR, row_number FROM raw_work_orders ORDER BY 1`), []string{
		"K1|3.00|4", "K2|2.00|3", "K3|4.00|2",
	})
	// the repeat is told on the file's line and kept in ingest_files.message; a file without
	// one says nothing
	want := "1 row(s) repeat the key of an earlier row of this file and replaced it (the later row of a key is kept): the first, row 4, has the order_no K1 of row 2."
	if !strings.HasPrefix(got[0].Message, want) || got[1].Message != "" {
		t.Errorf("messages: %q, %q; want the first to start %q and the second empty", got[0].Message, got[1].Message, want)
	}
	expectRows(t, "ingest_files.message", e.rows(`SELECT file_id, message IS NULL OR message = '' FROM ingest_files ORDER BY 1`), []string{"1|false", "2|true", "3|false"})
}

// TestRepeatsCounted: every repeat of a key is counted, the first is named with its key (store_id
// left out of a longer key, an integer column as its number) and the row it repeats, in Chinese
// by default; a key that differs only in its last column is no repeat.
func TestRepeatsCounted(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "jobs.csv")
	os.WriteFile(path, []byte("门店编号,工单号,行号,故障系统,工时,技师编号\n"+
		"S1,A1,1,engine,1,T1\nS1,A1,2,engine,1,T1\nS1,A2,1,engine,1,T1\n"+
		"S1,A1,2,engine,2,T2\nS1,A1,2,engine,3,T3\nS1,A2,1,engine,4,T4\n合计,,,,12,\n"), 0o644)
	r := e.ingest(path, Options{Lang: "zh"})
	expectCounts(t, r, StatusLoaded, 7, 6, 0, 1)
	want := "3 行与本文件中前面某一行的键相同，取代了那一行（同一键保留后出现的一行）：第一处是第 5 行，工单号 order_no A1, 行号 line_no 2 与第 3 行相同。"
	if !strings.HasPrefix(r.Message, want) {
		t.Errorf("message %q, want it to start %q", r.Message, want)
	}
	expectRows(t, "raw", e.rows(`SELECT order_no, line_no, tech_id FROM raw_order_jobs ORDER BY 1, 2`), []string{"A1|1|T1", "A1|2|T3", "A2|1|T4"})
}

// TestUnreadColumnsNamed: a file without some optional columns a model computes with, and with
// headers that were not read, names both, and what an unread header may be; a file with every
// such column, or with no header left unread, says nothing.
func TestUnreadColumnsNamed(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	write := func(name, body string) string { return writeText(t, dir, name, body) }
	row := "S1,K1,LSVAA4180E2123456,机修,2026-09-01 08:00,2026-09-01 18:00,已交车"
	r := e.ingest(write("a.csv", "门店编号,工单号,VIN,维修类别,进厂时间,交车时间,工单状态,工时金额,材料金额(元),备注\n"+row+",100,200,x\n"), Options{})
	want := `Columns not read: "工时金额" (perhaps labor_amount), "材料金额(元)" (perhaps parts_amount), "备注". No column was read as appointment, advisor_id, promised_at, is_comeback, comeback_cause, labor_amount = 0, parts_amount = 0, other_amount = 0, discount_amount = 0: they are empty, or the value shown. If a column not read holds one of them, rename its header to an accepted name (` + "`aftersales columns work_orders`" + ` lists them) and ingest the file again`
	if r.Message != want {
		t.Errorf("message\n%q, want\n%q", r.Message, want)
	}
	// a yes/no column with a default shows it; columns without one are only empty
	r = e.ingest(write("cb.csv", "门店编号,回访编号,工单号,回访时间,是否接通,满意度,里程\nS1,C1,K1,2026-09-02 10:00,是,5,\n"), Options{})
	if want := `Columns not read: "里程". No column was read as fixed_ok, complaint = false, resolved_at: they are empty, or the value shown. If`; !strings.HasPrefix(r.Message, want) {
		t.Errorf("message\n%q, want it to start\n%q", r.Message, want)
	}
	r = e.ingest(write("mv.csv", "门店编号,单据号,配件编号,日期,类型,数量,是否缺件,备注\nS1,M1,P1,2026-09-02 10:00,领料,1,否,x\n"), Options{})
	if want := `Columns not read: "备注". No column was read as order_no: they are empty. If`; !strings.HasPrefix(r.Message, want) {
		t.Errorf("message\n%q, want it to start\n%q", r.Message, want)
	}
	full := "门店编号,工单号,VIN,维修类别,进厂时间,交车时间,工单状态,是否预约,服务顾问,预计交车时间,是否返修,返修原因,工时费,材料费,其他费用,优惠金额"
	for name, body := range map[string]string{
		"every column, and more": full + ",备注\n" + row + ",N,SA1,,N,,1,2,3,0,x\n",
		"nothing left unread":    "门店编号,工单号,VIN,维修类别,进厂时间,交车时间,工单状态\n" + row + "\n",
	} {
		if r := e.ingest(write("b.csv", body), Options{}); r.Status != StatusLoaded || r.Message != "" {
			t.Errorf("%s: %s %q", name, r.Status, r.Message)
		}
	}
	// a header repeated, or a header and the canonical name of the same column: the first read,
	// the other named (and not again as a column not read, whatever columns are missing)
	for body, want := range map[string]string{
		"门店编号,工单号,VIN,维修类别,进厂时间,交车时间,工单状态,工时费,工时费\n" + row + ",1,4\n":                               `Headers repeated: column 8 "工时费" and column 9 "工时费" are both labor_amount: column 8 was read, column 9 was not.`,
		full + ",工时费\n" + row + ",N,SA1,,N,,1,2,3,0,4\n":                                            `Headers repeated: column 13 "工时费" and column 17 "工时费" are both labor_amount: column 13 was read, column 17 was not.`,
		strings.Replace(full, "材料费", "材料费,parts_amount", 1) + "\n" + row + ",N,SA1,,N,,1,2,9,3,0\n": `Headers repeated: column 14 "材料费" and column 15 "parts_amount" are both parts_amount: column 14 was read, column 15 was not.`,
	} {
		r := e.ingest(write("c.csv", body), Options{})
		if !strings.HasPrefix(r.Message, want+" If a column not read holds something else, give it its own header (`aftersales columns work_orders` lists them)") {
			t.Errorf("repeated header: %q, want %q…", r.Message, want)
		}
	}
	for header, want := range map[string]string{"外加工金额": "other_amount", "优惠": "discount_amount", "折扣额": "discount_amount",
		"labour_amt": "labor_amount", "Parts Amt": "parts_amount", "备注": "", "费用合计": "", "金额": "", "am": ""} {
		got := ""
		if c := likelyColumn(header, []*Column{&WorkOrders.Columns[WorkOrders.Col("labor_amount")], &WorkOrders.Columns[WorkOrders.Col("parts_amount")],
			&WorkOrders.Columns[WorkOrders.Col("other_amount")], &WorkOrders.Columns[WorkOrders.Col("discount_amount")]}); c != nil {
			got = c.Name
		}
		if got != want {
			t.Errorf("likelyColumn(%q) = %q, want %q", header, got, want)
		}
	}
}

// TestKeySeen: the set finds exactly the hashes added before, across its growth from a pool's
// small array, with a zero hash and after being reused.
func TestKeySeen(t *testing.T) {
	for round := 0; round < 2; round++ {
		s := newKeySeen(10)
		for i := 0; i < 5000; i++ {
			if _, again := s.add(uint64(i)*0x9e3779b97f4a7c15, i+2); again {
				t.Fatalf("round %d: hash %d seen before it was added", round, i)
			}
		}
		for _, i := range []int{0, 1, 1023, 4999} {
			if row, again := s.add(uint64(i)*0x9e3779b97f4a7c15, 9999); !again || row != i+2 {
				t.Errorf("round %d: hash %d: again %v row %d, want row %d", round, i, again, row, i+2)
			}
		}
		if s.n != 5000 || len(s.slots) < 2*s.n {
			t.Errorf("round %d: %d keys in %d slots", round, s.n, len(s.slots))
		}
		s.release()
	}
}

// TestReexportInLaterBatchOfOneCall: batches of one file, into empty tables. The first file's
// DELETE is skipped (nothing loaded yet), the re-export's is not (its keys were loaded by the
// batch before), and a file of new keys skips it again; the rows equal separate calls'.
func TestReexportInLaterBatchOfOneCall(t *testing.T) {
	defer func(n int) { batchFiles = n }(batchFiles)
	batchFiles = 1
	var skipped []string
	testHookDeleteSkipped = func(kind string) { skipped = append(skipped, kind) }
	defer func() { testHookDeleteSkipped = nil }()
	var commits []string
	testHookCommit = func(files int) error { commits = append(commits, fmt.Sprint(files)); return nil }
	defer func() { testHookCommit = nil }()
	e := newEnv(t)
	threads := e.rows(`SELECT current_setting('threads')::VARCHAR`)
	dir := t.TempDir()
	other := filepath.Join(dir, "other.csv")
	os.WriteFile(other, []byte("store_id,order_no,vin,order_type,opened_at,status,labor_amount\nS1,K3,LSVAA4180E2123456,repair,2026-03-01 08:00,open,4\n"), 0o644)
	in := &Ingester{DB: e.db, Opts: Options{Lake: e.lake}}
	var got []*Result
	if err := in.Files(t.Context(), []string{fixture("reexport_v1.csv"), fixture("reexport_v2.csv"), other}, func(_ string, r *Result) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Status != StatusLoaded {
		t.Fatalf("results: %+v", got)
	}
	expectRows(t, "after re-export", e.rows(`SELECT order_no, labor_amount::VARCHAR, status, file_id, row_number FROM raw_work_orders ORDER BY 1`), []string{
		"E1|110.00|delivered|2|2", "E2|50.00|delivered|2|3", "E3|0.00|open|2|4", "K3|4.00|open|3|2",
	})
	expectRows(t, "DELETEs skipped", skipped, []string{"work_orders", "work_orders"})
	expectRows(t, "commits", commits, []string{"1", "1", "1"})
	expectRows(t, "threads after the ingest", e.rows(`SELECT current_setting('threads')::VARCHAR`), threads)
	// the replaced rows' dates are recorded for the incremental transform
	expectRows(t, "transform_dirty", e.rows(`SELECT store_id, count(*) FROM transform_dirty GROUP BY ALL`), []string{"S001|1"})
	// a second call finds the table not empty: a DELETE runs unless the key bounds show every
	// key new (bounds.go) — S001's WO0001… lie above its stored E1–E3; a re-export of E1–E3 does not
	skipped = nil
	if _, err := in.File(t.Context(), fixture("gbk_work_orders.csv")); err != nil {
		t.Fatal(err)
	}
	expectRows(t, "DELETEs skipped by the key bounds", skipped, []string{"work_orders"})
	skipped = nil
	if _, err := in.File(t.Context(), fixture("reexport_v1.csv")); err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 0 {
		t.Errorf("DELETE skipped for keys at or under the stored bound: %v", skipped)
	}
	expectRows(t, "one row per key", e.rows(`SELECT count(*) - count(DISTINCT (store_id, order_no)) FROM raw_work_orders`), []string{"0"})
}

// Batches commit without checkpointing (their rows go to DuckDB's log) and the ingest
// checkpoints once at the end, then puts the checkpoint threshold back as it was; the rows are
// in the database file, and a killed run's committed batches are kept by the log.
func TestIngestCheckpointsOnceAtTheEnd(t *testing.T) {
	defer func(n int) { batchFiles = n }(batchFiles)
	batchFiles = 1
	dir := t.TempDir()
	path := filepath.Join(dir, "a.duckdb")
	d, err := db.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureSchema(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	// a threshold every commit passes: without the deferral each commit would checkpoint
	if _, err := d.Exec(`CHECKPOINT; SET checkpoint_threshold = '1KB'`); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: d, lake: filepath.Join(dir, "lake")}
	threshold := e.rows(`SELECT current_setting('checkpoint_threshold')`)
	var logged []string
	testHookCommit = func(int) error {
		logged = append(logged, e.rows(`SELECT (wal_size <> '0 bytes')::VARCHAR FROM pragma_database_size()`)...)
		return nil
	}
	defer func() { testHookCommit = nil }()
	in := &Ingester{DB: d, Opts: Options{Lake: e.lake}}
	if err := in.Files(t.Context(), []string{fixture("reexport_v1.csv"), fixture("reexport_v2.csv"), fixture("gbk_work_orders.csv")}, func(string, *Result) {}); err != nil {
		t.Fatal(err)
	}
	testHookCommit = nil
	// before the second and third commits, the log holds the batches before them
	expectRows(t, "log before each commit", logged, []string{"false", "true", "true"})
	expectRows(t, "log after the ingest", e.rows(`SELECT wal_size FROM pragma_database_size()`), []string{"0 bytes"})
	expectRows(t, "threshold after the ingest", e.rows(`SELECT current_setting('checkpoint_threshold')`), threshold)
	want := e.rows(`SELECT count(*), sum(labor_amount)::VARCHAR FROM raw_work_orders`)
	d.Close()
	// a run killed after its commits: the log is replayed on opening
	d2, err := db.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	e2 := &env{t: t, db: d2, lake: e.lake}
	if _, err := d2.Exec(`SET checkpoint_threshold = '1TB'`); err != nil {
		t.Fatal(err)
	}
	e2.ingest(fixture("work_orders_rules.csv"), Options{})
	after := e2.rows(`SELECT count(*), sum(labor_amount)::VARCHAR FROM raw_work_orders WHERE file_id <= 3`)
	expectRows(t, "rows of the first ingest", after, want)
}

// The raw tables store each text column the way its declaration says (Column.Distinct): FSST for
// identifiers and names, a dictionary for the rest, whatever DuckDB's own analysis would prefer
// for these few rows.
func TestRawTextColumnsCompression(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(filepath.Join(dir, "a.duckdb"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := EnsureSchema(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: d, lake: filepath.Join(dir, "lake")}
	e.ingest(fixture("gbk_work_orders.csv"), Options{})
	if _, err := d.Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	got := e.rows(`SELECT column_name, string_agg(DISTINCT compression, ',') FROM pragma_storage_info('raw_work_orders')
		WHERE segment_type = 'VARCHAR' AND column_name IN ('order_no', 'vin', 'customer_name', 'store_id', 'order_type', 'status')
		GROUP BY ALL ORDER BY ALL`)
	expectRows(t, "compression of raw_work_orders text columns", got, []string{
		"customer_name|FSST", "order_no|FSST", "order_type|Dictionary", "status|Dictionary", "store_id|Dictionary", "vin|FSST",
	})
}

// The key index lives until the ingest ends; Go's soft memory limit must leave room for it, or
// the collector runs without pause once the index outgrows the fixed share (scale L: 351 → 282 s).
func TestMemoryLimitMakesRoomForKeyIndex(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(ingestHeapLimit))
	lk := &loadedKeys{byKind: map[string][]uint64{"work_orders": {}, "order_jobs": {}}, batch: map[string][]uint64{}}
	keys := make([]uint64, 1_000_000)
	for i := range keys {
		keys[i] = uint64(i) * 7
	}
	lk.pending("work_orders", keys, true)
	lk.pending("order_jobs", keys[:500_000], true)
	lk.add()
	// twice the index's 1.5 M keys of 8 bytes at least; its room to grow and the spare buffers
	// (here the 1 M-key batch buffer) at most
	if got, lo, hi := debug.SetMemoryLimit(-1), int64(ingestHeapLimit+16*1_500_000), int64(ingestHeapLimit+16*(1_500_000*5/4+1_000_000)); got < lo || got > hi {
		t.Fatalf("memory limit %d after indexing 1.5 M keys, want %d to %d", got, lo, hi)
	}
	if lk.disjoint("work_orders", []uint64{7}) || !lk.disjoint("work_orders", []uint64{8}) {
		t.Fatal("index lost its keys")
	}
}

func TestSortKeysMatchesSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 1023, 1024, 5000, 100_000} {
		a := make([]uint64, n)
		for i := range a {
			switch i % 3 {
			case 0:
				a[i] = r.Uint64()
			case 1:
				a[i] = r.Uint64() >> 40 // small values: high digits all zero
			default:
				a[i] = a[max(0, i-7)] // repeats
			}
		}
		want := slices.Clone(a)
		slices.Sort(want)
		tmp := sortKeys(a, nil)
		if !slices.Equal(a, want) {
			t.Fatalf("n = %d: radix sort differs from slices.Sort", n)
		}
		// again with the scratch it returned, over other values
		for i := range a {
			a[i] = r.Uint64() >> (i % 64)
		}
		want = slices.Sorted(slices.Values(a))
		if sortKeys(a, tmp); !slices.Equal(a, want) {
			t.Fatalf("n = %d: radix sort with reused scratch differs from slices.Sort", n)
		}
	}
}

// The index keeps each committed batch's keys aside and merges them only when a check needs the
// index (disjoint): then all of them in one merge, in place; the merged index stays sorted and
// holds every key (repeats included), the merged batches' buffers serve later batches, and the
// room made at the first merge keeps the index from moving at the next.
func TestKeyIndexMergesLazilyInPlaceAndReusesBuffers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lk := &loadedKeys{byKind: map[string][]uint64{"work_orders": {}}, unmerged: map[string][][]uint64{}, batch: map[string][]uint64{}}
	var all []uint64
	var buffers []*uint64
	batch := func(n int) {
		t.Helper()
		res := &Result{Loaded: n, keyHashes: make([]uint64, n)}
		for i := range res.keyHashes {
			res.keyHashes[i] = r.Uint64() % 20000 // repeats across batches
		}
		all = append(all, res.keyHashes...)
		keys, complete := lk.batchKeys([]*Result{res})
		if !complete || !slices.IsSorted(keys) {
			t.Fatalf("keys complete %v, sorted %v", complete, slices.IsSorted(keys))
		}
		buffers = append(buffers, &keys[:1][0])
		lk.pending("work_orders", keys, complete)
		lk.add()
	}
	for b := 0; b < 3; b++ {
		batch(5000 - b*100)
		lk.expect = 5 / float64(b+1) // five batches of about the same size
	}
	if n := len(lk.byKind["work_orders"]); n != 0 || len(lk.unmerged["work_orders"]) != 3 {
		t.Fatalf("merged before a check needed it: index %d keys, %d batches aside", n, len(lk.unmerged["work_orders"]))
	}
	check := func() {
		t.Helper()
		if lk.disjoint("work_orders", []uint64{20001, 30000}) != true || lk.disjoint("work_orders", []uint64{all[7]}) {
			t.Fatal("disjoint disagrees with the keys loaded")
		}
		if got, want := lk.byKind["work_orders"], slices.Sorted(slices.Values(all)); !slices.Equal(got, want) {
			t.Fatalf("the index holds %d keys, want the %d loaded, sorted", len(got), len(want))
		}
		if len(lk.unmerged["work_orders"]) != 0 {
			t.Fatal("batches left aside after a merge")
		}
	}
	check()
	index := &lk.byKind["work_orders"][0]
	// later batches: their keys in buffers of merged batches, and the index where it was
	batch(4700)
	batch(4600)
	if !slices.Contains(buffers[:3], buffers[3]) {
		t.Error("a later batch's keys did not reuse a merged batch's buffer")
	}
	check()
	if &lk.byKind["work_orders"][0] != index {
		t.Errorf("the index was moved at the second merge (capacity %d)", cap(lk.byKind["work_orders"]))
	}
}

// keyHash hashes an integer key part as its decimal text, like a text key part: the reference
// below is the plain definition (FNV-1a over each part's text, 0xff after each part).
func TestKeyHashMatchesReference(t *testing.T) {
	ref := func(k *Kind, r *Row) uint64 {
		h := uint64(14695981039346656037)
		for _, name := range k.Key {
			v := r.Values[k.Col(name)]
			s := v.S
			if s == "" && !v.Null {
				s = fmt.Sprint(v.I)
			}
			for _, c := range []byte(s) {
				h = (h ^ uint64(c)) * 1099511628211
			}
			h = (h ^ 0xff) * 1099511628211
		}
		return h
	}
	k := OrderJobs
	row := &Row{Kind: k, Values: make([]Value, len(k.Columns))}
	seen := map[uint64]bool{}
	for _, line := range []int64{0, 1, 12, -7, 1 << 40} {
		row.Values[k.Col("store_id")] = Value{S: "S001"}
		row.Values[k.Col("order_no")] = Value{S: "WO-1"}
		row.Values[k.Col("line_no")] = Value{I: line}
		got := keyHash(k, row)
		if want := ref(k, row); got != want {
			t.Errorf("line %d: keyHash %x, reference %x", line, got, want)
		}
		if seen[got] {
			t.Errorf("line %d: same hash as another line", line)
		}
		seen[got] = true
	}
}

// TestWrongKindNamesTheRightOne: a file given --kind of another kind is rejected whole with the
// kind it holds and how to load it.
func TestWrongKindNamesTheRightOne(t *testing.T) {
	e := newEnv(t)
	res := e.ingest(fixture("gbk_work_orders.csv"), Options{Kind: "parts"})
	if res.Status != StatusRejected || !strings.Contains(res.Message, "the file holds work_orders") || !strings.Contains(res.Message, "--kind work_orders") {
		t.Errorf("%s: %s", res.Status, res.Message)
	}
}

// TestReloadNamesDiffer: two reloads of one content at one instant of the clock (Windows' clock
// moves in steps of up to 15.6 ms) get lake files of their own.
func TestReloadNamesDiffer(t *testing.T) {
	now := time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC)
	if a, b := reloadName("abc", now), reloadName("abc", now); a == b || !strings.HasPrefix(a, "abc-reload") {
		t.Errorf("%s, %s", a, b)
	}
}

// TestReload: a re-export ingested before the export it corrects loses its keys to it; --reload
// loads it again as the latest, with lake files of its own, and it wins — also after a rebuild,
// and with the earlier load's lake file untouched. Without --reload it is a duplicate, and the
// same content twice in one --reload call loads once.
func TestReload(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	header := "门店编号,工单号,VIN,维修类别,进厂时间,工单状态,工时费\n"
	fixed, old := filepath.Join(dir, "fixed.csv"), filepath.Join(dir, "old.csv")
	os.WriteFile(fixed, []byte(header+"S1,K1,LSVAA4180E2123456,机修,2026-09-01 08:00,在修,110\n"), 0o644)
	os.WriteFile(old, []byte(header+"S1,K1,LSVAA4180E2123456,机修,2026-09-01 08:00,在修,100\nS1,K2,LSVAA4180E2123456,机修,2026-09-01 09:00,在修,50\n"), 0o644)
	e.ingest(fixed, Options{})
	e.ingest(old, Options{}) // by mistake after the correction
	expectRows(t, "the old export on top", e.rows(`SELECT order_no, labor_amount::VARCHAR FROM raw_work_orders ORDER BY 1`), []string{"K1|100.00", "K2|50.00"})
	if r := e.ingest(fixed, Options{}); r.Status != StatusDuplicate {
		t.Fatalf("without --reload: %s", r.Status)
	}
	in := &Ingester{DB: e.db, Opts: Options{Lake: e.lake, Reload: true}}
	var got []*Result
	if err := in.Files(t.Context(), []string{fixed, fixed}, func(_ string, r *Result) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Status != StatusLoaded || got[0].Loaded != 1 || got[1].Status != StatusDuplicate {
		t.Fatalf("--reload twice in one call: %+v %+v", got[0], got[1])
	}
	want := []string{"K1|110.00|4", "K2|50.00|2"}
	expectRows(t, "reloaded", e.rows(`SELECT order_no, labor_amount::VARCHAR, file_id FROM raw_work_orders ORDER BY 1`), want)
	expectRows(t, "rebuilt", e.rebuilt().rows(`SELECT order_no, labor_amount::VARCHAR, file_id FROM raw_work_orders ORDER BY 1`), want)
	expectRows(t, "lake files", e.rows(`SELECT file_id, lake_files[1] LIKE '%-reload%' FROM ingest_files WHERE status = 'loaded' ORDER BY 1`), []string{"1|false", "2|false", "4|true"})
	for _, f := range e.rows(`SELECT lake_files[1] FROM ingest_files WHERE status = 'loaded'`) {
		if _, err := os.Stat(filepath.Join(e.lake, f)); err != nil {
			t.Errorf("lake file %s: %v", f, err)
		}
	}
}

// TestReplacedNamed: each loaded file says which rows loaded before it replaced, by file, as if
// the files of a call were loaded one by one — the same whether they share a batch (the DELETE's
// rows told apart by key hash, the batch's own overlaps) or not; a key repeated within a file is
// its own note, not a replacement. Also for an integer key (job lines' line_no), whose key comes
// back from the DELETE as text.
func TestReplacedNamed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, header string, rows ...string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(header+strings.Join(rows, "\n")+"\n"), 0o644)
		return p
	}
	wo := "门店编号,工单号,VIN,维修类别,进厂时间,工单状态\n"
	order := func(no string) string { return "S1," + no + ",LSVAA4180E2123456,机修,2026-09-01 08:00,在修" }
	a := write("a.csv", wo, order("K1"), order("K2"), order("K3"), order("K4"))
	b := write("b.csv", wo, order("K3"), order("K4"), order("K5"), order("K6"))
	c := write("c.csv", wo, order("K5"), order("K6"), order("K7"), order("K1"), order("K7"), order("K3"))
	d := write("d.csv", wo, order("K6"), order("K8"))
	jh := "门店编号,工单号,行号,维修项目,故障系统,工时,工时费,维修技师\n"
	line := func(n string) string { return "S1,K1," + n + ",保养,engine,1.5,100,T1" }
	ja := write("ja.csv", jh, line("1"), line("2"))
	jb := write("jb.csv", jh, line("2"), line("3"))
	jc := write("jc.csv", jh, line("3"), line("12"))
	replaced := func(rs []Replaced) string {
		var s []string
		for _, r := range rs {
			s = append(s, fmt.Sprintf("%s:%d", filepath.Base(r.Path), r.Rows))
		}
		return strings.Join(s, " ")
	}
	for _, perBatch := range []int{batchFiles, 1} {
		t.Run(fmt.Sprintf("batch of %d", perBatch), func(t *testing.T) {
			defer func(n int) { batchFiles = n }(batchFiles)
			batchFiles = perBatch
			e := newEnv(t)
			call := func(o Options, paths ...string) map[string]string {
				t.Helper()
				o.Lake = e.lake
				got := map[string]string{}
				// (and Parsed is told of every file, in order, before its line)
				var parsed []string
				o.Parsed = func(p string) { parsed = append(parsed, p) }
				in := &Ingester{DB: e.db, Opts: o}
				if err := in.Files(t.Context(), paths, func(p string, r *Result) {
					if r.Status != StatusLoaded {
						t.Errorf("%s: %s %s", p, r.Status, r.Message)
					}
					if !slices.Contains(parsed, p) {
						t.Errorf("%s: its line before Parsed", p)
					}
					got[filepath.Base(p)] = replaced(r.Replaced)
				}); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(parsed, paths) {
					t.Errorf("Parsed told of %v, want %v", parsed, paths)
				}
				return got
			}
			want := func(got, want map[string]string) {
				t.Helper()
				if !maps.Equal(got, want) {
					t.Errorf("replaced: got %v, want %v", got, want)
				}
			}
			want(call(Options{}, a, ja), map[string]string{"a.csv": "", "ja.csv": ""})
			// b takes K3 and K4 from a; c takes K3, K5 and K6 from b and K1 from a (its K7 twice is
			// its own note); d takes K6 from c
			want(call(Options{}, b, c, d, jb, jc), map[string]string{"b.csv": "a.csv:2", "c.csv": "b.csv:3 a.csv:1", "d.csv": "c.csv:1", "jb.csv": "ja.csv:1", "jc.csv": "jb.csv:1"})
			expectRows(t, "current rows per file", e.rows(`SELECT file_id, count(*) FROM raw_work_orders GROUP BY 1 ORDER BY 1`), []string{"1|1", "3|1", "4|4", "5|2"})
			// a again, on top: K1 and K3 from c, K2 from its earlier load, K4 from b
			want(call(Options{Reload: true}, a), map[string]string{"a.csv": "c.csv:2 a.csv:1 b.csv:1"})
		})
	}
}

// TestReplacedBackward: a file that puts work orders back to an earlier status than the rows it
// replaces (delivered → completed or open, completed → open) counts them in Replaced.Backward,
// by the file that had loaded them — the mark of an older export loaded after a newer one. A
// step forward, a cancellation after delivery and an unchanged status are not counted; nor are
// rows a file of the same call replaces (only rows loaded before the batch).
func TestReplacedBackward(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows ...string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("门店编号,工单号,VIN,维修类别,进厂时间,完工时间,交车时间,工单状态\n"+strings.Join(rows, "\n")+"\n"), 0o644)
		return p
	}
	row := func(no, status string) string {
		switch status {
		case "完工":
			return "S1," + no + ",LSVAA4180E2123456,机修,2026-09-01 08:00,2026-09-01 12:00,," + status
		case "已交车", "作废":
			return "S1," + no + ",LSVAA4180E2123456,机修,2026-09-01 08:00,2026-09-01 12:00,2026-09-01 13:00," + status
		}
		return "S1," + no + ",LSVAA4180E2123456,机修,2026-09-01 08:00,,," + status
	}
	newer := write("newer.csv", row("K1", "已交车"), row("K2", "已交车"), row("K3", "完工"), row("K4", "已交车"), row("K5", "在修"), row("K6", "已交车"))
	other := write("other.csv", row("K7", "已交车"))
	// K1 delivered → open, K2 delivered → completed, K3 completed → open: back; K4 delivered →
	// cancelled, K5 open → delivered, K6 unchanged: not back. K7 delivered → open: back.
	older := write("older.csv", row("K1", "在修"), row("K2", "完工"), row("K3", "在修"), row("K4", "作废"), row("K5", "已交车"), row("K6", "已交车"), row("K7", "在修"))
	// within one call: a later file that puts back a row of the same call is not counted
	sameA := write("same_a.csv", row("K8", "已交车"))
	sameB := write("same_b.csv", row("K8", "在修"))
	e := newEnv(t)
	got := map[string][]Replaced{}
	call := func(paths ...string) {
		t.Helper()
		in := &Ingester{DB: e.db, Opts: Options{Lake: e.lake}}
		if err := in.Files(t.Context(), paths, func(p string, r *Result) {
			if r.Status != StatusLoaded || r.Rejected > 0 {
				t.Fatalf("%s: %s %s, %d rejected %v", p, r.Status, r.Message, r.Rejected, r.Rejects)
			}
			got[filepath.Base(p)] = r.Replaced
		}); err != nil {
			t.Fatal(err)
		}
	}
	call(newer, other)
	call(older)
	back := map[string]string{}
	for _, r := range got["older.csv"] {
		back[filepath.Base(r.Path)] = fmt.Sprintf("%d of %d", r.Backward, r.Rows)
	}
	if want := map[string]string{"newer.csv": "3 of 6", "other.csv": "1 of 1"}; !maps.Equal(back, want) {
		t.Errorf("older.csv put back %v, want %v", back, want)
	}
	call(sameA, sameB)
	for _, r := range got["same_b.csv"] {
		if r.Backward != 0 {
			t.Errorf("same_b.csv: %+v counted against a file of its own call", r)
		}
	}
	// a file that holds an order twice: its last row is the one loaded, and the one compared
	// (K9 delivered; then open and delivered again: not back; then delivered and open: back)
	call(write("k9.csv", row("K9", "已交车")))
	for _, c := range []struct {
		name, first, last string
		back              int
	}{{"k9_fwd.csv", "在修", "已交车", 0}, {"k9_back.csv", "已交车", "在修", 1}} {
		call(write(c.name, row("K9", c.first), row("K9", c.last)))
		if rs := got[c.name]; len(rs) != 1 || rs[0].Rows != 1 || rs[0].Backward != c.back {
			t.Errorf("%s (K9 %s, then %s): replaced %+v, want 1 row, %d put back", c.name, c.first, c.last, rs, c.back)
		}
	}
}
