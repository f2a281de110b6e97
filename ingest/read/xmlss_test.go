package read

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// spreadsheetML is an Excel 2003 XML workbook as a DMS writes it: a hidden first sheet, a title
// merged across the columns, a header, cells placed by ss:Index (a column and a row skipped), a
// merge down, typed values, rich text, and a second visible sheet with a value.
const spreadsheetML = `<?xml version="1.0" encoding="%s"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Styles><Style ss:ID="s1"><Font ss:Bold="1"/></Style></Styles>
 <Worksheet ss:Name="参数"><Table><Row><Cell><Data ss:Type="String">内部</Data></Cell></Row></Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions></Worksheet>
 <Worksheet ss:Name="工单">
  <Table ss:ExpandedColumnCount="4" x:FullColumns="1">
   <Column ss:Width="80"/>
   <Row><Cell ss:MergeAcross="3" ss:StyleID="s1"><Data ss:Type="String">维修工单明细</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">门店编号</Data></Cell><Cell><Data ss:Type="String">工单号</Data></Cell><Cell><Data ss:Type="String">进厂时间</Data></Cell><Cell><Data ss:Type="String">工时费</Data></Cell></Row>
   <Row><Cell ss:MergeDown="1"><Data ss:Type="String">S1</Data></Cell><Cell><Data ss:Type="String">K1</Data></Cell><Cell><Data ss:Type="DateTime">2026-09-01T08:30:00.000</Data></Cell><Cell><Data ss:Type="Number">1234.5</Data></Cell></Row>
   <Row><Cell ss:Index="2"><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>K</B>2</ss:Data></Cell><Cell ss:Index="4"><Data ss:Type="Number">20</Data></Cell></Row>
   <Row ss:Index="6"><Cell><Data ss:Type="String">合计</Data></Cell><Cell ss:Formula="=COUNTA(R[-3]C:R[-2]C)"><Data ss:Type="Number">2</Data></Cell></Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Selected/></WorksheetOptions>
 </Worksheet>
 <Worksheet ss:Name="说明"><Table><Row><Cell><Data ss:Type="String">导出自 DMS</Data></Cell></Row></Table></Worksheet>
</Workbook>`

// TestXMLSpreadsheet: an Excel 2003 XML workbook named .xls or .xml is read as a workbook: its
// first visible sheet (the others named), rows numbered as Excel shows them (a skipped row
// blank), cells placed by ss:Index, merges repeated into the cells they cover, a date-time
// written as the DMS's text would be; its declared encoding (GB2312 read as GB18030); another
// sheet by name. Any other XML is rejected, an XHTML page read as a web page.
func TestXMLSpreadsheet(t *testing.T) {
	dir := t.TempDir()
	want := []string{"1|维修工单明细|维修工单明细|维修工单明细|维修工单明细", "2|门店编号|工单号|进厂时间|工时费", "3|S1|K1|2026-09-01 08:30:00|1234.5",
		"4|S1|K2||20", "5", "6|合计|2"}
	utf8 := strings.Replace(spreadsheetML, "%s", "UTF-8", 1)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(strings.Replace(spreadsheetML, "%s", "gb2312", 1))
	for name, c := range map[string]struct{ body, enc string }{"utf8.xls": {utf8, "utf-8"}, "gbk.xml": {gbk, "gb18030"}} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(c.body), 0o644)
		got, inf := readAll(t, p)
		if strings.Join(got, "\n") != strings.Join(want, "\n") || inf.Format != "xml" || inf.Encoding != c.enc || inf.Sheet != "工单" ||
			strings.Join(inf.Sheets, ",") != "参数,工单,说明" || strings.Join(inf.Others, ",") != "说明" {
			t.Errorf("%s: %s %s sheet %q of %v, others %v\n%s\nwant\n%s", name, inf.Format, inf.Encoding, inf.Sheet, inf.Sheets, inf.Others, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	p := filepath.Join(dir, "utf8.xls")
	if !SpreadsheetXML(p) || !SpreadsheetXML(filepath.Join(dir, "gbk.xml")) {
		t.Error("SpreadsheetXML: false for an Excel 2003 XML workbook")
	}
	s, err := Open(p, "说明")
	if err != nil {
		t.Fatal(err)
	}
	if cells, row, err := s.Next(); err != nil || row != 1 || strings.Join(cells, "|") != "导出自 DMS" {
		t.Errorf("--sheet 说明: %v %d %v", cells, row, err)
	}
	for name, c := range map[string]struct{ body, want string }{
		"other.xml":   {`<?xml version="1.0"?><config><a>1</a></config>`, "not an Excel 2003 XML spreadsheet (its root element is <config>)"},
		"nosheet.xls": {`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>`, "has no worksheet"},
		"back.xls": {`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="a"><Table><Row ss:Index="3"/><Row ss:Index="2"/></Table></Worksheet></Workbook>`,
			`row index "2" out of order or out of range`},
		"huge.xls": {`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="a"><Table><Row><Cell ss:MergeAcross="16000" ss:MergeDown="100000"><Data ss:Type="String">x</Data></Cell></Row></Table></Worksheet></Workbook>`,
			"merged cells cover more than"},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(c.body), 0o644)
		if name == "other.xml" && SpreadsheetXML(p) {
			t.Error("SpreadsheetXML: true for an XML file of another kind")
		}
		_, err := Open(p, "")
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a FileError saying %q", name, err, c.want)
		}
	}
	xhtml := filepath.Join(dir, "page.xls")
	os.WriteFile(xhtml, []byte(`<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><table><tr><td>门店编号</td><td>工单号</td></tr><tr><td>S1</td><td>K1</td></tr></table></body></html>`), 0o644)
	if got, inf := readAll(t, xhtml); strings.Join(got, "\n") != "1|门店编号|工单号\n2|S1|K1" || inf.Format != "html" {
		t.Errorf("an XHTML page: %s %v", inf.Format, got)
	}
}

// FuzzXMLSS: arbitrary bytes as an Excel 2003 XML workbook — no panic, no hang, increasing row
// numbers.
func FuzzXMLSS(f *testing.F) {
	f.Add([]byte(strings.Replace(spreadsheetML, "%s", "UTF-8", 1)))
	f.Add([]byte(`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row ss:Index="1048576"><Cell ss:Index="16384" ss:MergeDown="5"><Data>x</Data></Cell></Row></Table></Worksheet></Workbook>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x.xls")
		os.WriteFile(p, append([]byte("<?xml version=\"1.0\"?>"), data...), 0o644)
		drain(t, p)
	})
}

// TestXMLSheetsKept: the workbook is decoded as it is read, and only a sheet that can be picked
// keeps its rows — the first visible one (or the first, when every sheet is hidden), or the
// first sheet of the name asked for; the others keep only whether they hold a value, which the
// pick's "other sheets" note needs. The pick is the same as when every sheet was kept.
func TestXMLSheetsKept(t *testing.T) {
	ws := func(name, value string, hidden bool) string {
		s := `<Worksheet ss:Name="` + name + `"><Table>`
		if value != "" {
			s += `<Row><Cell><Data ss:Type="String">` + value + `</Data></Cell></Row>`
		}
		s += `</Table>`
		if hidden {
			s += `<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>`
		}
		return s + `</Worksheet>`
	}
	book := func(sheets ...string) string {
		return `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">` +
			strings.Join(sheets, "") + `</Workbook>`
	}
	for _, c := range []struct {
		name, body, sheet string
		kept              []string // the sheets with rows, in order
		want, others      string   // the picked sheet's first cell, the other sheets noted
	}{
		{"hidden first", book(ws("a", "1", true), ws("b", "2", false), ws("c", "", false), ws("d", "4", false)), "", []string{"a", "b"}, "2", "d"},
		{"all hidden", book(ws("a", "1", true), ws("b", "2", true)), "", []string{"a"}, "1", ""},
		{"visible first", book(ws("a", "1", false), ws("b", "2", false)), "", []string{"a"}, "1", "b"},
		{"by name, twice", book(ws("a", "1", false), ws("b", "2", true), ws("b", "3", false)), "b", []string{"b"}, "2", ""},
	} {
		sheets, _, err := parseXMLSS(strings.NewReader(c.body), int64(len(c.body)), c.sheet)
		var kept []string
		for _, s := range sheets {
			if s.rows != nil {
				kept = append(kept, s.name)
			}
		}
		if err != nil || strings.Join(kept, ",") != strings.Join(c.kept, ",") {
			t.Errorf("%s: sheets with rows %v, want %v (%v)", c.name, kept, c.kept, err)
		}
		p := filepath.Join(t.TempDir(), "book.xls")
		os.WriteFile(p, []byte(c.body), 0o644)
		s, err := Open(p, c.sheet)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cells, _, err := s.Next()
		if err != nil || len(cells) == 0 || cells[0] != c.want || strings.Join(s.Info().Others, ",") != c.others {
			t.Errorf("%s: first row %v (%v), others %v; want %s, others %q", c.name, cells, err, s.Info().Others, c.want, c.others)
		}
	}
}
