package dashboards

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aftersales/aftersales/internal/testenv"
)

// TestPartialMonthSaysSo: a month the data does not cover to its end (its last exports not loaded
// yet, or the month still running) says up to when it does under its pages' titles, in both
// languages, and the month's benchmark page names the store; a complete month says nothing.
func TestPartialMonthSaysSo(t *testing.T) {
	d := testenv.Sample(t, 1, 2, testenv.CutOrders(t, "2026-10-16 00:00"))
	var asOf string
	d.QueryRow(`SELECT strftime(max(opened_at), '%Y-%m-%d %H:%M') FROM raw_work_orders`).Scan(&asOf)
	sub := regexp.MustCompile(`<div class="sub">([^<]*)`)
	bench := map[string]string{"zh": "本月数据尚不完整的门店（按较少天数排名）：S001（截至 " + asOf + "）", "en": "Stores whose data does not cover the month yet (ranked on fewer days): S001 (to " + asOf + ")"}
	for lang, want := range map[string]string{"zh": "本月数据截至 " + asOf + "，尚不完整", "en": "Data to " + asOf + " only: the month is not complete"} {
		out := t.TempDir()
		if _, err := Build(t.Context(), d, Options{Out: out, Lang: lang, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"store", "techs", "parts"} {
			for month, partial := range map[string]bool{"2026-09": false, "2026-10": true} {
				b, err := os.ReadFile(filepath.Join(out, kind+"-S001-"+month+".html"))
				if err != nil {
					t.Fatal(err)
				}
				m := sub.FindSubmatch(b)
				got := m != nil && regexp.MustCompile(regexp.QuoteMeta(want)).Match(m[1])
				if got != partial {
					t.Errorf("%s %s %s: subtitle %q, partial %v", lang, kind, month, m, partial)
				}
			}
		}
		// the index marks the month's cell and says what the mark means
		index, _ := os.ReadFile(filepath.Join(out, "index.html"))
		star := map[string]string{"zh": "* 该月数据尚不完整", "en": "* The data does not cover the month yet"}[lang]
		if !strings.Contains(string(index), star) || strings.Count(string(index), "*</a>") != 1 {
			t.Errorf("%s index: no %q, or not one cell marked", lang, star)
		}
		// the benchmark page names the stores ranked on fewer days
		for month, want := range map[string]string{"2026-09": "", "2026-10": bench[lang]} {
			b, _ := os.ReadFile(filepath.Join(out, "benchmark-"+month+".html"))
			got := ""
			if m := sub.FindSubmatch(b); m != nil {
				got = string(m[1])
			}
			if got != want {
				t.Errorf("%s benchmark %s: subtitle %q, want %q", lang, month, got, want)
			}
		}
	}
}
