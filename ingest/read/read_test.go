package read

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
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
		enc, got := readToEnd(t, p)
		if enc != "utf-8" {
			t.Errorf("%s: encoding %s", c.name, enc)
		}
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
	gbk := func(s string) []byte { return gbkBytes(t, s) }
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
			// decides GBK; UTF-8 text after a GBK decision, whose bytes are valid GB18030 pairs of
			// other characters, is found as UTF-8 and rejected, as in a file found to be GBK at its
			// start: TestCSVUTF8AfterGBK)
			{"utf8-then-gbk", "utf-8", cat([]byte("A2,张三\n"), gap, gbk("A3,李四\n")), nil, fmt.Sprintf("line %d ", lines+2+gapLines)},
			{"gbk-then-utf8", "gb18030", cat(gbk("A2,张三\n"), gap, []byte("A3,欧阳娜娜\n")), nil, fmt.Sprintf("line %d (record %d) holds UTF-8 text although the file before it is GBK", lines+2+gapLines, lines+2+gapLines)},
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

// gbkBytes is s in GBK.
func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readToEnd reads a file to its end: its encoding, and the error that ended it (nil at its end).
func readToEnd(t *testing.T, p string) (encoding string, err error) {
	t.Helper()
	s, err := Open(p, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for {
		if _, _, err = s.Next(); err != nil {
			if err == io.EOF {
				err = nil
			}
			return s.Info().Encoding, err
		}
	}
}

// TestCSVUTF8AfterGBK: a file found to be GBK that goes on in UTF-8 (two exports joined into one)
// is rejected at the first record holding UTF-8 Chinese text, as a UTF-8 file that goes on in
// GBK is: decoded as GB18030, UTF-8's bytes of Chinese are other, valid characters, and such a
// file loaded garbled texts with no error. GBK text that happens to be valid UTF-8 is not taken
// for it.
func TestCSVUTF8AfterGBK(t *testing.T) {
	dir := t.TempDir()
	gbk := func(s string) []byte { return gbkBytes(t, s) }
	head := gbk("工单号,客户姓名,维修项目\nA1,张三,更换机油\nA2,李四,四轮定位\n")
	for _, c := range []struct {
		name string
		data []byte
		err  string
	}{
		// (slices.Concat: each case its own bytes, not head's spare capacity shared)
		{"utf8-name", slices.Concat(head, []byte("A3,欧阳娜娜,保养\n"), gbk("A4,王五,喷漆\n")), "line 4 (record 4) holds UTF-8 text although the file before it is GBK/GB18030"},
		{"utf8-quoted", slices.Concat(head, []byte("A3,\"张三\",\"更换 刹车片（前）\"\n")), "line 4 (record 4)"},
		// two UTF-8 characters are not enough to tell (GBK pairs of rare characters can be
		// such runs): read as GBK, as before
		{"two-chars", slices.Concat(head, []byte("A3,张三,\n")), ""},
		// GBK whose bytes are valid UTF-8 (two-byte sequences: 取 is C8 A1, 全 C8 AB, 说 CB B5…) loads
		{"gbk-valid-utf8", slices.Concat(head, gbk("A3,取全说,小笑偷涂双税全\n")), ""},
	} {
		p := filepath.Join(dir, c.name+".csv")
		os.WriteFile(p, c.data, 0o644)
		enc, got := readToEnd(t, p)
		if enc != "gb18030" {
			t.Errorf("%s: encoding %s", c.name, enc)
		}
		if c.err == "" && got != nil || c.err != "" && (got == nil || !strings.Contains(got.Error(), c.err)) {
			t.Errorf("%s: got %v, want %q", c.name, got, c.err)
		}
	}
	// no run of three to eight random GB2312 hanzi (both levels) in GBK is taken for UTF-8
	rng := rand.New(rand.NewPCG(1, 2))
	var common []rune
	for hi := 0xB0; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			if r, _, err := transform.String(simplifiedchinese.GBK.NewDecoder(), string([]byte{byte(hi), byte(lo)})); err == nil && r != "\uFFFD" {
				common = append(common, []rune(r)...)
			}
		}
	}
	for i := 0; i < 200000; i++ {
		w := make([]rune, 3+rng.IntN(6))
		for j := range w {
			w[j] = common[rng.IntN(len(common))]
		}
		if b := gbk(string(w)); utf8CJK(b) {
			t.Fatalf("GBK %q (%x) taken for UTF-8", string(w), b)
		}
	}
	if !utf8CJK([]byte("更换机油")) || utf8CJK([]byte("张三")) || utf8CJK([]byte("张三ü李")) {
		t.Error("utf8CJK")
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
