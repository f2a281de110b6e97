package read

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/aftersales/aftersales/internal/parse"
)

// An Excel 2003 XML spreadsheet (SpreadsheetML: <Workbook
// xmlns="urn:schemas-microsoft-com:office:spreadsheet">), which some DMS write as their "Excel"
// export under an .xls or .xml name and which Excel and WPS open as a workbook, is read like a
// workbook: the first visible worksheet unless a sheet is named, rows numbered as Excel shows
// them (ss:Index skips rows and columns; a skipped row is a blank row, as in an XLSX sheet), and
// a merged cell (ss:MergeAcross, ss:MergeDown) gives its value to every cell it covers. Cell
// values are the text written: a number as written, a date-time as 2026-09-01 08:00:00.

const (
	nsSS    = "urn:schemas-microsoft-com:office:spreadsheet"
	nsExcel = "urn:schemas-microsoft-com:office:excel"
	// Excel's bounds: an index beyond them is a damaged file, not a reason to allocate
	maxXMLRows = 1 << 20
	maxXMLCols = 1 << 14
)

// xmlSheet is one worksheet as read: its cells by row, its merges, whether it is hidden.
type xmlSheet struct {
	name   string
	rows   [][]string // rows[i] is row i+1; nil: no cell (or a sheet not kept: parseXMLSS)
	merges []mergeRange
	hidden bool
	filled bool // a cell holds a value
}

// OpenXMLSS reads an XML file saved with a spreadsheet name: SpreadsheetML is read as a workbook,
// an XHTML page as a web page (OpenHTML); any other XML is rejected. The XML is decoded as it is
// read from the file (no bound on its size, and no copy of it in memory); only the cells are kept.
func OpenXMLSS(path, sheet string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errorf("cannot open: %v", err)
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	sheets, enc, err := parseXMLSS(bufio.NewReaderSize(f, 1<<16), size, sheet)
	if errors.Is(err, errXHTML) {
		return OpenHTML(path)
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range sheets {
		names = append(names, s.name)
	}
	if len(sheets) == 0 {
		return nil, Errorf("the Excel 2003 XML workbook has no worksheet")
	}
	var pick *xmlSheet
	var others []string
	if sheet == "" {
		// the first visible sheet, as in an XLSX workbook (xlsx.go); all hidden: the first
		for i := range sheets {
			s := &sheets[i]
			switch {
			case s.hidden:
			case pick == nil:
				pick = s
			case s.filled:
				others = append(others, s.name)
			}
		}
		if pick == nil {
			pick = &sheets[0]
		}
	} else {
		for i := range sheets {
			if sheets[i].name == sheet {
				pick = &sheets[i]
				break
			}
		}
		if pick == nil {
			return nil, Errorf("the workbook has no sheet %q (it has: %v)", sheet, names)
		}
	}
	if err := applyXMLMerges(pick); err != nil {
		return nil, err
	}
	return &gridSource{rows: pick.rows, inf: Info{Format: "xml", Encoding: enc, Sheet: pick.name, Sheets: names, Others: others}}, nil
}

var errXHTML = errors.New("xhtml")

// SpreadsheetXML reports whether the file at path begins as an Excel 2003 XML spreadsheet: its
// spreadsheet namespace within the first 4 kB (where a workbook declares it).
func SpreadsheetXML(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte(nsSS))
}

// parseXMLSS reads the worksheets of a SpreadsheetML document of size bytes, and the encoding it
// declared. Every sheet has its name, whether it is hidden and whether it holds a value; only a
// sheet OpenXMLSS may pick keeps its rows and merges — the one named sheet (the first of that
// name), or else the first sheet and the first visible one (a sheet's visibility is written after
// its rows, so the sheet being read keeps its rows until its end).
func parseXMLSS(r io.Reader, size int64, sheet string) ([]xmlSheet, string, error) {
	enc := "utf-8"
	d := xml.NewDecoder(r)
	d.Strict = false
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		enc = strings.ToLower(label)
		return charset.NewReaderLabel(label, r)
	}
	bad := func(err error) ([]xmlSheet, string, error) {
		return nil, "", Errorf("cannot read the Excel 2003 XML spreadsheet: %v (open it in Excel or WPS and save it as .xlsx)", err)
	}
	var sheets []xmlSheet
	var cur *xmlSheet
	// the cells a sheet may hold: a cell written takes 20 bytes or more, so a file that asks
	// for far more (a far ss:Index on every row) is damaged or crafted, not an export
	cells, maxCells := 0, int(max(4*size, 1<<20))
	kept := false   // a sheet that OpenXMLSS picks has kept its rows
	end := func() { // the end of the current sheet
		cur.filled = hasValue(cur.rows)
		keep := !kept && cur.name == sheet
		if sheet == "" {
			keep = !kept && !cur.hidden || len(sheets) == 1
		}
		if keep {
			kept = kept || sheet != "" || !cur.hidden
		} else {
			cur.rows, cur.merges = nil, nil
		}
		cur = nil
	}
	row, col := 0, 0 // the current row and the column of the next cell, 1-based
	var text strings.Builder
	inData, inVisible, root := false, false, true
	cell := struct{ across, down int }{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bad(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root {
				root = false
				switch {
				case strings.EqualFold(t.Name.Local, "html"):
					return nil, "", errXHTML
				case t.Name.Local != "Workbook" || t.Name.Space != nsSS:
					return nil, "", Errorf("this is an XML file but not an Excel 2003 XML spreadsheet (its root element is <%s>): open it in Excel or WPS and save it as .xlsx", t.Name.Local)
				}
				continue
			}
			switch {
			case t.Name.Local == "Worksheet" && t.Name.Space == nsSS:
				if cur != nil { // (a sheet in a sheet, in a damaged file)
					end()
				}
				sheets = append(sheets, xmlSheet{name: ssAttr(t, "Name")})
				cur, row, inData = &sheets[len(sheets)-1], 0, false
			case cur == nil:
			case t.Name.Local == "Row" && t.Name.Space == nsSS:
				next, err := ssIndex(t, row+1, maxXMLRows, "row")
				if err != nil {
					return bad(err)
				}
				row, col = next, 1
				for len(cur.rows) < row {
					cur.rows = append(cur.rows, nil)
				}
			case t.Name.Local == "Cell" && t.Name.Space == nsSS && row > 0:
				c, err := ssIndex(t, col, maxXMLCols, "column")
				if err != nil {
					return bad(err)
				}
				col = c
				cell.across, _ = strconv.Atoi(ssAttr(t, "MergeAcross"))
				cell.down, _ = strconv.Atoi(ssAttr(t, "MergeDown"))
				cell.across, cell.down = max(cell.across, 0), max(cell.down, 0)
				r := &cur.rows[row-1]
				if cells += max(col-len(*r), 0); cells > maxCells {
					return bad(fmt.Errorf("more cells than a file of %s holds", fmtBytes(uint64(size))))
				}
				for len(*r) < col {
					*r = append(*r, "")
				}
			case t.Name.Local == "Data" && t.Name.Space == nsSS && row > 0 && col > 0:
				inData = true
				text.Reset()
				text.WriteString("\x00" + ssAttr(t, "Type") + "\x00")
			case t.Name.Local == "Visible" && t.Name.Space == nsExcel:
				inVisible = true
				text.Reset()
			}
		case xml.CharData:
			if inData || inVisible {
				text.Write(t)
			}
		case xml.EndElement:
			switch {
			case cur == nil:
			case t.Name.Local == "Data" && t.Name.Space == nsSS && inData && row > 0 && row <= len(cur.rows):
				inData = false
				typ, v, _ := strings.Cut(strings.TrimPrefix(text.String(), "\x00"), "\x00")
				// (a Data outside a Cell, in a damaged file: at the row's next column)
				if r := &cur.rows[row-1]; col-1 < len(*r) {
					(*r)[col-1] = xmlValue(typ, v)
				} else if cells++; cells <= maxCells {
					*r = append(*r, xmlValue(typ, v))
				}
			case t.Name.Local == "Cell" && t.Name.Space == nsSS && row > 0:
				if cell.across > 0 || cell.down > 0 {
					cur.merges = append(cur.merges, mergeRange{c1: col, r1: row, c2: col + cell.across, r2: row + cell.down})
				}
				col += 1 + cell.across
				cell.across, cell.down = 0, 0
			case t.Name.Local == "Visible" && t.Name.Space == nsExcel && inVisible:
				inVisible = false
				v := strings.TrimSpace(text.String())
				cur.hidden = v == "SheetHidden" || v == "SheetVeryHidden"
			case t.Name.Local == "Worksheet" && t.Name.Space == nsSS:
				end()
			}
		}
	}
	if root {
		return bad(fmt.Errorf("no element"))
	}
	if cur != nil {
		end()
	}
	if enc == "gbk" || enc == "gb2312" {
		enc = "gb18030"
	}
	return sheets, enc, nil
}

// ssAttr is the value of an attribute in the spreadsheet namespace (ss:Name, ss:Index…), or of
// the same name without one.
func ssAttr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && (a.Name.Space == nsSS || a.Name.Space == "") {
			return a.Value
		}
	}
	return ""
}

// ssIndex is an element's ss:Index (a 1-based row or column), or next when it has none. An index
// may only move forward, and stays within Excel's bounds.
func ssIndex(t xml.StartElement, next, limit int, what string) (int, error) {
	s := ssAttr(t, "Index")
	if s == "" {
		if next > limit {
			return 0, fmt.Errorf("more than %d %ss", limit, what)
		}
		return next, nil
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || i < next || i > limit {
		return 0, fmt.Errorf("%s index %q out of order or out of range", what, s)
	}
	return i, nil
}

// xmlValue is a cell's text by its ss:Type: a date-time as 2026-09-01 08:00:00 (SpreadsheetML
// writes 2026-09-01T08:00:00.000), a boolean as 1 or 0, anything else as written.
func xmlValue(typ, v string) string {
	if typ == "Number" {
		return parse.ExcelNumber(v) // 1.0049999999999999 as Excel shows it, 1.005
	}
	if typ == "DateTime" {
		v = strings.Replace(v, "T", " ", 1)
		v = strings.TrimSuffix(v, ".000")
		v = strings.TrimSuffix(v, " 00:00:00")
	}
	return v
}

// applyXMLMerges gives every cell a merge covers the value of its top-left cell.
func applyXMLMerges(s *xmlSheet) error {
	covered := 0
	for _, m := range s.merges {
		covered += (m.r2 - m.r1 + 1) * (m.c2 - m.c1 + 1)
		if covered > maxMergedCells || m.r2 > maxXMLRows || m.c2 > maxXMLCols {
			return Errorf("the sheet's merged cells cover more than %d cells: open it in Excel or WPS and save it as .xlsx", maxMergedCells)
		}
		v := ""
		if r := s.rows[m.r1-1]; m.c1-1 < len(r) {
			v = r[m.c1-1]
		}
		for len(s.rows) < m.r2 {
			s.rows = append(s.rows, nil)
		}
		for r := m.r1; r <= m.r2; r++ {
			for len(s.rows[r-1]) < m.c2 {
				s.rows[r-1] = append(s.rows[r-1], "")
			}
			for c := m.c1; c <= m.c2; c++ {
				s.rows[r-1][c-1] = v
			}
		}
	}
	return nil
}

// hasValue reports whether any cell of rows holds a value.
func hasValue(rows [][]string) bool {
	for _, r := range rows {
		for _, c := range r {
			if strings.TrimSpace(c) != "" {
				return true
			}
		}
	}
	return false
}
