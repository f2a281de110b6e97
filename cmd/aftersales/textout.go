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

// flatten keeps a value on its line: a tab, newline or carriage return becomes a space.
var flatten = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

func (t *textTable) add(cells []string) {
	r := make([]string, len(cells))
	for i, c := range cells {
		c = flatten.Replace(c)
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
