package parse

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTimestampForms(t *testing.T) {
	want := time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)
	for _, s := range []string{
		"2026-03-05 14:30", "2026-03-05 14:30:00", "2026/3/5 14:30", "2026.3.5 14:30",
		"2026年3月5日 14:30", "2026年3月5日14:30", " 2026-03-05 14:30 ", "２０２６－０３－０５　１４：３０",
		"2026-03-05T14:30:00", "2026年3月5日 14时30分", "2026年3月5日14时30分", "2026年03月05日 14时30分00秒",
	} {
		got, err := Timestamp(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("Timestamp(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for s, w := range map[string]time.Time{
		"2026-03-05":            time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		"2026.3.5":              time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		"2026年3月5日":             time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC),
		"2026/12/31 9:05:07":    time.Date(2026, 12, 31, 9, 5, 7, 0, time.UTC),
		"2024-02-29 23:59:59":   time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC),
		"2026-03-05 14:30:00.5": time.Date(2026, 3, 5, 14, 30, 0, 500000000, time.UTC),
	} {
		got, err := Timestamp(s)
		if err != nil || !got.Equal(w) {
			t.Errorf("Timestamp(%q) = %v, %v; want %v", s, got, err, w)
		}
	}
	for _, s := range []string{
		"", "2026-3/5", "05/03/2026", "2026-02-30", "2026-13-01", "2026-03-05 24:00", "2026-03-05 14:3",
		"20260305", "0000-01-01 00:00", "2206-01-01", "2026-03-05 14:30 PM", "yesterday", "45000", "2026-03-05 14", "2026年3月",
		"2026-03-05 14时30分", "2026年3月5日 14时", "2026年3月5日 14时30", "2026年3月5日 14时30分5", "2026年3月5日 24时00分", "2026年3月5日 14时60分", "2026年3月5日 14时30分05秒:12", "2026年3月5日 14时30分:12",
	} {
		if _, err := Timestamp(s); !errors.Is(err, ErrDate) {
			t.Errorf("Timestamp(%q) err = %v; want ErrDate", s, err)
		}
	}
}

func TestExcelSerial(t *testing.T) {
	cases := []struct {
		v    float64
		d04  bool
		want time.Time
	}{
		{45000, false, time.Date(2023, 3, 15, 0, 0, 0, 0, time.UTC)},
		{45000.5, false, time.Date(2023, 3, 15, 12, 0, 0, 0, time.UTC)},
		{46086.604166666664, false, time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)},
		{46086.60416666, false, time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)},    // rounds to the second
		{44624.604166666664, true, time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)}, // 1904 system: 1462 days less
		{1, false, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
		{61, false, time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)},
		{0, true, time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)},
		// past a time.Duration's 292 years
		{120000.25, false, time.Date(2228, 7, 18, 6, 0, 0, 0, time.UTC)},
		{2958465.5, false, time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := ExcelSerial(c.v, c.d04)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ExcelSerial(%v,%v) = %v, %v; want %v", c.v, c.d04, got, err, c.want)
		}
	}
	if _, err := ExcelSerial(60, false); err == nil {
		t.Error("serial 60 (1900-02-29) accepted")
	}
	if _, err := ExcelSerial(-1, false); err == nil {
		t.Error("negative serial accepted")
	}
}

func TestMonth(t *testing.T) {
	for s, w := range map[string]string{
		"2026-03": "2026-03", "2026/3": "2026-03", "2026年3月": "2026-03", "2026-03-17": "2026-03",
		"2026/12/1 08:00": "2026-12", "２０２６－０３": "2026-03", "2026.11": "2026-11",
		"2026年9月份": "2026-09", "2026 年 9 月": "2026-09", " 2026年 09 月份 ": "2026-09",
	} {
		got, err := Month(s)
		if err != nil || got != w {
			t.Errorf("Month(%q) = %q, %v; want %q", s, got, err, w)
		}
	}
	for _, s := range []string{"2026-13", "2026", "03/2026", "2026-3-", "March", "", "2026年9份", "2026年份", "9月份", "2026 09"} {
		if _, err := Month(s); err == nil {
			t.Errorf("Month(%q) accepted", s)
		}
	}
}

func TestDecimal(t *testing.T) {
	for s, w := range map[string]int64{
		"¥1,234.50": 123450, "￥1,234.5": 123450, "1234.5元": 123450, "１，２３４．５０": 123450,
		"0": 0, "12": 1200, "-3.5": -350, "+7": 700, "2.345": 235, "2.344": 234, "-2.345": -235,
		"0.005": 1, "0.0049": 0, ".5": 50, "1E-3": 0, "1.5E+3": 150000, " 88 ": 8800, "5.": 500,
		"1 000": 100000, "1,234,567": 123456700, "-1,234.5": -123450, "¥-1,000": -100000, "+1,000.25": 100025,
		"−3.5": -350, "－3.5": -350, "−1,234.5": -123450, // the minus sign U+2212 and the full-width hyphen-minus
	} {
		got, err := Decimal(s, 2)
		if err != nil || got != w {
			t.Errorf("Decimal(%q) = %d, %v; want %d", s, got, err, w)
		}
	}
	for _, s := range []string{"(12.5)", "（12.5）", "abc", "", "1.2.3", "12-", "¥", "--1", "1e", "12%", "−−1", "3−",
		// a comma that does not separate thousands: a decimal comma or a typo, not 1250 or 15
		"12,50", "1,5", "1234,567", ",123", "1,23,456", "1,234.5,6", "1,,234", "1,234,", "12,5元", "1,2e3"} {
		if _, err := Decimal(s, 2); !errors.Is(err, ErrNumber) {
			t.Errorf("Decimal(%q) err = %v; want ErrNumber", s, err)
		}
	}
	if v, err := Decimal("4.1", 1); err != nil || v != 41 {
		t.Errorf("Decimal(4.1, 1) = %d, %v", v, err)
	}
	if _, err := Decimal("99999999999999999999", 2); err == nil {
		t.Error("overflow accepted")
	}
	// the largest DECIMAL(18,2) value is accepted; rounding half up past it is an overflow
	// (found by FuzzDecimal: the fast path returned 10^18, which does not parse back)
	if v, err := Decimal("9999999999999999.994", 2); err != nil || v != 999999999999999999 {
		t.Errorf("Decimal(9999999999999999.994) = %d, %v", v, err)
	}
	for _, s := range []string{"9999999999999999.995", "-9999999999999999.997"} {
		if v, err := Decimal(s, 2); !errors.Is(err, ErrNumber) {
			t.Errorf("Decimal(%q) = %d, %v; want too large", s, v, err)
		}
	}
}

func TestInt(t *testing.T) {
	for s, w := range map[string]int64{"12,345": 12345, "12.0": 12, "０": 0, "-4": -4} {
		got, err := Int(s)
		if err != nil || got != w {
			t.Errorf("Int(%q) = %d, %v; want %d", s, got, err, w)
		}
	}
	for _, s := range []string{"12.5", "x", ""} {
		if _, err := Int(s); err == nil {
			t.Errorf("Int(%q) accepted", s)
		}
	}
}

func TestBool(t *testing.T) {
	for _, s := range []string{"是", "Y", "y", "1", "true", "TRUE", "√", "Yes"} {
		if v, ok, err := Bool(s); !v || !ok || err != nil {
			t.Errorf("Bool(%q) = %v %v %v", s, v, ok, err)
		}
	}
	for _, s := range []string{"否", "N", "0", "false", "FALSE", "×"} {
		if v, ok, err := Bool(s); v || !ok || err != nil {
			t.Errorf("Bool(%q) = %v %v %v", s, v, ok, err)
		}
	}
	if _, ok, err := Bool("  "); ok || err != nil {
		t.Errorf("empty bool: ok=%v err=%v", ok, err)
	}
	if _, _, err := Bool("maybe"); err == nil {
		t.Error("Bool(maybe) accepted")
	}
}

func TestID(t *testing.T) {
	for s, w := range map[string]string{"00123": "00123", " 8E0698151 ": "8E0698151", "ＷＯ００１": "WO001", "13800138000": "13800138000",
		"'00123": "00123", " '0012 ": "0012", "'": "'", "O'Neil": "O'Neil", "WO001\u200b": "WO001", "\u2060T07": "T07"} {
		got, err := ID(s)
		if err != nil || got != w {
			t.Errorf("ID(%q) = %q, %v; want %q", s, got, err, w)
		}
	}
	for _, s := range []string{"1.38E+10", "1.38e+10", "9.9E+15", "'1.38E+10"} {
		if _, err := ID(s); !errors.Is(err, ErrScientific) {
			t.Errorf("ID(%q) err = %v; want ErrScientific", s, err)
		}
	}
	for _, s := range []string{"1.38E10", "E+10", "1.E+10", "12E+3", "8E0698151"} {
		if IsScientific(s) {
			t.Errorf("IsScientific(%q) = true", s)
		}
	}
}

func TestVIN(t *testing.T) {
	if v, err := VIN(" lsvaa4180e2123456 "); err != nil || v != "LSVAA4180E2123456" {
		t.Errorf("VIN = %q, %v", v, err)
	}
	for _, s := range []string{"LSVAA4180E212345", "LSVAA4180E21234567", "LSVAI4180E2123456", "LSVAO4180E2123456", "LSVAQ4180E2123456", "LSVAA4180E212345-"} {
		if _, err := VIN(s); err == nil {
			t.Errorf("VIN(%q) accepted", s)
		}
	}
	// Excel's scientific notation is named as such, as for every identifier, not as a length
	if _, err := VIN("1.38E+16"); !errors.Is(err, ErrScientific) {
		t.Errorf("VIN(1.38E+16): %v, want ErrScientific", err)
	}
	if !VINCheckDigit("1M8GDM9AXKP042788") { // the textbook example
		t.Error("check digit of 1M8GDM9AXKP042788 not accepted")
	}
	if VINCheckDigit("1M8GDM9A1KP042788") {
		t.Error("wrong check digit accepted")
	}
}

func TestHeaderKey(t *testing.T) {
	for s, w := range map[string]string{
		"工时费(元)": "工时费", "工时费（元）": "工时费", " Store ID ": "storeid", "store_id": "storeid",
		"ＶＩＮ": "vin", "标准工时[小时]": "标准工时", "Labor-Hours": "laborhours", "进厂 时间": "进厂时间",
		// a unit after a slash, as a trailing unit; a slash before anything else stays
		"工时费/元": "工时费", "工时 / 小时": "工时", "工时费（元）/元": "工时费", "采购周期/天": "采购周期", "Mileage/KM": "mileage",
		"labor_amount / RMB": "laboramount", "维修技师/主修人": "维修技师/主修人", "/元": "/元", "金额/元/件": "金额",
		// an import template's mark of a required column; invisible format characters
		"*工单号": "工单号", "技师编号*": "技师编号", "* Store ID": "storeid", "工时费(元)*": "工时费",
		"工单号\u200b": "工单号", "\u200e工时费(元)": "工时费", "交\u00ad车时间": "交车时间",
	} {
		if got := HeaderKey(s); got != w {
			t.Errorf("HeaderKey(%q) = %q; want %q", s, got, w)
		}
		if b, ok := AppendHeaderKeyASCII(nil, s); ok && string(b) != w {
			t.Errorf("AppendHeaderKeyASCII(%q) = %q; want %q", s, b, w)
		}
	}
}

func TestSummary(t *testing.T) {
	for _, s := range []string{"合计", " 总计 ", "小计:", "合 计", "合计："} {
		if !IsSummaryCell(s) {
			t.Errorf("IsSummaryCell(%q) = false", s)
		}
	}
	for _, s := range []string{"合计金额", "WO001", ""} {
		if IsSummaryCell(s) {
			t.Errorf("IsSummaryCell(%q) = true", s)
		}
	}
}

// TestTrimFastPath: the ASCII fast path trims exactly what strings.TrimFunc with the space
// rule does, for every ASCII byte and the non-ASCII spaces at either end.
func TestTrimFastPath(t *testing.T) {
	ends := []string{"", "\u3000", "\u00a0", "\ufeff", "\u200b", "\u2060", "é", "号"}
	for b := 0; b < 128; b++ {
		ends = append(ends, string(rune(b)))
	}
	for _, l := range ends {
		for _, r := range ends {
			for _, mid := range []string{"", "a", "a b", "号码"} {
				s := l + mid + r
				if got, want := Trim(s), strings.TrimFunc(s, isSpace); got != want {
					t.Fatalf("Trim(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
}

// Trim's fast paths give what TrimFunc gives.
func TestTrimFastPaths(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a ", "王师傅", " 王师傅", "王师傅\u3000", "\u00a0x", "x\ufeff", "\ufeff", "王 傅", "a王", "王a", "\t王\n", "\xff", "王\xff", "\xff王 ", "WO123\u200b", "\u2060王师傅"} {
		if got, want := Trim(s), strings.TrimFunc(s, isSpace); got != want {
			t.Errorf("Trim(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"12", "¥1,234.50", "1234.5元", "1 000", "１２", "12€"} {
		if got, want := needsCleaning(s), strings.ContainsAny(s, "¥元, ") || !isASCII(s); got != want {
			t.Errorf("needsCleaning(%q) = %v, want %v", s, got, want)
		}
	}
}

// The ASCII path of kind detection folds as HeaderKey does, bracket passes included, and leaves
// text that is not ASCII to it.
func TestAppendHeaderKeyASCII(t *testing.T) {
	for _, s := range []string{"", " ", "Store_ID", " Labor-Amount (CNY) ", "qty [pcs]", "a(b) -", "a(b)(c) [d]",
		"x(y) _ (z) -", "(a)", "a(", "2026-03-01 08:30", "ORD-000123", "A B\tC\r\n", "a(b)c", "k(1) (2) (3) (4) (5) (6)",
		"k(1)-(2)-(3)-(4)-(5)-(6)"} {
		b, ok := AppendHeaderKeyASCII(nil, s)
		if !ok || string(b) != HeaderKey(s) {
			t.Errorf("AppendHeaderKeyASCII(%q) = %q, %v; HeaderKey %q", s, b, ok, HeaderKey(s))
		}
	}
	if _, ok := AppendHeaderKeyASCII(nil, "工时费(元)"); ok {
		t.Error("text that is not ASCII must go to HeaderKey")
	}
}

// TimestampMicros counts the days itself: every day from 1900 to 2199 (1900 and 2100 are not leap
// years, 2000 is), the day after each month's last, and times with fractions agree with time.Date.
func TestTimestampMicrosEveryDay(t *testing.T) {
	for d := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2200; d = d.AddDate(0, 0, 1) {
		s := d.Format("2006-01-02") + " 23:59:58.1234567"
		want := d.Add(23*time.Hour + 59*time.Minute + 58*time.Second + 123456*time.Microsecond).UnixMicro()
		if got, err := TimestampMicros(s); err != nil || got != want {
			t.Fatalf("%s: %d, %v; want %d", s, got, err, want)
		}
		if next := d.AddDate(0, 0, 1); next.Month() != d.Month() {
			bad := fmt.Sprintf("%d-%02d-%02d", d.Year(), d.Month(), d.Day()+1)
			if _, err := TimestampMicros(bad); err == nil {
				t.Fatalf("%s is not a day but was read", bad)
			}
		}
	}
	for _, s := range []string{"1900-02-29", "2100-02-29", "2026-02-29"} {
		if _, err := TimestampMicros(s); err == nil {
			t.Errorf("%s is not a day but was read", s)
		}
	}
	if _, err := TimestampMicros("2000-02-29"); err != nil {
		t.Errorf("2000-02-29: %v", err)
	}
}

// isASCII reads eight bytes at a time: a non-ASCII byte at any position and length is found.
func TestIsASCII(t *testing.T) {
	for n := 0; n <= 40; n++ {
		b := []byte(strings.Repeat("a", n))
		if !isASCII(string(b)) {
			t.Fatalf("%q is ASCII", b)
		}
		for i := 0; i < n; i++ {
			c := append([]byte(nil), b...)
			c[i] = 0x80
			if isASCII(string(c)) {
				t.Fatalf("%q is not ASCII", c)
			}
			c[i] = 0x7f
			if !isASCII(string(c)) {
				t.Fatalf("%q is ASCII", c)
			}
		}
	}
}

func TestMonthPartial(t *testing.T) {
	at := func(s string) time.Time { t, _ := time.Parse("2006-01-02 15:04:05", s); return t }
	for _, c := range []struct {
		asOf, month string
		partial     bool
	}{
		{"2026-10-30 23:59:59", "2026-10", true}, {"2026-10-31 00:00:00", "2026-10", false},
		{"2026-11-02 08:00:00", "2026-10", false}, {"2026-09-15 10:00:00", "2026-10", true},
		{"2024-02-28 23:59:59", "2024-02", true}, {"2024-02-29 00:00:00", "2024-02", false}, // a leap year's February
		{"2026-12-31 00:00:00", "2026-12", false}, {"2026-10-01 00:00:00", "2026-13", false},
	} {
		if got := MonthPartial(at(c.asOf), c.month); got != c.partial {
			t.Errorf("MonthPartial(%s, %s) = %v", c.asOf, c.month, got)
		}
	}
}

func TestExcelNumber(t *testing.T) {
	for s, w := range map[string]string{
		"1.0049999999999999": "1.005", "2.6749999999999998": "2.675", "0.28499999999999998": "0.285", "-1.0049999999999997": "-1.005",
		"1234.5650000000001": "1234.565", "0.30000000000000004": "0.3", "123456789012345.67": "123456789012346",
		// 15 significant digits or fewer, integers past 15 digits, exponents, non-numbers: as they are
		"1.005": "1.005", "0.000000000000001": "0.000000000000001", "123456789012345": "123456789012345",
		"12345678901234567": "12345678901234567", "1E+20": "1E+20", "1.0049999999999999x": "1.0049999999999999x", "": "",
		"--1.0049999999999999": "--1.0049999999999999",
	} {
		if got := ExcelNumber(s); got != w {
			t.Errorf("ExcelNumber(%q) = %q, want %q", s, got, w)
		}
	}
}

func TestAccountingZero(t *testing.T) {
	for _, s := range []string{"-", " - ", " ¥ -   ", "￥-", "¥-", "- 元", "\u3000-\u3000", "－", "￥－"} {
		if !AccountingZero(s) {
			t.Errorf("AccountingZero(%q) = false", s)
		}
	}
	for _, s := range []string{"", "--", "-0", "0", "—", "¥", "-1", "- -", "N/A"} {
		if AccountingZero(s) {
			t.Errorf("AccountingZero(%q) = true", s)
		}
	}
}

func TestIsExcelError(t *testing.T) {
	for _, s := range []string{"#N/A", "#n/a", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"} {
		if !IsExcelError(s) {
			t.Errorf("IsExcelError(%q) = false", s)
		}
	}
	for _, s := range []string{"#", "#1", "#N/A ", "N/A", "#REF", "WO#1"} {
		if IsExcelError(s) {
			t.Errorf("IsExcelError(%q) = true", s)
		}
	}
}

// A time of day with no date — a serial below 1, or text such as 14:30 — is an error that says
// so (as a serial it was read as 1899-12-31 14:30); so is a serial whose year text would reject.
func TestTimeWithoutDate(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d04  bool
		want string
	}{
		{0.6, false, `"14:24:00" is a time of day with no date`},
		{0.75, true, `"18:00:00" is a time of day with no date`},
		{0, false, `"00:00:00" is a time of day with no date`},
		{120000, false, "serial 120000 is the year 2228, outside 1900–2199"},
	} {
		if _, err := ExcelSerialRecord(c.v, c.d04); err == nil || !errors.Is(err, ErrDate) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ExcelSerialRecord(%v, %v) = %v, want %q", c.v, c.d04, err, c.want)
		}
	}
	if got, err := ExcelSerialRecord(46086.604166666664, false); err != nil || !got.Equal(time.Date(2026, 3, 5, 14, 30, 0, 0, time.UTC)) {
		t.Errorf("ExcelSerialRecord(46086.6…) = %v, %v", got, err)
	}
	for _, s := range []string{"14:30", "9:05", "14:30:05", "14:30:05.5", "14时30分", "9时5分3秒"} {
		if _, err := Timestamp(s); err == nil || !strings.Contains(err.Error(), "is a time of day with no date") {
			t.Errorf("Timestamp(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"24:00", "14:60", "1430", "2026-03-05"} {
		if _, err := Timestamp(s); err != nil && strings.Contains(err.Error(), "time of day") {
			t.Errorf("Timestamp(%q) = %v", s, err)
		}
	}
}

// TimeOfDayMicros reads the time column of an export that keeps date and time apart.
func TestTimeOfDayMicros(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" = not a time of day
	}{
		{"14:30", "14:30:00"}, {"9:05", "09:05:00"}, {" 14:30:05 ", "14:30:05"}, {"14:30:05.4", "14:30:05"},
		{"14:30:05.5", "14:30:06"}, {"14时30分", "14:30:00"}, {"9时5分3秒", "09:05:03"}, {"０８：１５", "08:15:00"},
		{"24:00", ""}, {"14:60", ""}, {"2026-03-05 14:30", ""}, {"14", ""}, {"", ""}, {"下午 2:30", ""},
	} {
		us, ok := TimeOfDayMicros(c.in)
		got := ""
		if ok {
			got = time.UnixMicro(us).UTC().Format("15:04:05")
			if us >= 86400e6 {
				got = "next day " + got
			}
		}
		if got != c.want {
			t.Errorf("TimeOfDayMicros(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
