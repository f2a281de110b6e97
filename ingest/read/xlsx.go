package read

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSource reads one sheet of a workbook with raw cell values (not the formatted text,
// which rounds numbers and writes dates in the locale's form). Merged cells take the value
// of their anchor cell, so a merged header (or a merged order number over its lines) is
// seen in every cell it covers.
type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	row    int
	inf    Info
	path   string
	merges []mergeRange // by first row; each takes its anchor's value when its first row is read
	// numeric: per column asked about, the rows of its number cells whose value has a '.' or an
	// exponent, read from the worksheet part when the column is first asked about (numericErr:
	// fall back to excelize)
	numeric    map[int]map[int]bool
	numericErr error
	next       int           // merges[next:] start below the current row
	active     []activeMerge // merges covering the current row
}

// mergeRange is a merged area, 1-based and inclusive.
type mergeRange struct{ c1, r1, c2, r2 int }

type activeMerge struct {
	mergeRange
	value string
}

// OpenXLSX opens one sheet (the first when sheet is empty) with raw cell values.
func OpenXLSX(path, sheet string) (Source, error) {
	if err := checkZipSizes(path); err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, Errorf("cannot read the workbook: %v (is it a real .xlsx? save it again from Excel)", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, Errorf("the workbook has no sheets")
	}
	var others []string
	if sheet == "" {
		// the first sheet the user sees: CONTRACT §1 says "first sheet unless told", and a
		// hidden first sheet (a DMS's metadata or lookup sheet) is not what anyone opening the
		// workbook would call the first; all hidden: the first
		sheet = sheets[0]
		first := true
		for _, sh := range sheets {
			if v, err := f.GetSheetVisible(sh); err == nil && v {
				if first {
					sheet, first = sh, false
				} else if sheetHasValue(f, sh) {
					others = append(others, sh)
				}
			}
		}
	} else if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		f.Close()
		return nil, Errorf("the workbook has no sheet %q (it has: %v)", sheet, sheets)
	}
	d1904 := false
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		d1904 = *p.Date1904
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, Errorf("cannot read sheet %q: %v", sheet, err)
	}
	s := &xlsxSource{f: f, rows: rows, path: path, inf: Info{Format: "xlsx", Sheet: sheet, Sheets: sheets, Others: others}}
	s.inf.XLSX, s.inf.Date1904, s.inf.NumericCell = true, d1904, s.numericCell
	s.inf.Props = func() (string, string) { return docProps(f) }
	s.merges = mergeRanges(f, path, sheet)
	return s, nil
}

// OwnWorkbook reports whether the workbook at path was written by aftersales (a monthly report
// or payroll sheet: document creator "aftersales"), and its title.
func OwnWorkbook(path string) (title string, ok bool) {
	if checkZipSizes(path) != nil {
		return "", false
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	creator, title := docProps(f)
	return title, creator == OwnCreator
}

// OwnCreator is the document creator of the workbooks aftersales writes (internal/workbook).
const OwnCreator = "aftersales"

func docProps(f *excelize.File) (creator, title string) {
	p, err := f.GetDocProps()
	if err != nil {
		return "", ""
	}
	return p.Creator, p.Title
}

// maxDeflateRatio bounds how much one compressed byte can expand: deflate's limit is
// about 1032:1, so 1100 leaves room for headers. A part that claims more than that was
// damaged (or crafted), and excelize would reserve its claimed size in memory up front:
// a 6 kB workbook whose workbook.xml claims 4 GB made the reader allocate 4 GB.
const maxDeflateRatio = 1100

// maxHeldPart bounds a part that excelize reads whole into memory.
const maxHeldPart = 256 << 20

func streamedPart(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	return strings.HasPrefix(n, "xl/worksheets/sheet") || n == "xl/sharedstrings.xml"
}

// checkZipSizes reads the workbook's directory and refuses a part whose claimed sizes
// cannot be true (more compressed bytes than the file has, more bytes than they can
// inflate to), before excelize reserves the claimed size in memory. excelize falls back to
// reading a worksheet whole when streaming it fails, so no part is exempt.
func checkZipSizes(path string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return Errorf("cannot read the workbook: %v (is it a real .xlsx? save it again from Excel)", err)
	}
	defer z.Close()
	var fileSize uint64
	if st, err := os.Stat(path); err == nil {
		fileSize = uint64(st.Size())
	}
	for _, e := range z.File {
		if e.CompressedSize64 > fileSize {
			return Errorf("cannot read the workbook: its part %s claims %d compressed bytes in a file of %d, so the file is damaged (save it again from Excel)",
				e.Name, e.CompressedSize64, fileSize)
		}
		limit := e.CompressedSize64*maxDeflateRatio + 64<<10
		if e.Method == zip.Store {
			limit = e.CompressedSize64
		}
		if e.UncompressedSize64 > limit {
			return Errorf("cannot read the workbook: its part %s claims %s from %d compressed bytes, so the file is damaged (save it again from Excel)",
				e.Name, fmtBytes(e.UncompressedSize64), e.CompressedSize64)
		}
		// excelize streams big worksheets and shared strings through temporary files but
		// holds every other part in memory; none of those is anywhere near this size
		if e.UncompressedSize64 > maxHeldPart && !streamedPart(e.Name) {
			return Errorf("cannot read the workbook: its part %s is %s, far more than that part ever is (save it again from Excel)",
				e.Name, fmtBytes(e.UncompressedSize64))
		}
	}
	return nil
}

func fmtBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (s *xlsxSource) Next() ([]string, int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, Errorf("reading sheet %q: %v", s.inf.Sheet, err)
		}
		return nil, 0, io.EOF
	}
	s.row++
	cols, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, Errorf("reading sheet %q row %d: %v", s.inf.Sheet, s.row, err)
	}
	if len(s.merges) > 0 {
		cols = s.applyMerges(cols)
	}
	return cols, s.row, nil
}

// numericCell tells whether a cell holds a number; asked only for the rare ID cell whose text
// looks like a decimal number (e.g. a part number 8E0698151, or 1.38E+10). The answer comes from
// one byte scan of the worksheet part for number cells with a '.' or an exponent; excelize's
// GetCellType would read the whole sheet into memory (a 200,000-row movements export of such
// part numbers: 32 s and 1.1 GB). A part the scan does not understand falls back to excelize.
func (s *xlsxSource) numericCell(row, col int) bool {
	if _, done := s.numeric[col+1]; !done && s.numericErr == nil {
		rows, err := scanNumericCells(s.f, s.path, s.inf.Sheet, col+1)
		if s.numeric == nil {
			s.numeric = map[int]map[int]bool{}
		}
		s.numeric[col+1], s.numericErr = rows, err
	}
	if s.numericErr == nil {
		return s.numeric[col+1][row]
	}
	name, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return false
	}
	t, err := s.f.GetCellType(s.inf.Sheet, name)
	return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset)
}

func (s *xlsxSource) Info() Info { return s.inf }
func (s *xlsxSource) Close() error {
	s.rows.Close()
	return s.f.Close()
}

// applyMerges gives every cell a merge covers the value of the merge's anchor (its top-left
// cell), read when the merge's first row streams by.
func (s *xlsxSource) applyMerges(cols []string) []string {
	for s.next < len(s.merges) && s.merges[s.next].r1 <= s.row {
		m := s.merges[s.next]
		s.next++
		if m.r1 < s.row {
			continue // its first row was not read (the sheet skipped it): no anchor
		}
		v := ""
		if m.c1-1 < len(cols) {
			v = cols[m.c1-1]
		}
		s.active = append(s.active, activeMerge{m, v})
	}
	kept := s.active[:0]
	for _, a := range s.active {
		if a.r2 < s.row {
			continue
		}
		for len(cols) < a.c2 {
			cols = append(cols, "")
		}
		for c := a.c1; c <= a.c2; c++ {
			cols[c-1] = a.value
		}
		kept = append(kept, a)
	}
	s.active = kept
	return cols
}

// maxMergedCells bounds the cells merges may cover, so that a crafted sheet merging a million
// columns cannot make every row that wide.
const maxMergedCells = 1_000_000

// mergeRanges lists the sheet's merged areas, by first row. It reads only the worksheet part's
// <mergeCells> (found by a byte search of the streamed part: they follow the rows); excelize's
// GetMergeCells would read the whole sheet into memory first — a 200,000-row export took 80 s
// and 2.3 GB that way, most of it the collector scanning the held sheet. A workbook this does
// not understand falls back to excelize.
func mergeRanges(f *excelize.File, path, sheet string) []mergeRange {
	refs, err := streamMergeRefs(f, path, sheet)
	if err != nil {
		refs = nil
		mcs, err := f.GetMergeCells(sheet)
		if err != nil {
			return nil
		}
		for _, mc := range mcs {
			refs = append(refs, mc.GetStartAxis()+":"+mc.GetEndAxis())
		}
	}
	var out []mergeRange
	total := 0
	for _, ref := range refs {
		a, b, ok := strings.Cut(ref, ":")
		if !ok {
			b = a
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(a)
		c2, r2, err2 := excelize.CellNameToCoordinates(b)
		if err1 != nil || err2 != nil {
			continue
		}
		c1, c2 = min(c1, c2), max(c1, c2)
		r1, r2 = min(r1, r2), max(r1, r2)
		total += (c2 - c1 + 1) * (r2 - r1 + 1)
		if total > maxMergedCells {
			break
		}
		out = append(out, mergeRange{c1, r1, c2, r2})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].r1 < out[j].r1 })
	return out
}
