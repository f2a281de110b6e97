package read

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
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

// A file whose first megabyte is ASCII (English headers, codes, dates and amounts) has its
// encoding decided at its first byte that is not ASCII: a GBK export is read as GBK from there
// (it was rejected as a file of mixed encodings), a UTF-8 one as UTF-8; text in the other
// encoding after that is still an error naming its line, and so is a GBK byte pair that does
// not decode. Each case runs with the non-ASCII text at a few offsets, so that it falls at
// different places of the reads.
func TestCSVEncodingDecidedAfterAnASCIIStart(t *testing.T) {
	dir := t.TempDir()
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for pad := 0; pad < 3; pad++ {
		var ascii []byte
		ascii = append(ascii, "order_no,name\n"...)
		lines := 1
		for len(ascii) < sniffBytes+1000+pad*4099 {
			ascii = append(ascii, "A1,Zhang\n"...)
			lines++
		}
		gap := bytes.Repeat([]byte("A9,Li\n"), 70<<10/6)
		gapLines := 70 << 10 / 6
		cat := func(parts ...[]byte) []byte {
			return bytes.Join(append([][]byte{ascii}, parts...), nil)
		}
		for _, c := range []struct {
			name, enc string
			data      []byte
			names     []string // the last records' names
			err       string
		}{
			{"gbk", "gb18030", cat(gbk("A2,张三\nA3,李四\n")), []string{"张三", "李四"}, ""},
			{"utf8", "utf-8", cat([]byte("A2,张三\nA3,李四\n")), []string{"张三", "李四"}, ""},
			// (the decision reads the 64 kB after the first non-ASCII byte: GBK within them
			// decides GBK; UTF-8 after a GBK decision decodes as GB18030, as in a file found to be
			// GBK at its start: UTF-8's bytes of Chinese are valid GB18030 pairs)
			{"utf8-then-gbk", "utf-8", cat([]byte("A2,张三\n"), gap, gbk("A3,李四\n")), nil, fmt.Sprintf("line %d ", lines+2+gapLines)},
			{"gbk-bad-pair", "gb18030", cat(gbk("A2,张三\n"), []byte("A3,\x81\x20\n")), nil, fmt.Sprintf("line %d ", lines+2)},
		} {
			p := filepath.Join(dir, fmt.Sprintf("%s-%d.csv", c.name, pad))
			os.WriteFile(p, c.data, 0o644)
			s, err := Open(p, "")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			var got error
			for {
				rec, _, err := s.Next()
				if err != nil {
					if err != io.EOF {
						got = err
					}
					break
				}
				if rec[1] != "Zhang" && rec[1] != "Li" && rec[1] != "name" {
					names = append(names, rec[1])
				}
			}
			enc := s.Info().Encoding
			s.Close()
			if enc != c.enc {
				t.Errorf("%s/%d: encoding %s, want %s", c.name, pad, enc, c.enc)
			}
			switch {
			case c.err == "" && got != nil:
				t.Errorf("%s/%d: %v", c.name, pad, got)
			case c.err == "" && !slices.Equal(names, c.names):
				t.Errorf("%s/%d: names %q, want %q", c.name, pad, names, c.names)
			case c.err != "" && (got == nil || !strings.Contains(got.Error(), c.err)):
				t.Errorf("%s/%d: got %v, want an error naming %q", c.name, pad, got, c.err)
			}
		}
	}
}

// Lines ended by a carriage return alone (Excel for Mac's "CSV (Macintosh)") are lines: the file
// was one line with no header found. Records are counted as in any CSV, a quoted
// cell keeps its line break (as "\n"), and GBK is decoded as usual.
func TestCSVCarriageReturnLines(t *testing.T) {
	dir := t.TempDir()
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("门店编号;门店名称\rS001;上海店\r\r\"S002\";\"杭州\r西湖店\"\rS003;南京店"))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"utf8", []byte("store_id,store_name\rS001,上海店\r\rS002,\"杭州\r西湖店\"\rS003,南京店\r"), "store_id|store_name@1 S001|上海店@2 S002|杭州\n西湖店@3 S003|南京店@4"},
		{"gbk", gbk, "门店编号|门店名称@1 S001|上海店@2 S002|杭州\n西湖店@3 S003|南京店@4"},
		// a "\r" inside lines that end with "\n" is left as it is
		{"crlf", []byte("a,b\r\nx\ry,z\r\n"), "a|b@1 x\ry|z@2"},
	} {
		p := filepath.Join(dir, c.name+".csv")
		os.WriteFile(p, c.data, 0o644)
		s, err := Open(p, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			rec, row, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got = append(got, fmt.Sprintf("%s@%d", strings.Join(rec, "|"), row))
		}
		s.Close()
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s: got %q, want %q", c.name, g, c.want)
		}
	}
}
