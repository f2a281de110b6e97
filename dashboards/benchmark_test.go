package dashboards

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBenchmarkChangesLikeStoreCards: the benchmark table's 环比 and 同比 read as the store page's
// cards do — a money KPI's change in % of the earlier value, a rate's in percentage points —
// with the earlier value and the absolute change in the cell's tip; "—" without an earlier month.
func TestBenchmarkChangesLikeStoreCards(t *testing.T) {
	out, d := buildPages(t, Options{})
	b, err := os.ReadFile(filepath.Join(out, "benchmark-2026-10.html"))
	if err != nil {
		t.Fatal(err)
	}
	cellRE := regexp.MustCompile(`<td([^>]*)>(.*?)</td>`)
	titleRE := regexp.MustCompile(`title="([^"]*)"`)
	row := func(label string) [][]string {
		for _, tr := range strings.Split(string(b), "<tr>") {
			if strings.HasPrefix(tr, "<td>"+label+"</td>") && strings.Contains(tr, "<td>S001 ") {
				return cellRE.FindAllStringSubmatch(tr, -1)
			}
		}
		t.Fatalf("no %s row of S001 in the benchmark table", label)
		return nil
	}
	var rev10, rev09 string
	var csi10, csi09 float64
	if err := d.QueryRow(`SELECT a.revenue::varchar, b.revenue::varchar, a.csi, b.csi FROM mart_store_month a, mart_store_month b
		WHERE a.store_id = 'S001' AND b.store_id = 'S001' AND a.month = '2026-10' AND b.month = '2026-09'`).Scan(&rev10, &rev09, &csi10, &csi09); err != nil {
		t.Fatal(err)
	}
	var v, p float64
	fmt.Sscan(rev10, &v)
	fmt.Sscan(rev09, &p)
	if p == 0 || v == p || csi10 == csi09 {
		t.Fatalf("the sample needs a revenue and a csi that changed: %v → %v, %v → %v", p, v, csi09, csi10)
	}
	// revenue: the relative change, written out by hand
	r := row("产值")
	mom, yoy := r[7], r[8]
	if want := fmt.Sprintf("%+.1f%%", (v-p)/p*100); html.UnescapeString(mom[2]) != want {
		t.Errorf("revenue 环比 %q, want %q (%s → %s)", mom[2], want, rev09, rev10)
	}
	tip := titleRE.FindStringSubmatch(mom[1])
	if tip == nil || !strings.HasPrefix(html.UnescapeString(tip[1]), "上月 "+Fmt(p, "money", "zh")+" · 变化 ") {
		t.Errorf("revenue 环比 tip %q, want the previous month's %s and the change", mom[1], Fmt(p, "money", "zh"))
	}
	if yoy[2] != "—" {
		t.Errorf("revenue 同比 %q without a month a year before, want —", yoy[2])
	}
	// csi: percentage points
	c := row("客户满意度")
	if want := fmt.Sprintf("%+.1f个百分点", (csi10-csi09)*100); html.UnescapeString(c[7][2]) != want {
		t.Errorf("csi 环比 %q, want %q", c[7][2], want)
	}
}
