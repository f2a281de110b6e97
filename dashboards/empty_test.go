package dashboards

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/testenv"
)

// TestEmptyChartsAndTables: a store with work orders but no parts data and no stores file — its
// parts charts say "no data" instead of drawing bare axes, its empty tables say "none", its
// benchmark page says why the heatmap is empty (one store: nothing to rank against), and its
// pages name it by its id once (not "S001 S001"). Charts with data are drawn as before.
func TestEmptyChartsAndTables(t *testing.T) {
	d := testenv.Sample(t, 1, 2, func(d *sql.DB) {
		if _, err := d.Exec(`DELETE FROM raw_parts; DELETE FROM raw_parts_movements; DELETE FROM raw_stores`); err != nil {
			t.Fatal(err)
		}
	})
	for _, lang := range []string{"zh", "en"} {
		out := t.TempDir()
		if _, err := Build(t.Context(), d, Options{Out: out, Lang: lang, Now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		read := func(name string) string {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		noData, none := "无数据", ">无<"
		if lang == "en" {
			noData, none = "No data", ">None<"
		}
		parts := read("parts-S001-2026-10.html")
		if n := strings.Count(parts, `<div class="chart empty" style="height:`); n != 4 || strings.Count(parts, noData) != 4 {
			t.Errorf("%s: %d empty parts charts, want the 4 (Pareto, inventory, turnover, fill rate)", lang, n)
		}
		if strings.Contains(parts, `id="c_abc"`) {
			t.Errorf("%s: the empty Pareto still has a chart element", lang)
		}
		if strings.Count(parts, `<td class="none" colspan="`) != 2 || !strings.Contains(parts, none) {
			t.Errorf("%s: the dead stock and suggested order tables do not say none", lang)
		}
		// one store: the heatmap has nothing to colour, and says why instead of only "no data"
		oneStore := "本月只有一家门店有数据"
		if lang == "en" {
			oneStore = "Only one store has data this month"
		}
		if bench := read("benchmark-2026-10.html"); !strings.Contains(bench, `<div class="note">`+oneStore) {
			t.Errorf("%s: the one-store benchmark page's heatmap does not say why it is empty", lang)
		}
		store := read("store-S001-2026-10.html")
		if strings.Contains(store, "chart empty") || !strings.Contains(store, `id="c_orders"`) {
			t.Errorf("%s: a chart with data marked empty on the store page", lang)
		}
		if !strings.Contains(store, "<h1>S001 · ") || strings.Contains(store, "S001 S001") {
			t.Errorf("%s: the store named twice by its id: %.200s", lang, store[strings.Index(store, "<h1>"):])
		}
	}
}
