package read

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
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
	merged map[int][]mergedCell // row → cells covered by a merge (1-based)
	buf    []string
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
	if sheet == "" {
		sheet = sheets[0]
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
	s := &xlsxSource{f: f, rows: rows, inf: Info{Format: "xlsx", Sheet: sheet}}
	s.inf.XLSX, s.inf.Date1904, s.inf.NumericCell = true, d1904, s.numericCell
	if mcs, err := f.GetMergeCells(sheet); err == nil && len(mcs) > 0 {
		s.merged = map[int][]mergedCell{}
		total := 0
		for _, mc := range mcs {
			c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
			c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
			if err1 != nil || err2 != nil {
				continue
			}
			total += (c2 - c1 + 1) * (r2 - r1 + 1)
			if total > 1_000_000 {
				break
			}
			v := mc.GetCellValue()
			for r := r1; r <= r2; r++ {
				for c := c1; c <= c2; c++ {
					s.merged[r] = append(s.merged[r], mergedCell{c, v})
				}
			}
		}
	}
	return s, nil
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
	if s.merged != nil {
		for _, m := range s.merged[s.row] {
			for len(cols) < m.col {
				cols = append(cols, "")
			}
			cols[m.col-1] = m.value
		}
	}
	return cols, s.row, nil
}

// numericCell asks the cell's stored type; used only for the rare ID cell that looks like a number.
func (s *xlsxSource) numericCell(row, col int) bool {
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

type mergedCell struct {
	col   int
	value string
}
