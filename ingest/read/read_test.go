package read

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// A UTF-8 file longer than the sample is checked cell by cell past it: an invalid byte there is
// an error naming its line. A file within the sample was validated whole when opened.
func TestCSVEncodingCheckedPastTheSample(t *testing.T) {
	dir := t.TempDir()
	var b []byte
	b = append(b, "order_no,name\n"...)
	line := 1
	for len(b) < sniffBytes+1000 {
		b = append(b, "A1,名字\n"...)
		line++
	}
	bad := append(append([]byte(nil), b...), "A2,\xff\xfe\n"...)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"long-valid", b, ""},
		{"long-invalid", bad, fmt.Sprintf("line %d ", line+1)},
		{"short-valid", []byte("order_no,name\nA1,名字\n"), ""},
	} {
		p := filepath.Join(dir, c.name+".csv")
		os.WriteFile(p, c.data, 0o644)
		s, err := Open(p, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Info().Encoding; got != "utf-8" {
			t.Errorf("%s: encoding %s", c.name, got)
		}
		var got error
		for {
			_, _, err := s.Next()
			if err != nil {
				if err != io.EOF {
					got = err
				}
				break
			}
		}
		s.Close()
		switch {
		case c.want == "" && got != nil:
			t.Errorf("%s: %v", c.name, got)
		case c.want != "" && (got == nil || !strings.Contains(got.Error(), c.want)):
			t.Errorf("%s: got %v, want an error naming %q", c.name, got, c.want)
		}
	}
}
