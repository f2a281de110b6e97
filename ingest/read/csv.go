package read

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvSource reads CSV in UTF-8 (with or without BOM), GB18030 (a superset of GBK) or UTF-16
// with a byte-order mark (Excel's "Unicode text"), detected from the bytes. After GB18030 or
// UTF-16 decoding a U+FFFD means an undecodable byte: the file is rejected naming the line,
// since a silently garbled name or ID is worse than none.
type csvSource struct {
	f      *os.File
	r      *csv.Reader // nil while the fast path below reads the lines
	rec    int
	inf    Info
	gb     bool
	record []string
	br     *bufio.Reader
	// checked: the whole file is known to be valid UTF-8
	checked bool

	// The fast path: a line is split on the delimiter here, with encoding/csv's results (its
	// line-end rules, empty lines skipped, one string per record), quoted fields included when
	// each is whole on its line (splitQuoted). From the first line that is not, that line and
	// the rest go to encoding/csv. (Reading, decoding and splitting the 4,850 CSV files of
	// scale S on one core: 6.4–7.7 → 4.8–5.2 s.)
	lr       *bufio.Reader // the text's lines: br, or a pooled reader over the decoder
	dec      *bufio.Reader // that pooled reader, when there is one
	comma    byte
	raw      []byte // a line longer than lr's buffer
	line     int    // lines read so far by the fast path (empty ones too, as encoding/csv counts)
	recLine  int    // the line of the fast path's current record
	lineBase int    // lines the fast path read before handing over to encoding/csv
}

// readers are the 1 MB read buffers of closed sources, reused: allocating (and clearing) one per
// file of a few hundred kB cost more than reading it. decoded: the same for the decoded text of
// GB18030 and UTF-16 files.
var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, sniffBytes) }}
	decoded = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
)

const sniffBytes = 1 << 20

// OpenCSV opens a CSV file, detecting its encoding and delimiter.
func OpenCSV(path string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errorf("cannot open: %v", err)
	}
	br := readers.Get().(*bufio.Reader)
	br.Reset(f)
	head, peekErr := br.Peek(sniffBytes)
	s := &csvSource{f: f, inf: Info{Format: "csv"}, br: br}
	var rd io.Reader = br
	valid := utf8.Valid(head)
	// a file shorter than the sample (read to its end) is validated whole here, and its cells
	// need no check
	whole := peekErr == io.EOF && valid
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
		s.inf.Encoding = "utf-8-bom"
		s.checked = whole
	case bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")):
		// Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-delimited
		order := unicode.LittleEndian
		if head[0] == 0xfe {
			order = unicode.BigEndian
		}
		enc := unicode.UTF16(order, unicode.ExpectBOM)
		s.inf.Encoding = "utf-16"
		s.gb = true // undecodable units come out as U+FFFD: checked per record
		rd = transform.NewReader(br, enc.NewDecoder())
		// the sample, decoded, for the delimiter (an even number of bytes; a pair cut at the
		// end decodes as U+FFFD, which the sniffing ignores)
		head, _ = enc.NewDecoder().Bytes(head[:min(len(head), 64<<10)&^1])
	case valid || cutUTF8(head):
		s.inf.Encoding = "utf-8"
		s.checked = whole
		if peekErr == nil && isASCII(head) {
			// The sample is ASCII, which UTF-8 and GBK write alike, and the file goes on: a GBK
			// export whose first megabyte holds codes, dates and amounts only (English headers,
			// a parts ledger) would read as UTF-8 and be rejected at its first Chinese cell as a
			// file of mixed encodings. The encoding is decided at the first byte that is not
			// ASCII, from what follows it (lateEncoding).
			rd = &lateEncoding{br: br, src: s}
		}
	default:
		s.inf.Encoding = "gb18030"
		s.gb = true
		rd = transform.NewReader(br, gb18030Decoder{inner: simplifiedchinese.GB18030.NewDecoder(), flagUTF8: true})
	}
	if s.inf.Encoding != "utf-16" && bytes.IndexByte(head, 0) >= 0 {
		s.Close()
		return nil, Errorf("the file holds binary data (a NUL byte), not CSV text")
	}
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		// lines ended by a carriage return alone: Excel for Mac's "CSV (Macintosh)" format
		rd = crLines{rd}
		head = bytes.ReplaceAll(head, []byte("\r"), []byte("\n")) // a copy: head may be br's buffer
	}
	s.comma = byte(sniffDelimiter(head))
	s.lr = br
	if rd != io.Reader(br) {
		s.dec = decoded.Get().(*bufio.Reader)
		s.dec.Reset(rd)
		s.lr = s.dec
	}
	return s, nil
}

func newCSVReader(rd io.Reader, comma byte) *csv.Reader {
	r := csv.NewReader(rd)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	r.Comma = rune(comma)
	return r
}

// nextFast reads the next record as encoding/csv (LazyQuotes, any number of fields, no comment
// character, no leading-space trimming) would: "\r\n" ends a line like "\n", a "\r" before the
// end of the file is dropped, empty lines are skipped, and each field is the text between
// delimiters. At a line it cannot split it hands that line and the rest to encoding/csv.
func (s *csvSource) nextFast() ([]string, error) {
	for {
		line, err := s.lr.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			s.raw = append(s.raw[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = s.lr.ReadSlice('\n')
				s.raw = append(s.raw, line...)
			}
			line = s.raw
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(line) == 0 {
			return nil, io.EOF
		}
		quoted := bytes.IndexByte(line, '"') >= 0
		n := len(line)
		if err == io.EOF && line[n-1] == '\r' {
			n--
		}
		if n > 0 && line[n-1] == '\n' {
			n--
			if n > 0 && line[n-1] == '\r' {
				n--
			}
		}
		if n == 0 {
			s.line++
			continue // an empty line
		}
		str := string(line[:n]) // one allocation per record, as encoding/csv
		rec := s.record[:0]
		if quoted {
			var ok bool
			if rec, ok = splitQuoted(str, s.comma, rec); !ok {
				// a field that spans lines, or a quote that does not open or close a field:
				// encoding/csv reads from this line on
				rest := append([]byte(nil), line...)
				s.r = newCSVReader(io.MultiReader(bytes.NewReader(rest), s.lr), s.comma)
				s.lineBase = s.line
				return s.r.Read()
			}
			s.line++
			s.recLine = s.line
			s.record = rec
			return rec, nil
		}
		s.line++
		s.recLine = s.line
		for {
			i := strings.IndexByte(str, s.comma)
			if i < 0 {
				rec = append(rec, str)
				break
			}
			rec = append(rec, str[:i])
			str = str[i+1:]
		}
		s.record = rec
		return rec, nil
	}
}

// read is the next record as encoding/csv reads it.
func (s *csvSource) read() ([]string, error) {
	if s.r == nil {
		return s.nextFast()
	}
	return s.r.Read()
}

// splitQuoted splits a line that holds double quotes, when each quoted field is whole on it: the
// quote opens the field, the closing quote is followed by the delimiter or the line's end, and
// the quotes between are doubled. encoding/csv reads such a line to the same fields (RFC 4180;
// LazyQuotes changes only what it does with other quotes). ok is false for any other line.
// (Half of scale S's work-order files quote their amounts, as "￥1,062.76".)
func splitQuoted(str string, comma byte, rec []string) (_ []string, ok bool) {
	i := 0
	for {
		if i < len(str) && str[i] == '"' {
			j, doubled := i+1, false
			for {
				k := strings.IndexByte(str[j:], '"')
				if k < 0 {
					return rec, false // the field goes on past the line
				}
				j += k
				if j+1 < len(str) && str[j+1] == '"' {
					j, doubled = j+2, true
					continue
				}
				break
			}
			field := str[i+1 : j]
			if doubled {
				field = strings.ReplaceAll(field, `""`, `"`)
			}
			rec = append(rec, field)
			switch {
			case j+1 == len(str):
				return rec, true
			case str[j+1] != comma:
				return rec, false // text after the closing quote
			}
			i = j + 2
			continue
		}
		k := strings.IndexByte(str[i:], comma)
		field := str[i:]
		if k >= 0 {
			field = str[i : i+k]
		}
		if strings.IndexByte(field, '"') >= 0 {
			return rec, false // a quote inside an unquoted field
		}
		rec = append(rec, field)
		if k < 0 {
			return rec, true
		}
		i += k + 1
	}
}

// recordLine is the line of the file where the current record starts.
func (s *csvSource) recordLine() int {
	if s.r == nil {
		return s.recLine
	}
	line, _ := s.r.FieldPos(0)
	return s.lineBase + line
}

// cutUTF8 reports whether a sample that is not valid UTF-8 is, but for a character cut at its end.
func cutUTF8(b []byte) bool {
	if len(b) < sniffBytes {
		return false // the whole file was sampled
	}
	return validButCut(b)
}

// crLines turns each carriage return of a text into a line feed: the line ends of a file whose
// lines end with a carriage return alone.
type crLines struct{ r io.Reader }

func (c crLines) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range p[:n] {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// isASCII reports whether b holds no byte above 0x7F.
func isASCII(b []byte) bool {
	return bytes.IndexFunc(b, func(r rune) bool { return r >= utf8.RuneSelf }) < 0
}

// lateEncoding passes a file's bytes through while they are ASCII, and at the first byte that
// is not, decides the encoding from the 64 kB that follow: UTF-8 if they are valid UTF-8 (but
// for a character cut at their end), GB18030 otherwise — from there on the text is decoded and
// src checks each record for undecodable bytes, as for a file found to be GBK at its start.
// What came before was ASCII, the same text in either encoding, so the decision loses nothing.
type lateEncoding struct {
	br  *bufio.Reader
	src *csvSource
	out io.Reader // once decided
}

func (l *lateEncoding) Read(p []byte) (int, error) {
	if l.out != nil {
		return l.out.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if l.br.Buffered() == 0 {
		if _, err := l.br.Peek(1); err != nil {
			return 0, err
		}
	}
	b, _ := l.br.Peek(min(l.br.Buffered(), len(p)))
	i := 0
	for i < len(b) && b[i] < 0x80 {
		i++
	}
	if i > 0 {
		n := copy(p, b[:i])
		l.br.Discard(n)
		return n, nil
	}
	look, err := l.br.Peek(64 << 10)
	if utf8.Valid(look) || err == nil && validButCut(look) {
		l.out = l.br
	} else {
		l.out = transform.NewReader(l.br, gb18030Decoder{inner: simplifiedchinese.GB18030.NewDecoder(), flagUTF8: true})
		l.src.gb = true
		l.src.inf.Encoding = "gb18030"
	}
	return l.out.Read(p)
}

// validButCut reports whether b is valid UTF-8 but for a character cut at its end.
func validButCut(b []byte) bool {
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// sniffDelimiter picks the delimiter of the sample's first complete lines among comma, tab,
// semicolon and pipe (DMS "Excel text" exports are tab-delimited, some systems write ';' or '|').
// Each candidate is counted outside double quotes, line by line; its score is the number of lines
// holding its most frequent non-zero count (a title row or a value with a thousands separator
// does not change it), then that count. Comma wins ties: a candidate must do strictly better.
// A GBK trail byte can be '|' (0x7C), but not consistently on every line.
func sniffDelimiter(head []byte) rune {
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 && i < len(head)-1 {
		head = head[:i] // the last line may be cut by the sample
	}
	var lines [][]byte
	for _, l := range bytes.SplitN(head, []byte("\n"), 21) {
		if l = bytes.TrimRight(l, "\r"); len(l) > 0 && len(lines) < 20 {
			lines = append(lines, l)
		}
	}
	best, bestLines, bestCount := ',', 0, 0
	for _, c := range []byte{',', '\t', ';', '|'} {
		n, count := delimiterScore(lines, c)
		if n > bestLines || (n == bestLines && n > 0 && count > bestCount) {
			best, bestLines, bestCount = rune(c), n, count
		}
	}
	return best
}

// delimiterScore: the most frequent non-zero per-line count of c outside quotes (ties: the larger)
// and the number of lines holding it.
func delimiterScore(lines [][]byte, c byte) (n, count int) {
	freq := map[int]int{}
	for _, l := range lines {
		k, quoted := 0, false
		for _, b := range l {
			switch {
			case b == '"':
				quoted = !quoted
			case b == c && !quoted:
				k++
			}
		}
		if k > 0 {
			freq[k]++
		}
	}
	for k, f := range freq {
		if f > n || (f == n && k > count) {
			n, count = f, k
		}
	}
	return n, count
}

func (s *csvSource) Next() ([]string, int, error) {
	rec, err := s.read()
	if err != nil {
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, Errorf("CSV record %d (line %d) cannot be read: %v", s.rec+1, s.lineBase+pe.StartLine, pe.Err)
		}
		return nil, 0, Errorf("reading: %v", err)
	}
	s.rec++
	if s.gb {
		for _, c := range rec {
			// the decoder's output is UTF-8, so U+FFFD is these three bytes: a byte search
			// (strings.ContainsRune decodes every rune when asked for utf8.RuneError)
			if strings.Contains(c, "\uFFFD") {
				line := s.recordLine()
				if s.inf.Encoding == "utf-16" {
					return nil, 0, Errorf("line %d (record %d) holds bytes that are not UTF-16: the file is damaged; export it again", line, s.rec)
				}
				if strings.Contains(c, mixedMark) {
					return nil, 0, Errorf("line %d (record %d) holds UTF-8 text although the file before it is GBK/GB18030: the file mixes encodings (two exports joined into one?); export it again as CSV UTF-8", line, s.rec)
				}
				return nil, 0, Errorf("line %d (record %d) holds bytes that are neither UTF-8 nor GBK/GB18030: the file is damaged or in another encoding; export it again as CSV UTF-8", line, s.rec)
			}
		}
	} else if !s.checked {
		for _, c := range rec {
			if !utf8.ValidString(c) {
				line := s.recordLine()
				return nil, 0, Errorf("line %d (record %d) is not valid UTF-8 although the start of the file is: the file mixes encodings; export it again as CSV UTF-8", line, s.rec)
			}
		}
	}
	for i, c := range rec {
		// ="00123": Excel's text formula, which DMS exports write so that Excel keeps an
		// ID's leading zeros or a long number's digits; the value is the text inside
		if len(c) >= 3 && c[0] == '=' && c[1] == '"' && c[len(c)-1] == '"' {
			rec[i] = strings.ReplaceAll(c[2:len(c)-1], `""`, `"`)
		}
	}
	return rec, s.rec, nil
}

func (s *csvSource) Info() Info { return s.inf }
func (s *csvSource) Close() error {
	if s.br != nil {
		s.br.Reset(nil)
		readers.Put(s.br)
		s.br = nil
	}
	if s.dec != nil {
		s.dec.Reset(nil)
		decoded.Put(s.dec)
		s.dec = nil
	}
	return s.f.Close()
}
