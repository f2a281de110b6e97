package parse

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets: no panic, no hang, and the invariants each parser promises.

func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"2026-03-05 14:30", "2026/3/5 14:30:00", "2026.3.5", "2026年3月5日 14:30", "2026年3月5日 14时30分05秒", "２０２６－０３－０５", "2026-02-30", "9999-12-31 23:59:59.999999999", "", "2026-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := Timestamp(s)
		us, uerr := TimestampMicros(s)
		if (err == nil) != (uerr == nil) || err == nil && us != ts.UnixMicro() {
			t.Errorf("TimestampMicros(%q) = %d, %v; Timestamp %v (%d), %v", s, us, uerr, ts, ts.UnixMicro(), err)
		}
		if err == nil {
			if ts.Year() < 1900 || ts.Year() > 2199 || ts.Month() < 1 || ts.Month() > 12 {
				t.Errorf("%q parsed to %v", s, ts)
			}
			// a parsed value written back in the canonical form parses to the same instant
			back, err := Timestamp(ts.Format("2006-01-02 15:04:05.999999"))
			if err != nil || !back.Equal(ts) {
				t.Errorf("%q → %v does not round-trip: %v %v", s, ts, back, err)
			}
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"¥1,234.50", "(12.5)", "1E+3", "-0.005", "１２３", "99999999999999999999", ".", "1e-400", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Decimal(s, 2)
		if err != nil {
			return
		}
		// what was parsed prints and parses back to the same scaled value
		back, err := Decimal(FormatScaled(v, 2), 2)
		if err != nil || back != v {
			t.Errorf("%q → %d → %q → %d %v", s, v, FormatScaled(v, 2), back, err)
		}
	})
}

func FuzzBoolIDMonth(f *testing.F) {
	for _, s := range []string{"是", "N", "√", "1.38E+10", "8E0698151", "2026年3月", "2026/13", "00123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		Bool(s)
		if id, err := ID(s); err == nil && IsScientific(id) {
			t.Errorf("ID(%q) accepted scientific notation %q", s, id)
		}
		if m, err := Month(s); err == nil && (len(m) != 7 || m[4] != '-') {
			t.Errorf("Month(%q) = %q", s, m)
		}
		if v, err := VIN(s); err == nil && (len(v) != 17 || strings.ContainsAny(v, "IOQ")) {
			t.Errorf("VIN(%q) = %q", s, v)
		}
	})
}

func FuzzHeaderKey(f *testing.F) {
	for _, s := range []string{"工时费(元)", " Store ID ", "ＶＩＮ", "a(b(c))", "((", "标准工时[小时]", "\u3000", "工时费/元", "Mileage / km", "a/b/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := HeaderKey(s)
		if utf8.ValidString(s) && !utf8.ValidString(k) {
			t.Errorf("HeaderKey(%q) = %q is not valid UTF-8", s, k)
		}
		if HeaderKey(k) != k && !strings.ContainsAny(k, "([") {
			t.Errorf("HeaderKey is not idempotent: %q → %q → %q", s, k, HeaderKey(k))
		}
		if b, ok := AppendHeaderKeyASCII([]byte("pre"), s); ok && string(b) != "pre"+k {
			t.Errorf("AppendHeaderKeyASCII(%q) = %q, HeaderKey %q", s, b[3:], k)
		}
	})
}
