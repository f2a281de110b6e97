package dashboards

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aftersales/aftersales/internal/testenv"
	"github.com/aftersales/aftersales/internal/workbook"
)

// hostileValues: what a DMS export may hold in any text column.
var hostileValues = []string{
	`</script><script>window.pwned=1</script>`,
	`__f__function(){window.pwned=3}__f__`,
	`=HYPERLINK("http://evil.invalid","x")`, `+1+1`, `-2+3`, `@SUM(1)`,
	strings.Repeat("长", 10000),
	"a\x01b\x07c\x1b[31m",
	"🚗💥 emoji",
	"\u202eevil-rtl\u202c",
	`<img src=x onerror="window.pwned=2">`,
}

// plantEverywhere writes hostile values into every free-text column of every raw table.
func plantEverywhere(d *sql.DB) {
	cols := map[string][]string{
		"raw_stores":      {"store_name", "region", "brand"},
		"raw_technicians": {"tech_name", "team_id"},
		"raw_work_orders": {"customer_name", "plate", "model", "advisor_id"},
		"raw_order_jobs":  {"job_name", "job_code"},
		"raw_parts":       {"part_name", "category"},
		"raw_callbacks":   {"complaint_type"},
	}
	i := 0
	for tb, cs := range cols {
		for _, c := range cs {
			v := hostileValues[i%len(hostileValues)]
			i++
			// every row gets one of the values, by row number
			q := fmt.Sprintf(`UPDATE %s SET %s = CASE row_number %% %d `, tb, c, len(hostileValues))
			for k, hv := range hostileValues {
				q += fmt.Sprintf("WHEN %d THEN '%s' ", k, strings.ReplaceAll(hv, "'", "''"))
			}
			q += "END"
			if _, err := d.Exec(q); err != nil {
				panic(fmt.Sprintf("%s.%s: %v", tb, c, err))
			}
			_ = v
		}
	}
}

// TestHostileDataEverywhere: hostile text in every text column is inert in every page (opened in
// a real browser) and in the workbooks (no formula from data, files valid).
func TestHostileDataEverywhere(t *testing.T) {
	d := testenv.Sample(t, 1, 2, plantEverywhere)
	out := t.TempDir()
	if _, err := Build(t.Context(), d, Options{Out: out, Now: time.Now(), IncludePay: true}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.html"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, bad := range []string{"<script>window.pwned", "<img src=x"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s holds %q raw", filepath.Base(f), bad)
			}
		}
		// in HTML text __f__ is inert; in the chart options it must never appear
		if i := strings.LastIndex(string(b), "var specs = "); i < 0 || strings.Contains(string(b)[i:], "__f__") {
			t.Errorf("%s: __f__ in the chart options", filepath.Base(f))
		}
	}
	// payroll and report workbooks: open, no formula holds data, text stays text
	dir := t.TempDir()
	for name, write := range map[string]func(string) error{
		"payroll": func(p string) error { return workbook.Payroll(t.Context(), d, "S001", "2026-10", "zh", p) },
		"report":  func(p string) error { return workbook.Report(t.Context(), d, "S001", "2026-10", "en", p) },
	} {
		p := filepath.Join(dir, name+".xlsx")
		if err := write(p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatalf("%s does not open: %v", name, err)
		}
		for _, sh := range f.GetSheetList() {
			rows, _ := f.GetRows(sh)
			for r, row := range rows {
				for c := range row {
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					fo, _ := f.GetCellFormula(sh, ref)
					fo = quotedSheet.ReplaceAllString(fo, "") // a reference to a sheet by its (sanitised) name
					for _, hv := range []string{"HYPERLINK", "SUM(1)", "+1+1", "-2+3", "pwned"} {
						if strings.Contains(fo, hv) {
							t.Errorf("%s %s!%s: data became a formula %q", name, sh, ref, fo)
						}
					}
				}
			}
		}
		f.Close()
	}
	if chromium := findChromium(); chromium != "" {
		bctx, cancel := browser(t, chromium) // (a tab of one browser for each page)
		defer cancel()
		for _, pat := range []string{"store-*.html", "techs-*.html", "parts-*.html", "benchmark-*.html", "index.html"} {
			m, _ := filepath.Glob(filepath.Join(out, pat))
			checkPage(t, bctx, m[0], false)
		}
	}
}

var quotedSheet = regexp.MustCompile(`'([^']|'')*'!`)

// TestHostileStoreID: a store id is data too. One that holds markup, quotes and a path is inert
// in every page (opened in a real browser), names its pages without leaving the folder, and its
// links resolve.
func TestHostileStoreID(t *testing.T) {
	const id = `</script><img src=x onerror="window.pwned=2">'&../店`
	d := testenv.Sample(t, 1, 2, func(d *sql.DB) { testenv.RenameStore(t, d, "S001", id) })
	out := t.TempDir()
	if _, err := Build(t.Context(), d, Options{Out: out, Now: time.Now(), IncludePay: true}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.html"))
	if len(files) < 8 {
		t.Fatalf("%d pages", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), "<img src=x") {
			t.Errorf("%s holds the id's markup raw", filepath.Base(f))
		}
	}
	var bctx context.Context
	if chromium := findChromium(); chromium != "" {
		var cancel context.CancelFunc
		bctx, cancel = browser(t, chromium) // (a tab of one browser for each page)
		defer cancel()
	}
	for _, pat := range []string{"store-*-2026-10.html", "techs-*-2026-10.html", "parts-*-2026-10.html", "benchmark-2026-10.html", "index.html"} {
		m, _ := filepath.Glob(filepath.Join(out, pat))
		if len(m) != 1 {
			t.Fatalf("%s: %d pages", pat, len(m))
		}
		if bctx != nil {
			checkPage(t, bctx, m[0], false)
		}
	}
}
