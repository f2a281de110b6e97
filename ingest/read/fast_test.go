package read

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// csvRecords reads every record of text with the fast path (a line reader of the given buffer
// size, down to bufio's minimum of 16 bytes, so that long lines are read in pieces) and, once a
// line holds a quote, encoding/csv; each record with its line.
func csvRecords(text []byte, comma byte, size int) ([]string, error) {
	s := &csvSource{lr: bufio.NewReaderSize(bytes.NewReader(text), size), comma: comma}
	var out []string
	for {
		rec, err := s.read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, fmt.Sprintf("%d %q", s.recordLine(), rec))
	}
}

// encoding/csv alone, as the reader was before the fast path.
func csvRecordsStd(text []byte, comma byte) ([]string, error) {
	r := newCSVReader(bytes.NewReader(text), comma)
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		line, _ := r.FieldPos(0)
		out = append(out, fmt.Sprintf("%d %q", line, rec))
	}
}

func checkSameRecords(t *testing.T, text []byte, comma byte) {
	t.Helper()
	want, werr := csvRecordsStd(text, comma)
	for _, size := range []int{16, 4096} {
		got, gerr := csvRecords(text, comma, size)
		if strings.Join(got, "\n") != strings.Join(want, "\n") || (gerr == nil) != (werr == nil) {
			t.Fatalf("%q with %q (buffer %d):\nfast path %v (err %v)\nencoding/csv %v (err %v)", text, comma, size, got, gerr, want, werr)
		}
	}
}

// The fast path reads what encoding/csv reads: the same records, fields and lines, whatever the
// line ends, empty lines, long lines and quotes (from a quoted line on, encoding/csv itself).
func TestCSVFastPathEqualsEncodingCSV(t *testing.T) {
	for _, text := range []string{
		"",
		"\n",
		"\r\n",
		"\r",
		"a",
		"a,b\nc,d\n",
		"a,b\r\nc,d\r\n",
		"a,b\r\nc,d",
		"a,b\nc,d\r",
		"a,b\nc,d\r\r",
		"a,b\r\r\nc\rd,e\n",
		"\n\na,b\n\n\nc\n\n",
		"\r\n\r\na,,\n,\n,,,\n",
		"a, b ,\tc \n",
		strings.Repeat("x", 100) + "," + strings.Repeat("y", 50) + "\n" + strings.Repeat("z,", 40) + "\n",
		"id,name\n1,张三\n2,李四\r\n",
		"a,b\n1,\"quoted, with comma\"\n2,plain\n",
		"a,b\n1,\"two\nlines\"\n3,x\n\n4,y",
		"a,b\n1,x\"y\n2,z\n",
		"a,b\n1,\"unterminated\n2,z\n",
		"a\"b\n",
		"a,b\n\n\n\"c\nd\",e\n",
		"=\"001\",x\n",
		"a,\"b,c\",\"d\"\"e\"\n\"\",\"\"\"\"\",\"x\",\n\"q\"\r\n\"\"\r",
		"1,\"￥1,062.76\",0.00\r\n2,\"a\"\"\",\"\"\"b\"\n3,\"c\"d,e\n4,\"f\"\n",
		"\"a\"\"\n\"b\"\r\r\n\"c\r\"\n\"\"\"",
		" \"a\",b\n\"a\" ,b\n",
	} {
		for _, comma := range []byte{',', '\t', ';', '|'} {
			checkSameRecords(t, []byte(text), comma)
		}
	}
	// a line longer than the reader's buffer, then a quoted one
	long := strings.Repeat("0123456789,", 3000)
	checkSameRecords(t, []byte("h1,h2\n"+long+"\n"+long+"\"q\"\n"+"end\n"), ',')
}

// A quoted line hands over to encoding/csv: records after it keep their line numbers, and the
// ones before it came from the fast path.
func TestCSVFastPathHandsOver(t *testing.T) {
	text := "h1,h2\n\na,b\nc,\"d\ne\"\nf,g\n"
	s := &csvSource{lr: bufio.NewReaderSize(strings.NewReader(text), 4096), comma: ','}
	var lines []int
	var fast []bool
	for {
		_, err := s.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s.recordLine())
		fast = append(fast, s.r == nil)
	}
	if fmt.Sprint(lines) != "[1 3 4 6]" || fmt.Sprint(fast) != "[true true false false]" {
		t.Fatalf("lines %v, fast path %v: want [1 3 4 6] and [true true false false]", lines, fast)
	}
}

// A line whose quoted fields are whole on it stays on the fast path; a field that goes on to
// the next line hands over.
func TestCSVFastPathQuotedLines(t *testing.T) {
	text := "id,amount\n1,\"￥1,062.76\"\n2,\"say \"\"hi\"\"\",\"\"\n3,\"two\nlines\"\n4,x\n"
	s := &csvSource{lr: bufio.NewReaderSize(strings.NewReader(text), 4096), comma: ','}
	var got []string
	for {
		rec, err := s.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %q %v", s.recordLine(), rec, s.r == nil))
	}
	want := []string{`1 ["id" "amount"] true`, `2 ["1" "￥1,062.76"] true`, `3 ["2" "say \"hi\"" ""] true`,
		`4 ["3" "two\nlines"] false`, `6 ["4" "x"] false`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzCSVFastPath: arbitrary text and delimiters read the same through the fast path as
// through encoding/csv.
func FuzzCSVFastPath(f *testing.F) {
	f.Add([]byte("a,b\r\nc\"d,e\n\n"), byte(','))
	f.Add([]byte("x\ty\r\rz\n\"q\tr\"\n"), byte('\t'))
	f.Add([]byte("1|2|\n|\r\n"), byte('|'))
	f.Add([]byte("a,\"b,c\",\"d\"\"e\"\n\"\",\"x\"y\n"), byte(','))
	f.Fuzz(func(t *testing.T, text []byte, c byte) {
		comma := []byte{',', '\t', ';', '|'}[c%4]
		checkSameRecords(t, text, comma)
	})
}

func decodeGB(t *testing.T, text []byte, tr transform.Transformer, oneByte bool) (string, error) {
	t.Helper()
	var r io.Reader = bytes.NewReader(text)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	b, err := io.ReadAll(transform.NewReader(r, tr))
	return string(b), err
}

func checkSameGB18030(t *testing.T, text []byte) {
	t.Helper()
	for _, oneByte := range []bool{false, true} {
		want, werr := decodeGB(t, text, simplifiedchinese.GB18030.NewDecoder(), oneByte)
		got, gerr := decodeGB(t, text, gb18030Decoder{inner: simplifiedchinese.GB18030.NewDecoder()}, oneByte)
		if got != want || !errors.Is(gerr, werr) {
			t.Fatalf("%x (one byte at a time: %v):\nours %q (err %v)\nx/text %q (err %v)", text, oneByte, got, gerr, want, werr)
		}
	}
	// and through small destination buffers
	want, _, _ := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), text)
	for _, n := range []int{4, 5, 7} { // (a rune takes up to 4 bytes: less cannot progress)
		var out []byte
		src, tr := text, gb18030Decoder{inner: simplifiedchinese.GB18030.NewDecoder()}
		dst := make([]byte, n)
		for i := 0; ; i++ {
			nd, ns, err := tr.Transform(dst, src, true)
			out = append(out, dst[:nd]...)
			src = src[ns:]
			if err == nil {
				break
			}
			if err != transform.ErrShortDst || i > 10*len(text)+10 {
				t.Fatalf("%x into %d bytes: %v", text, n, err)
			}
		}
		if string(out) != string(want) {
			t.Fatalf("%x into %d bytes: %q, x/text %q", text, n, out, want)
		}
	}
}

// The GB18030 decoder with its ASCII shortcut decodes as x/text's: Chinese text, four-byte
// sequences, the euro sign, sequences cut by the end or by a delimiter, invalid bytes.
func TestGB18030DecoderEqualsXText(t *testing.T) {
	enc := func(s string) []byte {
		b, _, err := transform.Bytes(simplifiedchinese.GB18030.NewEncoder(), []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := [][]byte{
		nil,
		[]byte("plain ascii,1,2\n"),
		enc("单号,客户,金额\nA001,张三,1200.50\r\nA002,李四·王,0\n"),
		enc("€,😀,\u00e9,\u0080,𠀀\n"), // four-byte sequences and the euro sign
		{0x81},                       // a lead byte at the end
		{0x81, ','},                  // a lead byte before a delimiter
		{0x81, 0x30},                 // a cut four-byte sequence
		{0x81, 0x30, ','},            // cut by a delimiter
		{0x81, 0x30, 0x81},           // cut at the end
		{0x81, 0x30, 0x81, 0x2f, 'a'},
		{0xff, 'a', 0x80, 0xfe, 0x7f, 0x81, 0x40},
		append(enc("名字"), 0x81, 0x39, 0xfe, 0x39, '\n'),
	}
	for _, c := range cases {
		checkSameGB18030(t, c)
	}
}

// FuzzGB18030Decoder: arbitrary bytes decode to the same text as x/text's GB18030 decoder.
func FuzzGB18030Decoder(f *testing.F) {
	f.Add([]byte{0x81, 0x30, 0x81, 0x30, ',', 0xb5, 0xa5, 'a'})
	f.Add([]byte("a,\x80\xff\x81"))
	f.Fuzz(func(t *testing.T, text []byte) { checkSameGB18030(t, text) })
}
