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

// TestTermSafe: text from the data never reaches the terminal as a control sequence.
func TestTermSafe(t *testing.T) {
	for _, c := range []struct {
		in    string
		lines bool
		want  string
	}{
		{"S001 唐艳 ¥12", false, "S001 唐艳 ¥12"},
		{"ab\x1b[31mRED\x07", false, "ab␛[31mRED␇"},
		{"\x1b]52;c;ZXZpbA==\x07", true, "␛]52;c;ZXZpbA==␇"}, // OSC 52: a write to the clipboard
		{"a\x00b\x7fc", false, "a␀b␡c"},
		{"中\u202eabc\u2066x\u200f", false, "中\ufffdabc\ufffdx\ufffd"},
		{"c1\u009bx", false, "c1\ufffdx"},
		{"bad\xffbyte", false, "bad\ufffdbyte"},
		{"line one\n\tline two\r\n", true, "line one\n\tline two \n"},
		{"line one\n\tline two\r\n", false, "line one  line two  "},
	} {
		if got := termSafe(c.in, c.lines); got != c.want {
			t.Errorf("termSafe(%q, %v) = %q, want %q", c.in, c.lines, got, c.want)
		}
	}
	tb := &textTable{}
	tb.add([]string{"ab\x1b[2Jc"})
	var b strings.Builder
	tb.write(&b)
	if strings.ContainsRune(b.String(), 0x1b) {
		t.Errorf("a table cell printed ESC: %q", b.String())
	}
}
