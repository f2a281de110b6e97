package read

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// drain reads every record: row numbers must increase, and a failure must be a FileError.
func drain(t *testing.T, path string) {
	s, err := Open(path, "")
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) && !errors.Is(err, ErrParquet) {
			t.Fatalf("Open: an error that is not a FileError: %v", err)
		}
		return
	}
	defer s.Close()
	last := 0
	for i := 0; i < 1_000_000; i++ {
		_, row, err := s.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Next: an error that is not a FileError: %v", err)
			}
			return
		}
		if row <= last {
			t.Fatalf("row numbers do not increase: %d after %d", row, last)
		}
		last = row
	}
}

func fuzzFile(f *testing.F, ext string, seeds ...string) {
	for _, name := range seeds {
		b, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x"+ext)
		os.WriteFile(p, data, 0o644)
		drain(t, p)
	})
}

// FuzzCSV: arbitrary bytes as a CSV export — no panic, no hang, increasing row numbers.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b\n\"unterminated"))
	f.Add([]byte("\xff\xfe\x00a"))
	fuzzFile(f, ".csv", "gbk_work_orders.csv", "gbk_bad_byte.csv", "bom_stores.csv", "date_forms.csv", "work_orders_rules.csv")
}

// FuzzXLSX: mutated workbooks (zip bytes) — the reader fails cleanly or reads in order.
func FuzzXLSX(f *testing.F) {
	fuzzFile(f, ".xlsx", "title_serial.xlsx", "merged_header.xlsx", "date1904.xlsx")
}
