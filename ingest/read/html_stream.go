package read

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The table of a web page read from its tokens, without html.Parse's tree. An HTML export of
// 200,000 work orders × 22 columns (82 MB) took 17–18 s, 26–28 CPU-s and 1.5 GB to ingest
// through the tree, half its CPU Go's collector walking the tree's ≈ 9 M nodes; read from its
// tokens — twice: once to find the largest table, once to give its rows one at a time — 5.2–5.7
// s, 4.2–5.1 CPU-s and 0.72 GB (most of that the page held whole, and DuckDB), the same rows.
//
// Only a page whose markup html.Parse would build into the plain tree this reader assumes is
// read this way: tables not nested, rows of td/th cells in table, thead, tbody or tfoot, cells
// holding text, inline markup, elements html.Parse does not know (Office's <o:p>), p, div,
// center, br, script and style; a <table> between rows ends the table and begins another, as
// html.Parse has it. Anything else — a table in a cell, text or a tag html.Parse would move out
// of a table ("foster parenting"), a cell outside a row, an end tag that closes nothing, svg,
// math, select, template, … — makes streamTable give up, and the page is read through
// html.Parse as before. FuzzHTMLStreamEqualsTree checks that a page read this way gives the rows
// the tree gives.

// tableState is where a token stands in the table markup.
type tableState int

const (
	outside    tableState = iota // not in a table
	inTable                      // in a table (or its thead, tbody, tfoot), between rows
	inRow                        // in a row, between cells
	inCell                       // in a td or th
	inCaption                    // in a caption
	inColgroup                   // in a colgroup
)

// tableScan follows a page's tokens through its tables. step takes one token and says whether
// the page is still plain (false: read it through html.Parse).
type tableScan struct {
	z       *html.Tokenizer
	state   tableState
	section atom.Atom   // the open thead, tbody or tfoot (tbody also when html.Parse would add one), or 0
	table   int         // tables begun so far: the current (or last) one is number table, from 1
	rawText atom.Atom   // the script or style whose text is being skipped, or 0
	blocks  []atom.Atom // the p, div and center elements open in the current cell, innermost last
	cellTag atom.Atom   // the open cell's td or th
	collect bool        // keep the cells' text (the table being read)
	cell    strings.Builder
	span    [2]int // the open cell's colspan and rowspan attributes (0 when absent)

	// set by step, for the caller, in this order: a cell ended (its text before folding spaces
	// and its spans), a row ended, a row began
	cellEnd, rowEnd, rowStart bool
	evTable                   int // the table the ended cell and row belong to (a <table> may end one and begin the next)
	doneText                  string
	doneSpan                  [2]int
}

// inline are the elements a plain cell may hold besides text, p, div, center and br: they add
// nothing to its text, and html.Parse keeps their text in place.
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Big: true, atom.Code: true, atom.Em: true,
	atom.Font: true, atom.I: true, atom.Img: true, atom.Input: true, atom.Label: true, atom.Nobr: true,
	atom.S: true, atom.Small: true, atom.Span: true, atom.Strike: true, atom.Strong: true,
	atom.Sub: true, atom.Sup: true, atom.Tt: true, atom.U: true, atom.Wbr: true,
}

// unsafe are elements after which html.Parse may not build a table from table tags as written
// (foreign content, select, template, framesets, plaintext). (The elements whose content is raw
// text — script, style, title, textarea, iframe, noscript, … — the tokenizer reads as html.Parse
// does.)
var unsafe = map[atom.Atom]bool{
	atom.Svg: true, atom.Math: true, atom.Select: true, atom.Template: true, atom.Frameset: true,
	atom.Plaintext: true,
}

var space = []byte{' '}

// isSpace: the white space html.Parse leaves in a table (ASCII white space only).
func isSpace(s []byte) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f':
		default:
			return false
		}
	}
	return true
}

// step reads the next token. It returns io.EOF at the end of the page (closing what is open, as
// html.Parse does) and ok=false when the page is not plain.
func (s *tableScan) step() (ok bool, err error) {
	s.rowStart, s.rowEnd, s.cellEnd, s.evTable = false, false, false, s.table
	tt := s.z.Next()
	if tt == html.ErrorToken {
		if s.state == inCell {
			s.endCell()
		}
		if s.state == inCell || s.state == inRow {
			s.rowEnd = true
		}
		s.state = outside
		return true, io.EOF
	}
	// the token's parts as html.Token gives them (z.Token would allocate a string for each)
	var text []byte
	var a atom.Atom
	switch tt {
	case html.TextToken:
		text = s.z.Text()
		if bytes.IndexByte(text, 0) >= 0 {
			return false, nil // html.Parse drops a NUL from a cell's text
		}
	case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		a = s.tagAtom()
	}
	if tt == html.SelfClosingTagToken {
		tt = html.StartTagToken // html.Parse ignores the slash of a non-void element
	}
	if s.rawText != 0 { // the tokenizer gives a script's or style's text whole, then its end tag
		if tt == html.EndTagToken && a == s.rawText {
			s.rawText = 0
		}
		return true, nil
	}
	if tt == html.CommentToken || tt == html.DoctypeToken {
		return true, nil
	}
	start, end := tt == html.StartTagToken, tt == html.EndTagToken
	if (start || end) && unsafe[a] {
		return false, nil // an element html.Parse treats apart
	}
	if start && (a == atom.Script || a == atom.Style) {
		s.rawText = a
		return true, nil
	}
	switch s.state {
	case outside:
		switch {
		case start && a == atom.Table:
			s.state, s.section = inTable, 0
			s.table++
		case (start || end) && isTablePart(a):
			return false, nil // table markup outside a table: html.Parse drops or moves it
		}
		return true, nil
	case inCaption:
		switch {
		case tt == html.TextToken:
		case end && a == atom.Caption:
			s.state = inTable
		case (start || end) && (inline[a] || a == atom.P || a == atom.Div || a == atom.Br):
		default:
			return false, nil
		}
		return true, nil
	case inColgroup:
		switch {
		case tt == html.TextToken && isSpace(text):
		case start && a == atom.Col:
		case end && a == atom.Colgroup:
			s.state = inTable
		default:
			return false, nil
		}
		return true, nil
	case inCell:
		switch {
		case tt == html.TextToken:
			s.write(text)
			return true, nil
		case start && a == atom.Br, end && a == atom.Br: // html.Parse reads </br> as <br>
			s.write(space)
			return true, nil
		case start && (a == atom.P || a == atom.Div || a == atom.Center):
			if a != atom.Center {
				s.write(space)
			}
			if n := len(s.blocks); n > 0 && s.blocks[n-1] == atom.P {
				s.blocks = s.blocks[:n-1] // each of them closes an open p
			}
			s.blocks = append(s.blocks, a)
			return true, nil
		case end && a == atom.P:
			if n := len(s.blocks); n > 0 && s.blocks[n-1] == atom.P {
				s.blocks = s.blocks[:n-1]
			} else {
				s.write(space) // html.Parse makes an empty p of a </p> that closes none
			}
			return true, nil
		case end && (a == atom.Div || a == atom.Center):
			// closes the innermost open one and what is open in it (a p); none open: ignored
			for i := len(s.blocks) - 1; i >= 0; i-- {
				if s.blocks[i] == a {
					s.blocks = s.blocks[:i]
					break
				}
			}
			return true, nil
		case (start || end) && (inline[a] || a == 0):
			return true, nil // (an element html.Parse does not know, such as Office's <o:p>, holds its text in place)
		case end && (a == atom.Td || a == atom.Th):
			if a != s.cellTag {
				return false, nil // html.Parse ignores it: the cell goes on
			}
			s.endCell()
			s.state = inRow
			return true, nil
		case start && (a == atom.Td || a == atom.Th):
			s.endCell()
			s.startCell(a)
			return true, nil
		}
		// any other tag must be one that ends the cell and its row
		if !(start && (a == atom.Tr || isSection(a)) || end && (a == atom.Tr || a == atom.Table || isSection(a))) {
			return false, nil
		}
		s.endCell()
		s.state = inRow
		fallthrough
	case inRow:
		switch {
		case tt == html.TextToken:
			if !isSpace(text) {
				return false, nil
			}
		case start && (a == atom.Td || a == atom.Th):
			s.startCell(a)
		case end && a == atom.Tr:
			s.rowEnd, s.state = true, inTable
		case start && a == atom.Tr:
			s.rowEnd, s.rowStart = true, true
		case start && isSection(a):
			s.rowEnd, s.state, s.section = true, inTable, a
		case end && isSection(a):
			if a != s.section {
				return false, nil
			}
			s.rowEnd, s.state, s.section = true, inTable, 0
		case end && a == atom.Table:
			s.rowEnd, s.state = true, outside
		case start && a == atom.Table: // html.Parse closes the table and begins another
			s.rowEnd, s.state, s.section = true, inTable, 0
			s.table++
		default:
			return false, nil
		}
		return true, nil
	case inTable:
		switch {
		case tt == html.TextToken:
			if !isSpace(text) {
				return false, nil
			}
		case start && a == atom.Tr:
			s.rowStart, s.state = true, inRow
			if s.section == 0 {
				s.section = atom.Tbody // html.Parse puts the row in a tbody of its own
			}
		case start && isSection(a):
			s.section = a
		case end && isSection(a):
			if a != s.section {
				return false, nil
			}
			s.section = 0
		case end && a == atom.Table:
			s.state = outside
		case start && a == atom.Table: // html.Parse closes the table and begins another
			s.section = 0
			s.table++
		case start && a == atom.Caption && s.section == 0:
			s.state = inCaption
		case start && a == atom.Colgroup && s.section == 0:
			s.state = inColgroup
		case start && a == atom.Col && s.section == 0:
		default:
			return false, nil
		}
		return true, nil
	}
	return false, nil
}

// tagAtom is the atom of the current tag's name, as z.TagName gives the name (lower-cased, a NUL
// replaced), read from the token's raw bytes when its name is short ASCII: TagName allocates a
// copy of every name (0.8 s of 5.9 for a page of 200,000 rows).
func (s *tableScan) tagAtom() atom.Atom {
	raw := s.z.Raw()
	i := 1 // after '<'
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	var buf [16]byte
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '/' || c == '>' {
			break
		}
		if c == 0 || c >= 0x80 || n == len(buf) {
			name, _ := s.z.TagName()
			return atom.Lookup(name)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return atom.Lookup(buf[:n])
}

func (s *tableScan) startCell(a atom.Atom) {
	s.state, s.blocks, s.cellTag = inCell, s.blocks[:0], a
	if s.collect {
		s.cell.Reset()
		// the first colspan and rowspan attributes, as attrInt reads html.Parse's element
		s.span = [2]int{}
		var seen [2]bool
		for more := true; more; {
			var k, v []byte
			if k, v, more = s.z.TagAttr(); k == nil {
				break
			}
			for i, name := range [2]string{"colspan", "rowspan"} {
				if !seen[i] && string(k) == name {
					seen[i] = true
					s.span[i] = spanAttr(string(v))
				}
			}
		}
	}
}

func (s *tableScan) write(text []byte) {
	if s.collect {
		s.cell.Write(text)
	}
}

func (s *tableScan) endCell() {
	s.cellEnd = true
	if s.collect {
		s.doneText, s.doneSpan = s.cell.String(), s.span
	}
}

func isSection(a atom.Atom) bool { return a == atom.Thead || a == atom.Tbody || a == atom.Tfoot }

func isTablePart(a atom.Atom) bool {
	switch a {
	case atom.Tr, atom.Td, atom.Th, atom.Thead, atom.Tbody, atom.Tfoot, atom.Caption, atom.Col, atom.Colgroup:
		return true
	}
	return false
}

// surveyTables finds the table streamTable reads: the one with the most rows, the first of them
// (html.Parse's tree gives them in the same order), counted from 1. ok is false when the page is
// not plain.
func surveyTables(text string) (want, rows int, ok bool) {
	s := tableScan{z: html.NewTokenizer(strings.NewReader(text))}
	var counts []int // rows by table
	for {
		ok, err := s.step()
		if !ok {
			return 0, 0, false
		}
		if s.rowStart {
			for len(counts) <= s.table {
				counts = append(counts, 0)
			}
			counts[s.table]++
		}
		if err == io.EOF {
			for t, n := range counts {
				if n > rows {
					want, rows = t, n
				}
			}
			return want, rows, true
		}
	}
}

// htmlRows gives the rows of one table of a plain page from its tokens, laid out as grid lays
// the tree's.
type htmlRows struct {
	scan   tableScan
	want   int
	layout spanLayout
	n      int
	done   bool
	inf    Info
}

// streamTable reads a plain page's largest table from its tokens (nil when the page is not plain
// or has no row in a table: html.Parse then reads it).
func streamTable(text string, inf Info) Source {
	want, rows, ok := surveyTables(text)
	if !ok || rows == 0 {
		return nil
	}
	return &htmlRows{scan: tableScan{z: html.NewTokenizer(strings.NewReader(text))}, want: want, inf: inf}
}

func (h *htmlRows) Next() ([]string, int, error) {
	for !h.done {
		ok, err := h.scan.step()
		if !ok { // the survey read the same tokens as plain
			return nil, 0, Errorf("cannot read the web page's table (open it in Excel or WPS and save it as .xlsx)")
		}
		h.scan.collect = h.scan.table == h.want
		var out []string
		emit := false
		if h.scan.evTable == h.want {
			if h.scan.cellEnd {
				h.layout.cell(foldCell(h.scan.doneText), h.scan.doneSpan[0], h.scan.doneSpan[1])
			}
			if h.scan.rowEnd {
				out, emit = h.layout.endRow(), true
			}
		}
		if err == io.EOF || h.scan.table > h.want {
			h.done = true
		}
		if emit {
			h.n++
			return out, h.n, nil
		}
	}
	return nil, 0, io.EOF
}

func (h *htmlRows) Info() Info   { return h.inf }
func (h *htmlRows) Close() error { return nil }
