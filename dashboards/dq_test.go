package dashboards

import (
	"github.com/aftersales/aftersales/internal/testenv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDataQualityLabels: the index names each data-quality check and severity in the page's
// language, with headers, and every check the mart can write has a name.
func TestDataQualityLabels(t *testing.T) {
	sql, err := os.ReadFile(filepath.Join("..", "transform", "sql", "050_mart_data_quality.sql"))
	if err != nil {
		t.Fatal(err)
	}
	// the model's header lists its check names: "-- check names: a, b (…), c. severity: …"
	m := regexp.MustCompile(`(?s)-- check names: (.*?)\. severity`).FindSubmatch(sql)
	if m == nil {
		t.Fatal("050_mart_data_quality.sql no longer lists its check names")
	}
	list := regexp.MustCompile(`\([^)]*\)|--|\n`).ReplaceAllString(string(m[1]), " ")
	n := 0
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		n++
		for _, l := range []string{"zh", "en"} {
			if name, tip := dqCheck(l, c); name == c || !strings.HasPrefix(tip, c+": ") {
				t.Errorf("check %s has no %s name (%q, %q)", c, l, name, tip)
			}
		}
	}
	if n < 12 {
		t.Errorf("only %d check names read from the model's header", n)
	}

	for _, c := range []struct{ lang, check, warn, header string }{
		{"zh", "工时行无对应工单", ">警告<", ">检查项<"},
		{"en", "Job lines without an order", ">warning<", ">Check<"},
	} {
		out, _ := buildPages(t, Options{Lang: c.lang})
		b, err := os.ReadFile(filepath.Join(out, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, want := range []string{c.check, c.warn, c.header, `title="orphan_jobs: `} {
			if !strings.Contains(s, want) {
				t.Errorf("%s index: no %q", c.lang, want)
			}
		}
		if strings.Contains(s, ">orphan_jobs<") || strings.Contains(s, ">warn<") {
			t.Errorf("%s index shows a check or severity code as its label", c.lang)
		}
	}
}

// A --month or --store with no data is an error naming what has data, not an empty site.
func TestUnknownMonthOrStore(t *testing.T) {
	d := testenv.Sample(t, 2, 2, nil)
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Month: "2030-01"}, "no page for month 2030-01"},
		{Options{Store: "S999"}, "store S999 has no month"},
		{Options{Store: "S001", Month: "2030-01"}, "months with data: 2026-09 … 2026-10"},
	} {
		c.o.Out = t.TempDir()
		if _, err := Build(t.Context(), d, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
	if _, err := Build(t.Context(), d, Options{Out: t.TempDir(), Month: "2026-10", Store: "S002"}); err != nil {
		t.Errorf("a store and month with data: %v", err)
	}
}

// The index's orders grid ends with the group's total per month.
func TestIndexGroupTotal(t *testing.T) {
	out, d := buildPages(t, Options{})
	var n int64
	if err := d.QueryRow(`SELECT sum(orders) FROM mart_store_month WHERE month = '2026-10'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, `<td class="total">集团合计</td>`)
	if i < 0 {
		t.Fatal("no group total row on the index")
	}
	row := s[i : strings.Index(s[i:], "</tr>")+i]
	if want := `<td class="num total">` + Fmt(float64(n), "count", "zh") + `</td></tr>`; !strings.HasSuffix(row+"</tr>", want) {
		t.Errorf("total row %q, want it to end with %q (2026-10)", row, want)
	}
}
