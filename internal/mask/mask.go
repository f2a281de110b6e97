// Package mask hides customer personal data before it leaves the database for a page or a
// report: names keep their first character (张*), phones their first 3 and last 4 digits
// (138****1234).
package mask

import (
	"strings"
	"unicode/utf8"
)

// Name masks a person's name: the first character, then one * per remaining character (at least one).
func Name(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(s)
	n := utf8.RuneCountInString(s) - 1
	if n < 1 {
		n = 1
	}
	_ = size
	return string(r) + strings.Repeat("*", n)
}

// Phone masks a phone number: 13812341234 → 138****1234. Other lengths keep at most the last
// 2 digits; anything that is not a phone number is hidden entirely.
func Phone(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(d) == 13 && strings.HasPrefix(d, "86") && d[2] == '1' {
		d = d[2:] // +86 / 86- before a mobile number: the country code
	}
	switch {
	case len(d) == 11:
		return d[:3] + "****" + d[7:]
	case len(d) >= 6:
		return strings.Repeat("*", len(d)-2) + d[len(d)-2:]
	case s == "":
		return ""
	}
	return "****"
}
