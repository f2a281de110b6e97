package main

import (
	"context"
	"database/sql"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

type dbQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// textTable aligns columns by their width on a terminal: a Chinese character takes two columns
// (text/tabwriter counts it as one, so names like 唐艳 pushed the next columns out of line).
type textTable struct {
	rows   [][]string
	widths []int
}

func (t *textTable) add(cells []string) {
	r := make([]string, len(cells))
	for i, c := range cells {
		c = termSafe(c, false)
		r[i] = c
		if i >= len(t.widths) {
			t.widths = append(t.widths, 0)
		}
		t.widths[i] = max(t.widths[i], displayWidth(c))
	}
	t.rows = append(t.rows, r)
}

// write prints the rows, each cell but the last padded to its column's width plus two spaces.
func (t *textTable) write(w io.Writer) error {
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", t.widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// displayWidth is the columns a text takes on a terminal: East Asian wide and full-width
// characters two, others one.
func displayWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// termSafe keeps text from the data (names, ids, file names, messages that quote them) from
// steering the terminal it is printed on: a value may hold escape sequences (colours, a window
// title, OSC 52 writes to the clipboard) or bidirectional overrides that reorder what is shown.
// C0 control characters become their Unicode control pictures (ESC → ␛, BEL → ␇), DEL ␡; C1
// controls, bidi embeddings, overrides and isolates, and invalid UTF-8 become U+FFFD. A tab,
// newline or carriage return becomes a space, so that a table cell keeps to its line; with lines
// (a message of several lines) newlines and tabs stay.
func termSafe(s string, lines bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && !(lines && (c == '\n' || c == '\t')) || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s // printable ASCII: the usual case
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			if lines && r != '\r' {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune(0x2421)
		case r >= 0x80 && r < 0xa0, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			b.WriteRune(utf8.RuneError)
		default: // (an invalid byte decodes as RuneError and is written as U+FFFD)
			b.WriteRune(r)
		}
	}
	return b.String()
}
