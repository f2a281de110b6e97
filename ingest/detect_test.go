package ingest

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aftersales/aftersales/ingest/read"
	"github.com/aftersales/aftersales/internal/parse"
)

// detectHeaderRef is kind detection as it was before the ASCII shortcut: every cell folded by
// HeaderKey and looked up in every candidate kind's aliases.
func detectHeaderRef(head [][]string, hint *Kind) string {
	cands := kinds
	if hint != nil {
		cands = []*Kind{hint}
	}
	type match struct {
		row     int
		kind    *Kind
		mapping []int
		matched int
		missing []string
	}
	var best *match
	for r, cells := range head {
		var keys []string
		for _, cell := range cells {
			keys = append(keys, parse.HeaderKey(cell))
		}
		for _, k := range cands {
			m := &match{row: r, kind: k, mapping: make([]int, len(k.Columns))}
			for i := range m.mapping {
				m.mapping[i] = -1
			}
			ai := aliasIndex[k.Name]
			for j, key := range keys {
				if col, ok := ai[key]; ok && m.mapping[col] < 0 {
					m.mapping[col] = j
					m.matched++
				}
			}
			if m.matched < 2 {
				continue
			}
			for i, c := range k.Columns {
				if c.Required && m.mapping[i] < 0 && i != 0 {
					m.missing = append(m.missing, c.label())
				}
			}
			if best == nil || (len(m.missing) == 0) && len(best.missing) > 0 ||
				(len(m.missing) == 0) == (len(best.missing) == 0) && m.matched > best.matched ||
				(len(m.missing) == 0) == (len(best.missing) == 0) && m.matched == best.matched && m.row == best.row && len(k.Columns) < len(best.kind.Columns) {
				best = m
			}
		}
	}
	if best == nil {
		return "none"
	}
	if len(best.missing) > 0 {
		return fmt.Sprintf("row %d: %s missing %v", best.row, best.kind.Name, best.missing)
	}
	return fmt.Sprintf("row %d: %s %v", best.row, best.kind.Name, best.mapping)
}

func detectHeaderResult(head [][]string, hint *Kind) string {
	row, k, mapping, err := detectHeader(head, hint, detectOpts{})
	switch {
	case err == errNoValues || (err != nil && strings.HasPrefix(err.Error(), "no header row")):
		return "none"
	case err != nil && k == nil && (strings.Contains(err.Error(), "are missing") || strings.Contains(err.Error(), "but it has no ")):
		// the message names the kind and the missing columns; compare their order too
		for _, kk := range kinds {
			if strings.HasPrefix(err.Error(), "looks like "+kk.Name+" ") {
				var missing []string
				for _, c := range kk.Columns {
					if strings.Contains(err.Error(), c.label()) && c.Required {
						missing = append(missing, c.label())
					}
				}
				return fmt.Sprintf("row %d: %s missing %v", row, kk.Name, missing)
			}
		}
		return err.Error()
	case err != nil:
		return err.Error()
	}
	return fmt.Sprintf("row %d: %s %v", row, k.Name, mapping)
}

// Kind detection finds what it found before the ASCII shortcut: on the first rows of every
// fixture and on random heads mixing every kind's names and aliases (canonical, Chinese, full
// width, upper case, with units and separators) with data cells, title rows and empty cells.
func TestDetectHeaderEqualsReference(t *testing.T) {
	var heads [][][]string
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		src, err := read.Open(f, "")
		if err != nil {
			continue
		}
		var head [][]string
		for len(head) < headerScanRows {
			cells, _, err := src.Next()
			if err != nil {
				break
			}
			head = append(head, append([]string(nil), cells...))
		}
		src.Close()
		heads = append(heads, head)
	}
	if len(heads) < 10 {
		t.Fatalf("only %d fixtures read", len(heads))
	}
	rng := rand.New(rand.NewSource(7))
	variants := func(s string) string {
		switch rng.Intn(6) {
		case 0:
			return strings.ToUpper(s)
		case 1:
			return " " + s + " (元) "
		case 2:
			return strings.ReplaceAll(s, "_", "-") + "[h]"
		case 3:
			return parse.HeaderKey(s) + "\u3000"
		case 4:
			return strings.Map(func(r rune) rune { // full width
				if r > ' ' && r < 0x7f {
					return r + 0xfee0
				}
				return r
			}, s)
		}
		return s
	}
	data := []string{"2026-03-01 08:30", "ORD-000123", "1200.50", "张三", "", "合计", "LSVAB4180E2123456", "(x)", "a-b_c"}
	for i := 0; i < 3000; i++ {
		var head [][]string
		for r := rng.Intn(6); r >= 0; r-- {
			var row []string
			for c := rng.Intn(14); c >= 0; c-- {
				if rng.Intn(3) == 0 {
					k := kinds[rng.Intn(len(kinds))]
					col := k.Columns[rng.Intn(len(k.Columns))]
					name := col.Name
					if len(col.Aliases) > 0 && rng.Intn(2) == 0 {
						name = col.Aliases[rng.Intn(len(col.Aliases))]
					}
					row = append(row, variants(name))
				} else {
					row = append(row, data[rng.Intn(len(data))])
				}
			}
			head = append(head, row)
		}
		heads = append(heads, head)
	}
	detected := 0
	for i, head := range heads {
		for _, hint := range []*Kind{nil, kinds[i%len(kinds)]} {
			want, got := detectHeaderRef(head, hint), detectHeaderResult(head, hint)
			if got != want {
				t.Fatalf("head %q (hint %v):\ngot  %s\nwant %s", head, hint != nil, got, want)
			}
			if want != "none" {
				detected++
			}
		}
	}
	if detected < 1000 {
		t.Fatalf("only %d heads with a header: the random heads do not test much", detected)
	}
}
