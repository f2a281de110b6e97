package read

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// rowsOf reads a Source whole: its rows, each numbered.
func rowsOf(t *testing.T, s Source) []string {
	t.Helper()
	var out []string
	for {
		cells, n, err := s.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d:%q", n, cells))
	}
}

// streamEqualsTree: when streamTable reads a page (it is plain), its rows are the tree's.
func streamEqualsTree(t *testing.T, text string) bool {
	t.Helper()
	st := streamTable(text, Info{Format: "html"})
	if st == nil {
		return false
	}
	tr, err := treeTable(text, "")
	if err != nil {
		t.Fatalf("streamed, but the tree finds no table: %v\n%q", err, text)
	}
	got, want := rowsOf(t, st), rowsOf(t, tr)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("page %q\nstreamed: %v\ntree:     %v", text, got, want)
	}
	return true
}

// plainPages are pages as DMS write them (streamed) and pages that are not plain (the tree).
var plainPages = []struct {
	page   string
	stream bool
}{
	{"<html><head><meta charset=utf-8><title>导出</title><style>td{}</style></head><body><form><table border=1>\n" +
		"<tr><td>门店</td><td>工单号</td><td>金额</td></tr>\n<tr><td>S001</td><td>WO1</td><td>1,062.76</td></tr>\n" +
		"<tr><td>S001</td><td>WO2</td><td>&yen;20&nbsp;</td></tr></table></form></body></html>", true},
	{"<table><thead><tr><th colspan=3>维修工单明细</th></tr></thead><tbody><tr><th>门店编号</th><th>工单号</th><th>工时费<br>(元)</th></tr>" +
		"<tr><td rowspan=2>S1</td><td> K1 </td><td>1,234.50</td></tr><tr><td>K2</td><td><span>20</span>.5</td></tr>" +
		"<tr><td colspan=2>合计</td><td><p>1</p><p>2</p></td></tr></tbody></table>", true},
	{"<table><tr><td>a<td>b<tr><td>c</table><table><tr><td>x</td></tr></table>", true},                                               // cells and rows closed by the next
	{"<table><caption>标题</caption><colgroup><col><col></colgroup><tr><td>a</td></tr><tr><td><o:p>b</o:p></td></tr>", true},           // Office's markup, open at the end
	{"<table><tr><td><p>a<br>b</p>c</td><td><div><p>x</div>y</p>z</td><td>q</p>r<center><p>s</center>t</p></td></tr></table>", true}, // where html.Parse's p, div and br make spaces
	{"<table><tr><td>1</td></tr><table><tr><td>2</td></tr><tr><td>3<table>", false},                                                  // a table in a table ends it; in a cell, nests
	{"<table><tr><td>1</td></tr><table><tr><td>2</td></tr><tr><td>3</td></tr></table>", true},
	{"<table><tr><td>1</td><td>x</td><table><tr><td>2</td></tr><tr><td>3</td></tr></table>", true},             // (from within a row)
	{"<table><tr><td>outer<table><tr><td>inner</td></tr><tr><td>2</td></tr></table></td></tr></table>", false}, // nested
	{"<table>stray<tr><td>a</td></tr></table>", false},                                                         // foster-parented text
	{"<table><td>a</td></table>", false},          // a cell outside a row
	{"<table><tr><td>a</th></tr></table>", false}, // an end tag closing nothing
	{"<svg><table><tr><td>a</td></tr></table></svg>", false},
	{"<p>没有数据</p>", false}, // no table: the tree says so
}

// TestStreamTable: pages as DMS write them are read from their tokens, with the rows html.Parse's
// tree gives; others go through the tree.
func TestStreamTable(t *testing.T) {
	for _, c := range plainPages {
		if got := streamEqualsTree(t, c.page); got != c.stream {
			t.Errorf("streamed %v, want %v: %q", got, c.stream, c.page)
		}
	}
	// a large export: the same rows either way
	var b strings.Builder
	b.WriteString("<table><tr><th>单号</th><th>金额</th></tr>")
	for i := range 3000 {
		fmt.Fprintf(&b, "<tr><td>WO%06d</td><td>%d.%02d</td></tr>\n", i, i, i%100)
	}
	b.WriteString("</table>")
	if !streamEqualsTree(t, b.String()) {
		t.Error("a plain export of 3,000 rows was not streamed")
	}
}

// htmlVocabulary: the pieces FuzzHTMLStreamEqualsTree builds pages of.
var htmlVocabulary = []string{
	"<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</th>", "<tbody>", "</tbody>",
	"<thead>", "</thead>", "<tfoot>", "</tfoot>", "<caption>", "</caption>", "<colgroup>", "</colgroup>",
	"<col>", "<p>", "</p>", "<div>", "</div>", "<br>", "</br>", "<b>", "</b>", "<a href=x>", "</a>",
	"<span>", "</span>", "<o:p>", "</o:p>", "<script>x<td>y</script>", "<style>td{}</style>", "<!-- c -->",
	"a", "b c", " ", "\n", "&nbsp;", "&amp;", "\u00a0", "中", "<td colspan=2>", "<td rowspan=2>",
	"<th colspan=3 rowspan=0>", "<td rowspan=2 colspan=2>", "<td/>", "<tr/>", "<html>", "<body>", "</body>",
	"</html>", "<head>", "<title>t<td></title>", "<form>", "</form>", "<font>", "<i>", "</i>", "<img src=x>",
	"<input>", "<select>", "<svg>", "<li>", "<h1>", "</h1>", "<center>", "<pre>", "\x00", "<!DOCTYPE html>",
	`<td colspan="2" colspan="3">`, "<hr>", "<button>", "</button>", "<nobr>", "<table border=1>",
	"</td></tr>", "<tr><td>", "<textarea><tr></textarea>", "<noscript><td></noscript>", "<u>", "</u>",
	"<td rowspan=70000>", "<td colspan=x>", "<tr><td>1</td><td>2</td></tr>", "</center>", "<label>",
}

// tablePage builds a page of tables from data's bytes, as a DMS might write one: sections, rows
// and cells with spans, end tags left out at times (html.Parse closes them), cells of text and
// inline markup, and now and then any piece of htmlVocabulary (most of those make it not plain).
func tablePage(data []byte) string {
	i := 0
	next := func(n int) int { // a choice among n
		if i >= len(data) {
			return 0
		}
		i++
		return int(data[i-1]) % n
	}
	var b strings.Builder
	junk := func() {
		if next(12) == 0 {
			b.WriteString(htmlVocabulary[next(len(htmlVocabulary))])
		}
	}
	ws := []string{"", "", " ", "\n", "\r\n\t", "<!-- x -->"}
	content := []string{"a", "b c", "中文", " ", "&nbsp;", "&amp;", "\u00a0", "<br>", "</br>", "<p>", "</p>",
		"<div>", "</div>", "<b>", "</b>", "<span>", "</span>", "<o:p>", "</o:p>", "<script>1<td></script>",
		"<style>td{}</style>", "<!-- c -->", "<a href=#>", "</a>", "<font color=red>", "</font>", "<img src=x>",
		"<center>", "</center>", "<input value=1>", "<nobr>", "1,234.50", "&yen;"}
	spans := []string{"", "", "", " colspan=2", " rowspan=2", " rowspan=3 colspan=2", " colspan=0", " rowspan=0",
		" colspan=\"2\" colspan=3", " ROWSPAN=2", " colspan= 2 "}
	b.WriteString([]string{"", "<html><head><title>t</title></head><body>", "<!DOCTYPE html><p>x", "<form>"}[next(4)])
	for range next(3) + 1 {
		junk()
		b.WriteString([]string{"<table>", "<table border=1>", "<TABLE>"}[next(3)])
		b.WriteString(ws[next(len(ws))])
		if next(4) == 0 {
			b.WriteString("<caption>标题<b>x</b></caption>")
		}
		if next(4) == 0 {
			b.WriteString([]string{"<colgroup><col><col></colgroup>", "<col>", "<colgroup> <col span=2> </colgroup>"}[next(3)])
		}
		for range next(4) {
			sec := []string{"", "tbody", "thead", "tfoot"}[next(4)]
			if sec != "" {
				b.WriteString("<" + sec + ">")
			}
			for range next(5) {
				junk()
				b.WriteString([]string{"<tr>", "<tr>", "<TR class=x>", "<tr/>"}[next(4)])
				b.WriteString(ws[next(len(ws))])
				for range next(5) {
					tag := []string{"td", "td", "th", "TD"}[next(4)]
					b.WriteString("<" + tag + spans[next(len(spans))] + ">")
					for range next(5) {
						b.WriteString(content[next(len(content))])
					}
					junk()
					if next(3) != 0 {
						b.WriteString("</" + tag + ">")
					}
					b.WriteString(ws[next(len(ws))])
				}
				if next(3) != 0 {
					b.WriteString("</tr>")
				}
				b.WriteString(ws[next(len(ws))])
			}
			if sec != "" && next(2) == 0 {
				b.WriteString("</" + sec + ">")
			}
		}
		if next(5) != 0 {
			b.WriteString("</table>")
		}
		b.WriteString([]string{"", "<p>between</p>", "\n", "<div>x</div>"}[next(4)])
	}
	junk()
	b.WriteString([]string{"", "</body></html>", "</form>", "<p>end"}[next(4)])
	return b.String()
}

// FuzzHTMLStreamEqualsTree: any page streamTable reads from its tokens gives the rows html.Parse's
// tree gives — pages of tables as tablePage builds them, pages of markup pieces, and the bytes as
// they are.
func FuzzHTMLStreamEqualsTree(f *testing.F) {
	for _, c := range plainPages {
		f.Add([]byte(c.page))
	}
	f.Add([]byte{2, 0, 4, 36, 5, 4, 40, 5, 3, 2, 4, 36, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		streamEqualsTree(t, string(data))
		var b strings.Builder
		for _, c := range data {
			b.WriteString(htmlVocabulary[int(c)%len(htmlVocabulary)])
		}
		streamEqualsTree(t, b.String())
		streamEqualsTree(t, tablePage(data))
	})
}
