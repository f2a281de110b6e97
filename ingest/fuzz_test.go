package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCSVFile feeds arbitrary bytes as a CSV export through detection, header matching and
// row parsing (no database): no panic, no hang, and the accounting identity always holds.
func FuzzCSVFile(f *testing.F) {
	for _, name := range []string{"gbk_work_orders.csv", "work_orders_rules.csv", "date_forms.csv", "bom_stores.csv", "gbk_bad_byte.csv", "parts_leading_zero.csv"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(b)
	}
	f.Add([]byte("store_id,order_no\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "x.csv")
		os.WriteFile(p, data, 0o644)
		parseOnly(t, dir, p)
	})
}

// FuzzXLSXFile mutates real workbooks (zip bytes): the reader must fail cleanly, never panic.
func FuzzXLSXFile(f *testing.F) {
	for _, name := range []string{"title_serial.xlsx", "merged_header.xlsx", "date1904.xlsx"} {
		b, _ := os.ReadFile(filepath.Join("testdata", name))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "x.xlsx")
		os.WriteFile(p, data, 0o644)
		parseOnly(t, dir, p)
	})
}

func parseOnly(t *testing.T, dir, path string) {
	in := &Ingester{Opts: Options{Lake: filepath.Join(dir, "lake"), Check: true}}
	res := &Result{SHA256: "fuzz"}
	lw, err := in.parseFile(t.Context(), path, res)
	if lw != nil {
		lw.abort()
	}
	if err == nil && res.Read != res.Loaded+res.Rejected+res.Skipped {
		t.Errorf("read %d != loaded %d + rejected %d + skipped %d", res.Read, res.Loaded, res.Rejected, res.Skipped)
	}
}
