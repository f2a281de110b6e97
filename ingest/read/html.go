package read

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// gridSource is a sheet read whole into memory, its rows numbered from 1 as they show when the
// file is opened in Excel: the table of a web page (OpenHTML), a worksheet of an Excel 2003 XML
// spreadsheet (OpenXMLSS).
type gridSource struct {
	rows [][]string
	next int
	inf  Info
}

// maxHTML bounds the page read whole into memory: an export of 200,000 rows as HTML is about
// 100 MB.
const maxHTML = 512 << 20

// OpenHTML reads the table of a web page saved with an Excel name — how many DMS write their
// "Excel" export (an HTML <table> named .xls), which Excel and WPS open as a sheet. The table is
// the page's largest one (a layout table around it is left aside). A cell spanning columns or
// rows (colspan, rowspan) gives its text to every cell it covers, as a merged XLSX cell does here.
// The page's encoding is the one its byte-order mark or <meta charset> names; without one, UTF-8
// when the bytes are valid UTF-8, else GB18030.
func OpenHTML(path string) (Source, error) {
	b, err := readWhole(path)
	if errors.Is(err, errTooLarge) {
		return nil, Errorf("this web page saved with an Excel name is larger than %s: open it in Excel or WPS and save it as .xlsx", fmtBytes(maxHTML))
	}
	if err != nil {
		return nil, err
	}
	return htmlTable(b)
}

// htmlTable reads the largest table of a web page held in memory.
func htmlTable(b []byte) (Source, error) {
	text, enc, err := decodeHTML(b)
	if err != nil {
		return nil, err
	}
	if src := streamTable(text, Info{Format: "html", Encoding: enc}); src != nil {
		return src, nil
	}
	return treeTable(text, enc)
}

// treeTable reads the largest table of a page through html.Parse's tree.
func treeTable(text, enc string) (Source, error) {
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, Errorf("cannot read the web page: %v (open it in Excel or WPS and save it as .xlsx)", err)
	}
	var best *html.Node
	bestRows := 0
	for _, t := range findAll(doc, atom.Table) {
		if n := len(tableRows(t)); n > bestRows {
			best, bestRows = t, n
		}
	}
	if best == nil {
		return nil, Errorf("this is a web page (HTML) saved with an Excel name, and it holds no table: open it in Excel or WPS and save it as .xlsx")
	}
	return &gridSource{rows: grid(tableRows(best)), inf: Info{Format: "html", Encoding: enc}}, nil
}

// errTooLarge: a file larger than maxHTML, which readWhole reads only the first maxHTML bytes of.
var errTooLarge = errors.New("too large")

// readWhole reads a file whole into memory (a web page, an OLE file searched), up to maxHTML bytes:
// a larger one gives its first maxHTML bytes and errTooLarge.
func readWhole(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errorf("cannot open: %v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil { // one allocation, not a doubling per read (0.9 s of 82 MB)
		buf.Grow(int(min(fi.Size(), maxHTML)) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, maxHTML+1)); err != nil {
		return nil, Errorf("cannot read the file: %v", err)
	}
	if b := buf.Bytes(); len(b) > maxHTML {
		return b[:maxHTML], errTooLarge
	}
	return buf.Bytes(), nil
}

func (s *gridSource) Next() ([]string, int, error) {
	if s.next >= len(s.rows) {
		return nil, 0, io.EOF
	}
	s.next++
	return s.rows[s.next-1], s.next, nil
}

func (s *gridSource) Info() Info   { return s.inf }
func (s *gridSource) Close() error { return nil }

// decodeHTML gives the page as UTF-8 text and the name of the encoding it was in: UTF-8 when
// the bytes are valid UTF-8 (whatever a template's <meta> says: a page that declares gb2312 and
// is UTF-8 is common, and Chinese GBK text is next to never valid UTF-8), else the encoding its
// byte-order mark or <meta> declares (GBK and GB2312 read as GB18030, which holds them), else
// GB18030. (x/net's DetermineEncoding says windows-1252 when nothing is declared: that is taken
// as nothing declared.)
func decodeHTML(b []byte) (string, string, error) {
	if u := bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")); utf8.Valid(u) {
		return string(u), "utf-8", nil
	}
	e, name, certain := charset.DetermineEncoding(b, "text/html")
	if name == "gbk" || name == "gb2312" || (!certain && name == "windows-1252") || name == "utf-8" {
		e, name = simplifiedchinese.GB18030, "gb18030"
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return "", "", Errorf("cannot decode the web page as %s: %v", name, err)
	}
	if bytes.ContainsRune(out, utf8.RuneError) {
		// a byte the encoding has no character for: a garbled name or ID is worse than none
		// (as for a CSV file)
		return "", "", Errorf("the web page is not %s text throughout (a byte no character of it has): export it again, or open it in Excel or WPS and save it as .xlsx", name)
	}
	return string(out), name, nil
}

// findAll lists the elements of one kind under n, in document order.
func findAll(n *html.Node, a atom.Atom) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == a {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// tableRows: the <tr> of a table, in its own <thead>, <tbody> and <tfoot> or directly under it —
// not those of a table nested in one of its cells.
func tableRows(t *html.Node) []*html.Node {
	var rows []*html.Node
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		switch c.DataAtom {
		case atom.Tr:
			rows = append(rows, c)
		case atom.Thead, atom.Tbody, atom.Tfoot:
			for r := c.FirstChild; r != nil; r = r.NextSibling {
				if r.DataAtom == atom.Tr {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}

// grid lays the rows' cells out as a sheet (spanLayout).
func grid(trs []*html.Node) [][]string {
	var g spanLayout
	out := make([][]string, 0, len(trs))
	for _, tr := range trs {
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
				g.cell(cellText(c), attrInt(c, "colspan"), attrInt(c, "rowspan"))
			}
		}
		out = append(out, g.endRow())
	}
	return out
}

// spanLayout lays a table's cells out as a sheet, row by row: a cell spanning columns or rows
// repeats its text in each position it covers (spans capped at 1,000 columns and 65,535 rows, as
// browsers cap them; a span below 1 is 1).
type spanLayout struct {
	down []spanDown // by column: a rowspan reaching into the next rows
	row  []string
	col  int
}

type spanDown struct {
	text string
	left int // rows still covered below
}

// fill adds the columns a rowspan from above covers at this point of the row.
func (g *spanLayout) fill() {
	for g.col < len(g.down) && g.down[g.col].left > 0 {
		g.row = append(g.row, g.down[g.col].text)
		g.down[g.col].left--
		g.col++
	}
}

// cell adds the row's next cell, of the colspan and rowspan attributes given (0 when absent).
func (g *spanLayout) cell(text string, colspan, rowspan int) {
	g.fill()
	rows := min(max(rowspan, 1), 65535)
	for range min(max(colspan, 1), 1000) {
		g.row = append(g.row, text)
		for len(g.down) <= g.col {
			g.down = append(g.down, spanDown{})
		}
		g.down[g.col] = spanDown{text, rows - 1}
		g.col++
	}
}

// endRow ends the row and gives its cells (the caller may keep them).
func (g *spanLayout) endRow() []string {
	g.fill()
	out := g.row
	g.row, g.col = make([]string, 0, len(out)), 0
	return out
}

func attrInt(n *html.Node, name string) int {
	for _, a := range n.Attr {
		if a.Key == name {
			return spanAttr(a.Val)
		}
	}
	return 0
}

// spanAttr is a colspan or rowspan attribute's value: its integer, else 0.
func spanAttr(v string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(v))
	return n
}

// cellText is a cell's text as a browser shows it on one line: runs of white space (and
// non-breaking spaces, and <br>) one space, trimmed; what <script> and <style> hold left out.
func cellText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && (n.DataAtom == atom.Br || n.DataAtom == atom.P || n.DataAtom == atom.Div):
			b.WriteByte(' ')
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return foldCell(b.String())
}

// foldCell gives a cell's text on one line: runs of white space and non-breaking spaces one
// space, trimmed.
func foldCell(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ReplaceAll(s, "\u00a0", " "), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
	}), " ")
}
