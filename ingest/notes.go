package ingest

// Notes on a loaded file, said on its line and kept in ingest_files.message: rows that repeat
// an earlier row's key, columns not read, a workbook's sheets not read.

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/aftersales/aftersales/ingest/read"
	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
)

// Rows of one file that repeat an earlier row's natural key. The later row wins (DETAILS.md: which
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
// thousands of small files of a month allocate nothing for it.
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
		parts = append(parts, c.Title(lang)+" "+text)
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

// columnsNote: the columns of the kind that no header of the file was read as, when the file
// also has headers that were not read — one of them may hold that data under a name the aliases
// lack (a "工时金额" for 工时费), and the column would load as empty, its amounts as 0, without a
// word. Only columns some model computes with are named (not a plate or a job's text); a
// header that shares two or more characters with a missing column's name or alias, once the
// words every amount has (金额, 费, …) are set aside, is named as what it may be.
func columnsNote(k *Kind, header []string, mapping []int, a *Aliases, lang string) string {
	var missing []*Column
	for i := range k.Columns {
		c := &k.Columns[i]
		if i != 0 && !c.Required && !c.Display && mapping[i] < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	var headers []string
	for _, j := range unreadCells(header, mapping) {
		if readAgain(k, header[j], mapping, a) < 0 { // (a header of a column read is repeatedHeadersNote's)
			headers = append(headers, parse.Trim(header[j]))
		}
	}
	if len(headers) == 0 {
		return ""
	}
	sep := ", "
	if lang != msg.EN {
		sep = "、"
	}
	var unread []string
	for _, t := range headers[:min(len(headers), 8)] {
		u := strconv.Quote(t)
		if c := likelyColumn(t, missing); c != nil {
			u = msg.T(lang, "%s (perhaps %s)", u, c.Title(lang))
		}
		unread = append(unread, u)
	}
	// each with what it loads as when it has a default (an amount 0, a yes/no column false)
	names := make([]string, len(missing))
	defaulted := false
	for i, c := range missing {
		names[i] = c.Title(lang)
		switch {
		case c.Default == "":
		case c.Type == Bool && c.Default == "false":
			names[i], defaulted = names[i]+" = "+msg.T(lang, "false"), true
		default:
			names[i], defaulted = names[i]+" = "+c.Default, true
		}
	}
	list := strings.Join(unread, sep)
	if len(headers) > len(unread) {
		list += msg.T(lang, " and %d more", len(headers)-len(unread))
	}
	if !defaulted {
		return msg.T(lang, "Columns not read: %s. No column was read as %s: they are empty. If a column not read holds one of them, rename its header to an accepted name (`aftersales columns %s` lists them) and ingest the file again",
			list, strings.Join(names, sep), k.Name)
	}
	return msg.T(lang, "Columns not read: %s. No column was read as %s: they are empty, or the value shown. If a column not read holds one of them, rename its header to an accepted name (`aftersales columns %s` lists them) and ingest the file again",
		list, strings.Join(names, sep), k.Name)
}

// repeatedHeadersNote names the headers that map to a column another header of the file already
// gave (two 工时费 columns, or 工时费 beside labor_amount): the first is read, and an export whose
// two columns hold different amounts would otherwise lose the second without a word.
func repeatedHeadersNote(k *Kind, header []string, mapping []int, pairs map[int]timePair, a *Aliases, lang string) string {
	var notes []string
	for _, j := range unreadCells(header, mapping) {
		if i := readAgain(k, header[j], mapping, a); i >= 0 {
			if p, ok := pairs[i]; ok && (p.date == j || p.time == j) {
				continue // the date or time of day of a column given in two (timePairs)
			}
			notes = append(notes, msg.T(lang, "column %d %q and column %d %q are both %s: column %d was read, column %d was not",
				mapping[i]+1, parse.Trim(header[mapping[i]]), j+1, parse.Trim(header[j]), k.Columns[i].Title(lang), mapping[i]+1, j+1))
		}
	}
	if len(notes) == 0 {
		return ""
	}
	sep := "; "
	if lang != msg.EN {
		sep = "；"
	}
	return msg.T(lang, "Headers repeated: %s. If a column not read holds something else, give it its own header (`aftersales columns %s` lists them) and ingest the file again", strings.Join(notes, sep), k.Name)
}

// unreadHeaders: the header row's texts that no column of the kind took (mapping), trimmed,
// empty cells left out.
func unreadHeaders(header []string, mapping []int) []string {
	var out []string
	for _, j := range unreadCells(header, mapping) {
		out = append(out, parse.Trim(header[j]))
	}
	return out
}

// unreadCells: the positions of the header row's non-empty cells that no column of the kind
// took (mapping).
func unreadCells(header []string, mapping []int) []int {
	taken := map[int]bool{}
	for _, j := range mapping {
		taken[j] = true
	}
	var out []int
	for j, cell := range header {
		if parse.Trim(cell) != "" && !taken[j] {
			out = append(out, j)
		}
	}
	return out
}

// readAgain is the column a header not read names — by the built-in headers or those the
// aliases file a declares — when another header of the row was read as that column (a repeated
// 工时费), or -1.
func readAgain(k *Kind, cell string, mapping []int, a *Aliases) int {
	key := parse.HeaderKey(cell)
	i, ok := aliasIndex[k.Name][key]
	if !ok {
		i, ok = a.header(k.Name, key)
	}
	if ok && mapping[i] >= 0 {
		return i
	}
	return -1
}

// genericWords are what headers of amounts and counts share whatever they hold.
var genericWords = []string{"金额", "费用", "合计", "总额", "小计", "费", "额", "元", "amount", "amt"}

// likelyColumn is the one missing column a header shares the longest run of characters with
// (its name or an alias, generic words set aside) — two Chinese characters or four Latin ones at
// least — or nil when none or two do.
func likelyColumn(header string, missing []*Column) *Column {
	strip := func(s string) []rune {
		s = parse.HeaderKey(s)
		for _, w := range genericWords {
			s = strings.ReplaceAll(s, w, " ")
		}
		return []rune(s)
	}
	h := strip(header)
	var best *Column
	bestLen, tie := 3, false
	for _, c := range missing {
		n := 0
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			n = max(n, commonRun(h, strip(name)))
		}
		switch {
		case n > bestLen:
			best, bestLen, tie = c, n, false
		case n == bestLen && best != nil && best != c:
			tie = true
		}
	}
	if tie {
		return nil
	}
	return best
}

// commonRun is the weight of the longest run of runes a and b share (a space ends a run): a
// Chinese character weighs 2, any other 1.
func commonRun(a, b []rune) int {
	best := 0
	for i := range a {
		for j := range b {
			w := 0
			for n := 0; i+n < len(a) && j+n < len(b) && a[i+n] == b[j+n] && a[i+n] != ' '; n++ {
				w++
				if a[i+n] >= 0x2e80 {
					w++
				}
			}
			best = max(best, w)
		}
	}
	return best
}

// sheetsNote: a workbook read by its default sheet names its other visible sheets that hold
// values (read.Info.Others), and how to load one.
func sheetsNote(inf read.Info, lang string) string {
	if len(inf.Others) == 0 {
		return ""
	}
	quoted := make([]string, len(inf.Others))
	for i, o := range inf.Others {
		quoted[i] = strconv.Quote(o)
	}
	return msg.T(lang, "Only sheet %q of this workbook was read; it also has %s, not read: to load one, run the same command with --sheet NAME and this file",
		inf.Sheet, strings.Join(quoted, ", "))
}

// instantsNote: a Parquet file's timestamps that carry a time zone were read as the stores'
// local time (openParquet); the line names them, so a file whose local readings were labelled
// UTC by mistake shows at once (its times would then be moved by the zone's offset).
func instantsNote(inf read.Info, lang string) string {
	if len(inf.Instants) == 0 {
		return ""
	}
	return msg.T(lang, "Column(s) %s hold timestamps with a time zone (instants): read as local time in %s (--timezone)",
		strings.Join(inf.Instants, ", "), inf.Zone)
}

// headerRepeats finds the header row again among the data: an export written page by page (a
// print layout saved as a sheet, or files joined with their headers) repeats it, and with it,
// often, the title rows above it and a page number (第 2 页 共 5 页). Such rows hold no data; they
// were rejected as row errors that listed every column's complaint. They are skipped, counted as
// skipped, and the file's line says so (message). A row is the header again when each cell the
// kind reads is the header's cell, trimmed (a data row differs at its first); a title again when
// its non-empty cells are those of a row above the header, in the same places; a page number when
// its one non-empty cell is only that.
type headerRepeats struct {
	header   []string // trimmed, as are the titles' cells: a row's cells are trimmed only when they differ
	mapping  []int
	titles   [][]string // the rows above the header that hold a value
	n, first int        // rows found, and the first's row number
}

// newHeaderRepeats: the header is head[hi]; the rows above it that hold a value are its titles.
func newHeaderRepeats(head [][]string, hi int, mapping []int) *headerRepeats {
	h := &headerRepeats{header: trimmed(head[hi]), mapping: mapping}
	for _, t := range head[:hi] {
		if firstNonEmpty(t) >= 0 {
			h.titles = append(h.titles, trimmed(t))
		}
	}
	return h
}

func trimmed(cells []string) []string {
	t := make([]string, len(cells))
	for i, c := range cells {
		t[i] = parse.Trim(c)
	}
	return t
}

var pageNumber = regexp.MustCompile(`^(?:第\s*[0-9]+\s*页\s*[,，/、]?\s*(?:共\s*[0-9]+\s*页)?|共\s*[0-9]+\s*页\s*[,，/、]?\s*第\s*[0-9]+\s*页|(?i:page\s*[0-9]+(?:\s*(?:of|/)\s*[0-9]+)?))$`)

// is reports whether cells, row rowNum, repeat the header or a title, or number a page, and
// counts it.
func (h *headerRepeats) is(cells []string, rowNum int, first int) bool {
	if !h.header1(cells) && !h.title(cells) && !(onlyCell(cells, first) && pageNumber.MatchString(parse.Trim(cells[first]))) {
		return false
	}
	if h.n == 0 {
		h.first = rowNum
	}
	h.n++
	return true
}

func (h *headerRepeats) header1(cells []string) bool {
	named := false
	for _, j := range h.mapping {
		if j < 0 {
			continue
		}
		if !sameCell(cells, h.header, j) {
			return false
		}
		named = named || j < len(h.header) && h.header[j] != ""
	}
	return named
}

func (h *headerRepeats) title(cells []string) bool {
rows:
	for _, t := range h.titles {
		for j := 0; j < max(len(t), len(cells)); j++ {
			if !sameCell(cells, t, j) {
				continue rows
			}
		}
		return true
	}
	return false
}

// sameCell: row a holds at column j, trimmed, the text of the trimmed row b (a row shorter than j
// holds ""). A data row's cell is trimmed only when it is longer than b's (a trimmed cell of the
// same length or shorter than b's differs from it when the cell does): most are not.
func sameCell(a, b []string, j int) bool {
	var x, y string
	if j < len(a) {
		x = a[j]
	}
	if j < len(b) {
		y = b[j]
	}
	return x == y || len(x) > len(y) && parse.Trim(x) == y
}

// onlyCell: no cell after cells[first] holds a value (a data row's next cell nearly always does).
func onlyCell(cells []string, first int) bool {
	for _, c := range cells[first+1:] {
		if parse.Trim(c) != "" {
			return false
		}
	}
	return true
}

func (h *headerRepeats) message(lang string) string {
	switch h.n {
	case 0:
		return ""
	case 1:
		return msg.T(lang, "Row %d repeats the header or a title row, or numbers a page: skipped", h.first)
	}
	return msg.T(lang, "%d rows repeat the header or a title row, or number a page (the first is row %d): skipped", h.n, h.first)
}

// timePair: a timestamp column given as two columns of one stem, a date and a time of day
// (进厂日期 and 进厂时间, 出入库日期 and 出入库时间), as some exports write it. Both headers name the
// column; read alone, the date lost its time and the time had no date (a row error). The row's
// value is the date with the time of day (parseTimePair).
type timePair struct{ date, time int }

// timePairs finds them among the header's cells: for each timestamp column read, an unread cell
// naming it again whose header and the read one are one stem with 日期 and 时间. The column's
// date cell is returned as pairs[col].date (the caller reads the column there).
func timePairs(k *Kind, header []string, mapping []int, a *Aliases) map[int]timePair {
	var pairs map[int]timePair
	for _, j := range unreadCells(header, mapping) {
		i := readAgain(k, header[j], mapping, a)
		if i < 0 || k.Columns[i].Type != Timestamp {
			continue
		}
		if _, done := pairs[i]; done {
			continue
		}
		stemA, dateA := dateOrTime(header[mapping[i]])
		stemB, dateB := dateOrTime(header[j])
		if stemA == "" || stemA != stemB || dateA == dateB {
			continue
		}
		p := timePair{date: mapping[i], time: j}
		if dateB {
			p = timePair{date: j, time: mapping[i]}
		}
		if pairs == nil {
			pairs = map[int]timePair{}
		}
		pairs[i] = p
	}
	return pairs
}

// dateOrTime: a header's stem before 日期 (date true) or 时间 (date false); "" for neither.
func dateOrTime(header string) (stem string, date bool) {
	k := parse.HeaderKey(header)
	if s, ok := strings.CutSuffix(k, "日期"); ok {
		return s, true
	}
	s, _ := strings.CutSuffix(k, "时间")
	if s == k {
		return "", false
	}
	return s, false
}
