package main

import (
	"strings"
	"testing"
)

// Columns line up on a terminal when cells hold Chinese (two columns a character) and
// full-width text; a tab or newline in a value cannot break the layout.
func TestTextTableAlignsWideCharacters(t *testing.T) {
	tb := &textTable{}
	tb.add([]string{"tech_id", "tech_name", "pay"})
	tb.add([]string{"T1", "唐艳", "7203.39"})
	tb.add([]string{"T22", "Ａ组\t王", "1.00"})
	tb.add([]string{"T3", "Li\nMing", "0.00"})
	var b strings.Builder
	if err := tb.write(&b); err != nil {
		t.Fatal(err)
	}
	want := "tech_id  tech_name  pay\n" +
		"T1       唐艳       7203.39\n" +
		"T22      Ａ组 王    1.00\n" +
		"T3       Li Ming    0.00\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	for _, c := range []struct {
		s string
		w int
	}{{"abc", 3}, {"唐艳", 4}, {"Ａ1", 3}, {"¥12", 3}, {"", 0}} {
		if got := displayWidth(c.s); got != c.w {
			t.Errorf("displayWidth(%q) = %d, want %d", c.s, got, c.w)
		}
	}
}
