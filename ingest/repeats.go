package ingest

import (
	"strconv"
	"strings"
	"sync"

	"github.com/aftersales/aftersales/internal/msg"
)

// Rows of one file that repeat an earlier row's natural key. The later row wins (README: which
// row wins), which is right for an export that lists a corrected row twice, and silently wrong
// for one that is not the kind it looks like: a "work orders" export with a row per labour line
// repeats each order, and its later row alone would stay in raw_work_orders, its amounts with
// it. So the file's line says how many rows were replaced so, with the first example (its row,
// the earlier row's and the key), and ingest_files.message keeps the same words.
//
// The rows are told apart by their key hash (keyHash, 64-bit FNV-1a): two different keys of one
// file hash alike with a probability of about n²/2⁶⁵ — 3·10⁻⁸ for a million rows — and would
// then be named a repeat they are not; nothing else depends on it.

// keySeen is an open-addressing set of one file's key hashes with the row each was first seen
// on. Its slots come from a pool and only the prefix a file needs is cleared and used, so the
// thousands of small files of a month cost no allocation (a Go map per file cost more than the
// probe itself).
type keySeen struct {
	slots []keySlot // len is a power of two; h == 0 marks an empty slot
	n     int
}

type keySlot struct {
	h   uint64
	row int
}

var keySeenPool = sync.Pool{New: func() any { return &keySeen{} }}

// newKeySeen returns an empty set sized for about rows keys.
func newKeySeen(rows int) *keySeen {
	s := keySeenPool.Get().(*keySeen)
	size := 1024
	for size < 2*rows && size < 1<<22 {
		size *= 2
	}
	s.resize(size)
	return s
}

// release returns the set to the pool; one grown past a large file's size is dropped.
func (s *keySeen) release() {
	if cap(s.slots) > 1<<22 {
		return
	}
	keySeenPool.Put(s)
}

// resize empties the set and gives it size slots, reusing its array when it is large enough.
func (s *keySeen) resize(size int) {
	if cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		s.slots = make([]keySlot, size)
	}
	s.n = 0
}

// add records h on row; when h was seen before it returns the earlier row and true instead.
func (s *keySeen) add(h uint64, row int) (int, bool) {
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	if 2*(s.n+1) > len(s.slots) {
		old := append([]keySlot(nil), s.slots...)
		s.resize(2 * len(s.slots))
		for _, o := range old {
			if o.h != 0 {
				s.put(o)
			}
		}
	}
	mask := uint64(len(s.slots) - 1)
	for i := (h ^ h>>29) & mask; ; i = (i + 1) & mask {
		switch s.slots[i].h {
		case 0:
			s.slots[i] = keySlot{h, row}
			s.n++
			return 0, false
		case h:
			return s.slots[i].row, true
		}
	}
}

func (s *keySeen) put(o keySlot) {
	mask := uint64(len(s.slots) - 1)
	for i := (o.h ^ o.h>>29) & mask; ; i = (i + 1) & mask {
		if s.slots[i].h == 0 {
			s.slots[i] = o
			s.n++
			return
		}
	}
}

// repeats counts a file's rows that repeat an earlier row's key, with the first of them.
type repeats struct {
	n          int
	row, first int    // the first repeating row and the row it repeats
	key        string // that key, as "label value" pairs
}

func (r *repeats) note(k *Kind, row *Row, earlier int, lang string) {
	r.n++
	if r.n > 1 {
		return
	}
	r.row, r.first = row.Number, earlier
	var parts []string
	for _, col := range k.keyCols {
		c := &k.Columns[col]
		if c.Name == "store_id" && len(k.keyCols) > 1 {
			continue // one store per file, nearly always: the rest of the key tells the rows apart
		}
		v := row.Values[col]
		text := v.S
		if text == "" && !v.Null {
			text = strconv.FormatInt(v.I, 10)
		}
		parts = append(parts, columnLabel(c, lang)+" "+text)
	}
	r.key = strings.Join(parts, ", ")
}

// message is the file's note for ingest_files.message and its line, or "" without repeats.
func (r *repeats) message(lang string) string {
	if r.n == 0 {
		return ""
	}
	return msg.T(lang, "%d row(s) repeat the key of an earlier row of this file and replaced it (the later row of a key is kept): the first, row %d, has the %s of row %d. An export that lists one record on several rows (one per labour line, part or warehouse) keeps only the last of them: check the file",
		r.n, r.row, r.key, r.first)
}

// columnLabel is how a message names a column: its first Chinese alias in Chinese, else its name.
func columnLabel(c *Column, lang string) string {
	if lang != msg.EN {
		for _, a := range c.Aliases {
			if strings.IndexFunc(a, func(r rune) bool { return r >= 0x2e80 }) >= 0 {
				return a
			}
		}
	}
	return c.Name
}
