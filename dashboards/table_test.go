package dashboards

import (
	"regexp"
	"strings"
	"testing"
)

// TestNumericHeadersAlignWithTheirNumbers: a table's header is right-aligned over a column of
// numbers (cells of class num, whatever else their class says) and left-aligned over text, so
// that each header stands over its own figures. It fails with every header left-aligned.
func TestNumericHeadersAlignWithTheirNumbers(t *testing.T) {
	tb := &table{
		Head: []string{"指标", "排名", "门店", "数值", "目标"},
		Rows: [][]cellv{
			{{Text: "台次"}, {Text: "1", Class: "num"}, {Text: "S001"}, {Text: "1,649", Class: "num miss"}, {Text: "—", Class: "none"}},
			{{Text: "产值"}, {Text: "2", Class: "num"}, {Text: "S002"}, {Text: "¥129.73万", Class: "num met"}, {Text: "95.0%", Class: "num"}},
		},
	}
	want := []bool{false, true, false, true, true}
	for i, w := range want {
		if got := tb.NumCol(i); got != w {
			t.Errorf("column %d (%s): NumCol %v, want %v", i, tb.Head[i], got, w)
		}
	}
	if tb.NumCol(9) || (&table{Head: []string{"a"}}).NumCol(0) {
		t.Error("a column past the cells, or of a table without rows, is not numeric")
	}
	var sb strings.Builder
	p := &page{Lang: "zh", Title: "t", Sections: []section{{Title: "s", Table: tb}}}
	if err := pageTmpl.Execute(&sb, p); err != nil {
		t.Fatal(err)
	}
	heads := regexp.MustCompile(`<th( class="num")?>([^<]*)</th>`).FindAllStringSubmatch(sb.String(), -1)
	if len(heads) != len(want) {
		t.Fatalf("%d header cells rendered, want %d:\n%s", len(heads), len(want), sb.String())
	}
	for i, h := range heads {
		if (h[1] != "") != want[i] || h[2] != tb.Head[i] {
			t.Errorf("header %d rendered %q, want %s right-aligned: %v", i, h[0], tb.Head[i], want[i])
		}
	}
	if !strings.Contains(sb.String(), "th.num{text-align:right}") {
		t.Error("the page's style does not right-align th.num")
	}
}
