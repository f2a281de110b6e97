// Package parse holds the value rules of CONTRACT §1 that hold for every input kind:
// dates and times, Excel serials, numbers, booleans, identifiers, months and header names.
// Every function takes the raw cell text and returns a typed value or an error whose text
// is shown to the user as the reject reason, so each error says what was expected.
package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"

	"github.com/aftersales/aftersales/internal/msg"
)

// Clean trims white space (including the ideographic space U+3000 and NBSP) and folds
// full-width forms to their half-width equivalents (NFKC) when the text is not plain ASCII.
func Clean(s string) string {
	s = Trim(s)
	if s == "" || isASCII(s) {
		return s
	}
	// invalid bytes become U+FFFD first: NFKC stops folding after one, so folding twice would differ
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.TrimFunc(norm.NFKC.String(s), isSpace)
}

// Trim trims white space only; used for free text such as names, where NFKC would alter the text.
func Trim(s string) string {
	// fast path, taken by almost every cell: both ends are ASCII and not space, nothing to trim
	n := len(s)
	if n == 0 {
		return s
	}
	if s[0] < utf8.RuneSelf && s[n-1] < utf8.RuneSelf && !asciiSpace[s[0]] && !asciiSpace[s[n-1]] {
		return s
	}
	// next, Chinese text: both end runes decoded once, neither a space (TrimFunc's two passes
	// cost 0.6 CPU-s of a scale-S ingest)
	if first, _ := utf8.DecodeRuneInString(s); !isSpace(first) {
		if last, _ := utf8.DecodeLastRuneInString(s); !isSpace(last) {
			return s
		}
	}
	return strings.TrimFunc(s, isSpace)
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports as space.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// isSpace: Unicode's white space, the ideographic space, NBSP, the byte-order mark, and the
// zero-width space and word joiner that text copied from web pages and chat carries at its ends
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\ufeff' || r == '\u200b' || r == '\u2060'
}

func isASCII(s string) bool {
	// eight bytes at a time (every cell of an export goes through here)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// HeaderKey folds a header cell for matching: NFKC (full-width → half-width), lower case,
// no spaces, underscores, hyphens, asterisks or invisible format characters, and no trailing
// unit in brackets such as "(元)" or "[小时]", or after a slash ("/元", headerUnits).
func HeaderKey(s string) string {
	// folding can expose new foldable text (NFKC may turn a spacing mark into a space and a
	// combining mark, which compose once the space is gone): fold to a fixed point
	k := headerKey(s)
	for i := 0; i < 4; i++ {
		next := headerKey(k)
		if next == k {
			break
		}
		k = next
	}
	return k
}

// AppendHeaderKeyASCII appends HeaderKey(s) to dst without allocating, for s of ASCII only
// (ok false otherwise: use HeaderKey). Kind detection folds every cell of a file's first rows,
// nearly all of them data such as dates and codes.
func AppendHeaderKeyASCII(dst []byte, s string) (_ []byte, ok bool) {
	if !isASCII(s) {
		return dst, false
	}
	start := len(dst)
	dst = append(dst, s...)
	k := dst[start:]
	// HeaderKey's passes, on the bytes: the first folds case and spaces, later ones may strip a
	// bracket the first exposed (it stops at a fixed point, after five passes at most)
	for pass := 0; pass < 5; pass++ {
		n := headerKeyASCII(k, pass == 0)
		if n == len(k) && pass > 0 {
			break
		}
		k = k[:n]
	}
	return dst[:start+len(k)], true
}

// headerKeyASCII is headerKey on ASCII bytes, in place; it returns the new length. Only
// shortening changes the key after the first pass, so an unchanged length is a fixed point.
func headerKeyASCII(b []byte, lower bool) int {
	if lower {
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
	}
	n := len(b)
	for {
		// trim white space (ASCII's: unicode.IsSpace of an ASCII byte)
		i := 0
		for i < n && asciiSpace[b[i]] {
			i++
		}
		j := n
		for j > i && asciiSpace[b[j-1]] {
			j--
		}
		copy(b, b[i:j])
		n = j - i
		if n > 0 && (b[n-1] == ')' || b[n-1] == ']') {
			open := byte('(')
			if b[n-1] == ']' {
				open = '['
			}
			if k := bytes.LastIndexByte(b[:n], open); k > 0 {
				n = k
				continue
			}
		}
		if k := bytes.LastIndexByte(b[:n], '/'); k > 0 && headerUnits[string(bytes.TrimFunc(b[k+1:n], isSpace))] {
			n = k
			continue
		}
		break
	}
	w := 0
	for _, c := range b[:n] {
		if asciiSpace[c] || c == '_' || c == '-' || c == '*' {
			continue
		}
		b[w] = c
		w++
	}
	return w
}

// headerUnits are the units a header may end in after a slash ("工时费/元", "工时/小时", "里程/km"),
// which HeaderKey drops as it drops "(元)": the contract's "trailing unit", as many exports
// write it. Only these: a slash before anything else ("维修技师/主修人") stays.
var headerUnits = map[string]bool{"元": true, "万元": true, "小时": true, "天": true, "日": true, "公里": true,
	"个": true, "件": true, "台": true, "次": true, "h": true, "hr": true, "km": true, "rmb": true, "cny": true, "yuan": true}

func headerKey(s string) string {
	s = strings.ToLower(Clean(s))
	for {
		t := strings.TrimFunc(s, isSpace)
		if n := len(t); n > 0 && (t[n-1] == ')' || t[n-1] == ']') {
			open := byte('(')
			if t[n-1] == ']' {
				open = '['
			}
			if i := strings.LastIndexByte(t, open); i > 0 {
				s = t[:i]
				continue
			}
		}
		if i := strings.LastIndexByte(t, '/'); i > 0 && headerUnits[strings.TrimFunc(t[i+1:], isSpace)] {
			s = t[:i]
			continue
		}
		s = t
		break
	}
	var b strings.Builder
	for _, r := range s {
		// '*' marks a required column in import templates ("*技师编号"); format characters
		// (zero-width space, bidi marks, soft hyphen) are invisible, pasted in from web pages
		if isSpace(r) || r == '_' || r == '-' || r == '*' || unicode.Is(unicode.Cf, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// IsSummaryCell reports whether a row's first non-empty cell marks a summary row (合计, 总计, 小计).
func IsSummaryCell(s string) bool {
	if isASCII(s) {
		return false // the first cell of almost every row: a store id, an order number
	}
	s = strings.TrimRight(Clean(s), ":")
	s = strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, s)
	return s == "合计" || s == "总计" || s == "小计"
}

// ---------------------------------------------------------------------------------------------
// Dates and times

// ErrDate is wrapped by every date error.
var ErrDate = msg.Errorf("not a date")

// Timestamp parses the text forms of CONTRACT §1: 2026-03-05 14:30[:00], 2026/3/5 14:30,
// 2026.3.5, 2026年3月5日 14:30 and date-only (00:00). A 'T' between date and time is also
// accepted (ISO 8601 as written by other tools), and after a Chinese date the time as Excel's
// Chinese format writes it, 14时30分[05秒]. The result is a zone-less wall-clock time,
// carried in a time.Time whose location is UTC.
func Timestamp(s string) (time.Time, error) {
	s = Clean(s)
	t, ok := scanTimestamp(s)
	if !ok {
		return time.Time{}, notATimestamp(s)
	}
	return t, nil
}

// TimestampMicros is Timestamp as microseconds since 1970-01-01 00:00 of the wall clock (what
// the lake stores), computed from the calendar fields without a time.Time: time.Date, its day
// check and the truncation were half of the parsing of a timestamp cell.
func TimestampMicros(s string) (int64, error) {
	s = Clean(s)
	f, ok := scanTimestampFields(s)
	if !ok {
		return 0, notATimestamp(s)
	}
	return f.micros(), nil
}

func notATimestamp(s string) error {
	if timeOfDay.MatchString(s) {
		return timeWithoutDate(s)
	}
	return msg.Errorf("%w: %q (write 2026-03-05 14:30, 2026/3/5, 2026.3.5 or 2026年3月5日)", ErrDate, s)
}

// timeOfDay is a time with no date: 14:30, 14:30:05[.5], 14时30分[5秒]. Its groups: the hour; the
// minute and second after colons, and the fraction; the minute and second of the Chinese form.
var timeOfDay = regexp.MustCompile(`^([01]?[0-9]|2[0-3])(?::([0-5][0-9])(?::([0-5][0-9])(\.[0-9]+)?)?|时([0-5]?[0-9])分(?:([0-5]?[0-9])秒)?)$`)

// TimeOfDayMicros reads a time of day with no date (14:30, 14:30:05, 14:30:05.5, 14时30分[5秒]) as
// microseconds since midnight: the time column of an export that keeps date and time of day in
// two columns (进厂日期, 进厂时间). A fraction of a second is rounded to the nearest second, as
// Excel serial times are (CONTRACT §5).
func TimeOfDayMicros(s string) (int64, bool) {
	m := timeOfDay.FindStringSubmatch(Clean(s))
	if m == nil {
		return 0, false
	}
	n := func(a, b string) int64 { v, _ := strconv.Atoi(a + b); return int64(v) } // one of a, b is ""
	sec := n(m[1], "")*3600 + n(m[2], m[5])*60 + n(m[3], m[6])
	if f, _ := strconv.ParseFloat("0"+m[4], 64); f >= 0.5 {
		sec++
	}
	return sec * 1e6, true
}

// timeWithoutDate: an export that keeps the date and the time of day in two columns.
func timeWithoutDate(s string) error {
	return msg.Errorf("%w: %q is a time of day with no date: if the export keeps the date in a column of its own, put date and time into one column (2026-03-05 14:30)", ErrDate, s)
}

// ExcelSerialRecord is ExcelSerial for a date of a service record: a serial below 1 is a time of
// day with no date (a cell Excel shows as 14:30; read as a date it was 1899-12-31 14:30), and a
// year outside 1900–2199 is an error, as it is in text.
func ExcelSerialRecord(v float64, date1904 bool) (time.Time, error) {
	t, err := ExcelSerial(v, date1904)
	switch {
	case err != nil:
		return t, err
	case v < 1:
		return time.Time{}, timeWithoutDate(t.Format("15:04:05"))
	case t.Year() < 1900 || t.Year() > 2199:
		return time.Time{}, msg.Errorf("%w: serial %v is the year %d, outside 1900–2199", ErrDate, v, t.Year())
	}
	return t, nil
}

// tsFields are a valid timestamp's calendar fields.
type tsFields struct{ year, month, day, hour, min, sec, nsec int }

// micros counts days from the civil date (the proleptic Gregorian calendar, years from March so
// that the leap day comes last), then adds the time of day, truncated to the microsecond.
func (f tsFields) micros() int64 {
	y, m := f.year, f.month
	if m <= 2 {
		y--
	}
	era := y / 400 // y ≥ 1899 here
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + f.day - 1
	days := era*146097 + yoe*365 + yoe/4 - yoe/100 + doy - 719468
	secs := int64(days)*86400 + int64(f.hour*3600+f.min*60+f.sec)
	return secs*1_000_000 + int64(f.nsec/1000)
}

func scanTimestamp(s string) (time.Time, bool) {
	f, ok := scanTimestampFields(s)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, f.nsec, time.UTC).Truncate(time.Microsecond), true
}

func scanTimestampFields(s string) (tsFields, bool) {
	p := 0
	num := func(min, max int) (int, bool) {
		start, v := p, 0
		for p < len(s) && s[p] >= '0' && s[p] <= '9' && p-start < max {
			v = v*10 + int(s[p]-'0')
			p++
		}
		if p-start < min {
			return 0, false
		}
		return v, true
	}
	lit := func(l string) bool {
		if strings.HasPrefix(s[p:], l) {
			p += len(l)
			return true
		}
		return false
	}
	year, ok := num(4, 4)
	if !ok {
		return tsFields{}, false
	}
	var sep1, sep2 string
	chinese := false
	switch {
	case lit("-"):
		sep1, sep2 = "-", "-"
	case lit("/"):
		sep1, sep2 = "/", "/"
	case lit("."):
		sep1, sep2 = ".", "."
	case lit("年"):
		sep1, sep2, chinese = "年", "月", true
	default:
		return tsFields{}, false
	}
	_ = sep1
	month, ok := num(1, 2)
	if !ok || !lit(sep2) {
		return tsFields{}, false
	}
	day, ok := num(1, 2)
	if !ok {
		return tsFields{}, false
	}
	if chinese {
		lit("日")
	}
	hour, min, sec, nsec := 0, 0, 0, 0
	if p < len(s) {
		sepStart := p
		for p < len(s) && (s[p] == ' ' || s[p] == 'T') {
			p++
		}
		if p == sepStart && !chinese {
			return tsFields{}, false
		}
		if hour, ok = num(1, 2); !ok {
			return tsFields{}, false
		}
		switch {
		case chinese && lit("时"):
			// Excel's Chinese date-time format: 2026年3月5日 14时30分[05秒]
			if min, ok = num(1, 2); !ok || !lit("分") {
				return tsFields{}, false
			}
			if p < len(s) {
				if sec, ok = num(1, 2); !ok || !lit("秒") {
					return tsFields{}, false
				}
			}
		case !lit(":"):
			return tsFields{}, false
		default:
			if min, ok = num(2, 2); !ok {
				return tsFields{}, false
			}
			if lit(":") {
				if sec, ok = num(2, 2); !ok {
					return tsFields{}, false
				}
				if lit(".") {
					start := p
					f, ok := num(1, 9)
					if !ok {
						return tsFields{}, false
					}
					for i := p - start; i < 9; i++ {
						f *= 10
					}
					nsec = f
				}
			}
		}
		if p != len(s) {
			return tsFields{}, false
		}
	}
	// years outside 1900–2199 are typing errors in a service record (0000-01-01, 2206 for 2026)
	if year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59 {
		return tsFields{}, false
	}
	if day > daysIn(month, year) { // 2026-02-30
		return tsFields{}, false
	}
	return tsFields{year, month, day, hour, min, sec, nsec}, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ExcelSerial converts an Excel serial date-time to a wall-clock time, rounded to the nearest
// second. date1904 selects the 1904 date system. In the 1900 system serial 60 is Excel's
// fictitious 29 February 1900 and is rejected.
func ExcelSerial(v float64, date1904 bool) (time.Time, error) {
	if math.IsNaN(v) || v < 0 || v > 2958466 { // 9999-12-31
		return time.Time{}, msg.Errorf("%w: serial %v is out of range", ErrDate, v)
	}
	secs := int64(math.Round(v * 86400))
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case secs >= 61*86400:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	case secs >= 60*86400:
		return time.Time{}, msg.Errorf("%w: serial 60 is Excel's non-existent 1900-02-29", ErrDate)
	default:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	// days and seconds apart: a time.Duration holds 292 years, so past serial 106,751 (the
	// year 2192) secs × time.Second overflowed into another century
	return base.AddDate(0, 0, int(secs/86400)).Add(time.Duration(secs%86400) * time.Second), nil
}

// Month parses 2026-03, 2026/3, 2026年3月, or a date (its month), and returns "YYYY-MM".
func Month(s string) (string, error) {
	c := Clean(s)
	if t, ok := scanTimestamp(c); ok {
		return t.Format("2006-01"), nil
	}
	if strings.Contains(c, "年") {
		// as attendance sheets write it: 2026年9月份 (月份, "the month of"), 2026 年 9 月
		c = strings.ReplaceAll(c, " ", "")
		if strings.HasSuffix(c, "月份") {
			c = strings.TrimSuffix(c, "份")
		}
	}
	p := 0
	y := 0
	for p < len(c) && p < 4 && c[p] >= '0' && c[p] <= '9' {
		y = y*10 + int(c[p]-'0')
		p++
	}
	if p == 4 {
		rest := c[p:]
		var sep string
		for _, x := range []string{"-", "/", ".", "年"} {
			if strings.HasPrefix(rest, x) {
				sep = x
				break
			}
		}
		if sep != "" {
			rest = rest[len(sep):]
			if sep == "年" {
				rest = strings.TrimSuffix(rest, "月")
			}
			m := 0
			ok := len(rest) >= 1 && len(rest) <= 2
			for i := 0; ok && i < len(rest); i++ {
				if rest[i] < '0' || rest[i] > '9' {
					ok = false
				} else {
					m = m*10 + int(rest[i]-'0')
				}
			}
			if ok && m >= 1 && m <= 12 {
				return fmt.Sprintf("%04d-%02d", y, m), nil
			}
		}
	}
	return "", msg.Errorf("%q is not a month (use 2026-03, 2026/3 or 2026年3月)", c)
}

// ---------------------------------------------------------------------------------------------
// Numbers

// ErrNumber is wrapped by every number error.
var ErrNumber = msg.Errorf("not a number")

// cleanNumber strips currency signs, 元, thousands separators and spaces after NFKC. A comma must
// separate thousands (1,234.50): "12,50" — a decimal comma, or a typo — is an error instead of
// 1250, a hundred times the amount. (CONTRACT §1 says "strip thousands separators"; a comma
// elsewhere is not one.)
func cleanNumber(s string) (string, error) {
	c := Clean(s)
	if strings.HasPrefix(c, "(") && strings.HasSuffix(c, ")") {
		return "", msg.Errorf("%w: %q — brackets are not a minus sign here; write -%s if it is negative", ErrNumber, c, strings.Trim(c, "()"))
	}
	if needsCleaning(c) {
		c = strings.Map(func(r rune) rune {
			switch r {
			case '¥', '元', ' ':
				return -1
			case '−': // U+2212, the typographic minus sign (NFKC leaves it; text pasted from a report)
				return '-'
			}
			return r
		}, c)
		if strings.IndexByte(c, ',') >= 0 {
			if !thousandsGrouped(c) {
				if strings.Count(c, ",") == 1 && !strings.Contains(c, ".") {
					return "", msg.Errorf("%w: %q — a comma must separate thousands (1,234.50); write %s if it is a decimal comma", ErrNumber, Clean(s), strings.Replace(c, ",", ".", 1))
				}
				return "", msg.Errorf("%w: %q — a comma must separate thousands (1,234.50)", ErrNumber, Clean(s))
			}
			c = strings.ReplaceAll(c, ",", "")
		}
	}
	return c, nil
}

// IsExcelError reports whether s is one of Excel's error values (#N/A, #DIV/0!, #REF!…), which
// a cell shows, and a CSV saved from the sheet holds, where its formula failed.
func IsExcelError(s string) bool {
	switch strings.ToUpper(s) {
	case "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#GETTING_DATA", "#BUSY!":
		return true
	}
	return false
}

// AccountingZero reports whether s is a lone dash, with or without a currency sign and spaces:
// how Excel's accounting number format (会计专用) shows zero ("¥ -", " -   ").
func AccountingZero(s string) bool {
	c, err := cleanNumber(s)
	return err == nil && c == "-"
}

// needsCleaning: c holds a byte of ¥ or 元 (both non-ASCII), a comma or a space. One byte loop:
// strings.ContainsAny with non-ASCII characters in its set decodes every rune of c.
func needsCleaning(c string) bool {
	for i := 0; i < len(c); i++ {
		if b := c[i]; b >= utf8.RuneSelf || b == ',' || b == ' ' {
			return true
		}
	}
	return false
}

// thousandsGrouped: the integer part of c (after a sign, up to a '.') is 1–3 digits followed
// by groups of a comma and 3 digits, and no comma follows it.
func thousandsGrouped(c string) bool {
	if c != "" && (c[0] == '-' || c[0] == '+') {
		c = c[1:]
	}
	intPart, frac, _ := strings.Cut(c, ".")
	if strings.IndexByte(frac, ',') >= 0 {
		return false
	}
	groups := strings.Split(intPart, ",")
	for i, g := range groups {
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
			return false
		}
		for j := 0; j < len(g); j++ {
			if g[j] < '0' || g[j] > '9' {
				return false
			}
		}
	}
	return true
}

// ExcelNumber is the text of a spreadsheet number cell as Excel shows it and computes with: to
// 15 significant digits. Excel writes a number into the file as its double, which for a typed
// 1.005 or 2.675 is 1.0049999999999999 or 2.6749999999999998 — rounded half-up to cents, 1.00
// and 2.67, where the sheet shows (and Excel's ROUND gives) 1.01 and 2.68. Only plain decimals
// with more than 15 significant digits change; text that is not one is returned as it is.
func ExcelNumber(s string) string {
	digits, nonzero := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '1' && c <= '9':
			nonzero = true
			digits++
		case c == '0':
			if nonzero {
				digits++
			}
		case c == '.' || c == '-' && i == 0:
		default:
			return s
		}
	}
	if digits <= 15 {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	t := strconv.FormatFloat(f, 'g', 15, 64)
	if strings.IndexByte(t, 'e') >= 0 {
		return s // 16 or more integer digits: not a fraction Excel rounds for display
	}
	return t
}

// Decimal parses a number into an integer scaled by 10^scale, rounding half away from zero
// (四舍五入) when the text has more decimals. "¥1,234.50" with scale 2 gives 123450.
func Decimal(s string, scale int) (int64, error) {
	c, err := cleanNumber(s)
	if err != nil {
		return 0, err
	}
	if v, ok := fastDecimal(c, scale); ok {
		return v, nil
	}
	// Exponent forms (Excel writes 1E-3 for small raw values) go through big.Rat.
	if !looksNumeric(c) {
		return 0, msg.Errorf("%w: %q", ErrNumber, Clean(s))
	}
	r, ok := new(big.Rat).SetString(c)
	if !ok {
		return 0, msg.Errorf("%w: %q", ErrNumber, Clean(s))
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// half away from zero
	m2 := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if m2.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() || q.Int64() > maxScaled || q.Int64() < -maxScaled {
		return 0, msg.Errorf("%w: %q is too large", ErrNumber, Clean(s))
	}
	return q.Int64(), nil
}

const maxScaled = 999999999999999999 // DECIMAL(18,s)

func looksNumeric(c string) bool {
	if c == "" {
		return false
	}
	for _, r := range c {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E') {
			return false
		}
	}
	return true
}

// fastDecimal handles [+-]digits[.digits] without allocation.
func fastDecimal(c string, scale int) (int64, bool) {
	if c == "" {
		return 0, false
	}
	p, neg := 0, false
	if c[0] == '-' || c[0] == '+' {
		neg = c[0] == '-'
		p++
	}
	var v int64
	digits, fracDigits := 0, 0
	seenDot := false
	roundUp := false
	for ; p < len(c); p++ {
		ch := c[p]
		switch {
		case ch >= '0' && ch <= '9':
			if seenDot {
				fracDigits++
				if fracDigits > scale {
					if fracDigits == scale+1 && ch >= '5' {
						roundUp = true
					}
					digits++
					continue
				}
			}
			if v > (maxScaled-9)/10 {
				return 0, false
			}
			v = v*10 + int64(ch-'0')
			digits++
		case ch == '.' && !seenDot:
			seenDot = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	for i := fracDigits; i < scale; i++ {
		if v > maxScaled/10 {
			return 0, false
		}
		v *= 10
	}
	if roundUp {
		v++
		if v > maxScaled { // 9999999999999999.997 rounds to 10^16, which DECIMAL(18,2) cannot hold
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// Int parses an integer; a value with a non-zero fraction is an error ("12.0" is 12).
func Int(s string) (int64, error) {
	v, err := Decimal(s, 6)
	if err != nil {
		return 0, err
	}
	if v%1000000 != 0 {
		return 0, msg.Errorf("%w: %q is not a whole number", ErrNumber, Clean(s))
	}
	return v / 1000000, nil
}

// FormatScaled renders a scaled integer as decimal text ("123450", 2 → "1234.50").
func FormatScaled(v int64, scale int) string {
	if scale == 0 {
		return fmt.Sprint(v)
	}
	neg := v < 0
	if neg {
		v = -v
	}
	p := int64(math.Pow10(scale))
	s := fmt.Sprintf("%d.%0*d", v/p, scale, v%p)
	if neg {
		s = "-" + s
	}
	return s
}

// ---------------------------------------------------------------------------------------------
// Booleans and identifiers

// Bool parses 是/否, Y/N, 1/0, true/false, √/× (also yes/no, TRUE/FALSE as Excel writes them).
// Empty text is null: ok is false with no error.
func Bool(s string) (v bool, ok bool, err error) {
	switch s { // the exact forms exports write, without folding
	case "true", "1", "是":
		return true, true, nil
	case "false", "0", "否":
		return false, true, nil
	}
	c := strings.ToLower(Clean(s))
	switch c {
	case "":
		return false, false, nil
	case "是", "y", "yes", "1", "true", "√", "✓", "✔":
		return true, true, nil
	case "否", "n", "no", "0", "false", "×", "✗", "✘":
		return false, true, nil
	}
	return false, false, msg.Errorf("%q is not a yes/no value (use 是/否, Y/N, 1/0, true/false or √/×)", Clean(s))
}

// IsScientific reports Excel's scientific notation of a number, ^[0-9]\.[0-9]+[Ee]\+[0-9]+$.
func IsScientific(s string) bool {
	if len(s) < 5 || s[0] < '0' || s[0] > '9' || s[1] != '.' {
		return false
	}
	p := 2
	start := p
	for p < len(s) && s[p] >= '0' && s[p] <= '9' {
		p++
	}
	if p == start || p+2 > len(s) || (s[p] != 'E' && s[p] != 'e') || s[p+1] != '+' {
		return false
	}
	p += 2
	start = p
	for p < len(s) && s[p] >= '0' && s[p] <= '9' {
		p++
	}
	return p > start && p == len(s)
}

// ErrScientific is returned for an identifier that Excel turned into a number.
var ErrScientific = msg.Errorf("identifier in scientific notation")

// ID cleans an identifier: trimmed, full-width folded, kept as text (leading zeros stay).
// Excel's scientific notation (1.38E+10) is an error: the digits are already lost.
func ID(s string) (string, error) {
	c := Clean(s)
	// a leading apostrophe is Excel's text prefix, which some exports write into the file to
	// keep leading zeros ('00123), like ="00123" (read.go): never part of an identifier
	if len(c) > 1 && c[0] == '\'' {
		c = strings.TrimLeft(c[1:], " ")
	}
	if IsScientific(c) {
		return "", msg.Errorf("%w: %q — Excel turned this identifier into a number and its digits are lost; format the column as text in the export and export again", ErrScientific, c)
	}
	return c, nil
}

// VIN validates a vehicle identification number: 17 characters of [A-HJ-NPR-Z0-9] after
// trimming and upper-casing.
func VIN(s string) (string, error) {
	c := strings.ToUpper(Clean(s))
	if IsScientific(c) { // a VIN of digits only (an import's, or a typo) that Excel made a number
		return "", msg.Errorf("%w: %q — Excel turned this identifier into a number and its digits are lost; format the column as text in the export and export again", ErrScientific, c)
	}
	if len(c) != 17 {
		return "", msg.Errorf("VIN %q has %d characters, a VIN has 17", c, utf8.RuneCountInString(c))
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z') || ch == 'I' || ch == 'O' || ch == 'Q' {
			return "", msg.Errorf("VIN %q has %q at position %d; a VIN uses 0-9 and A-Z without I, O and Q", c, string(ch), i+1)
		}
	}
	return c, nil
}

// VINCheckDigit reports whether position 9 holds the ISO 3779 / GB 16735 check digit.
// A mismatch is only a data-quality warning (many imported VINs do not use it).
func VINCheckDigit(v string) bool {
	if len(v) != 17 {
		return false
	}
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += vinValue(v[i]) * weights[i]
	}
	r := sum % 11
	want := byte('0' + r)
	if r == 10 {
		want = 'X'
	}
	return v[8] == want
}

func vinValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
	vals := []int{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9}
	if i := strings.IndexByte(letters, c); i >= 0 {
		return vals[i]
	}
	return 0
}

// MonthLastDay is the first instant of the last day of month (YYYY-MM). Data of a store whose
// latest work order opened before it does not cover the month to its end: the month is still
// running, or its last exports are not loaded. The dashboards, the report, the payroll workbook
// and `payroll --close` all judge a month so.
func MonthLastDay(month string) (time.Time, error) {
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return time.Time{}, msg.Errorf("month %q is not YYYY-MM", month)
	}
	return start.AddDate(0, 1, -1), nil
}

// MonthPartial reports whether data whose latest work order opened at asOf stops short of the end
// of month (see MonthLastDay); a month that is not YYYY-MM is not called partial.
func MonthPartial(asOf time.Time, month string) bool {
	last, err := MonthLastDay(month)
	return err == nil && asOf.Before(last)
}
