// Package xlsxw writes workbooks safely: data values are always written as values (a text
// beginning with = + - @ stays text, never a formula), money as numbers with a ¥ format,
// and every file goes to a temporary name first and is renamed into place.
package xlsxw

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/marcboeker/go-duckdb/v2"
	"github.com/xuri/excelize/v2"
)

// Cell converts a database value into a value excelize writes as data: decimals become
// float64 only for display in a cell (the exact text is what the database holds).
func Cell(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		if x.Value == nil {
			return nil
		}
		return DecimalFloat(x)
	case []any:
		return CleanText(fmt.Sprint(x))
	case string:
		return excelize.Cell{Value: CleanText(x)}
	case time.Time:
		return x
	}
	return v
}

// SafeText returns a cell value that excelize writes as plain text.
func SafeText(s string) excelize.Cell { return excelize.Cell{Value: s} }

// WriteTable writes one sheet with a header row, frozen, to path (temp file, then rename).
func WriteTable(path, sheet string, cols []string, rows [][]any) error {
	t, err := NewTable(sheet, cols)
	if err != nil {
		return err
	}
	defer t.Close()
	for _, r := range rows {
		if err := t.Add(r); err != nil {
			return err
		}
	}
	return t.Save(path)
}

// MaxSheetRows is the data rows a sheet holds below its header (Excel's 1,048,576 rows less one).
var MaxSheetRows = 1_048_575

// Table writes rows to a workbook as they come (a stream writer: rows are not held in memory).
// A sheet that is full continues on a new one, "name (2)", "name (3)", …, each with the header.
type Table struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	name  string
	hdr   []any
	sheet int // sheets begun
	row   int // data rows on the current sheet
	Rows  int // data rows in all
}

// NewTable begins a workbook whose first sheet is name, with the header cols (frozen).
func NewTable(name string, cols []string) (*Table, error) {
	t := &Table{f: excelize.NewFile(), name: name}
	for _, c := range cols {
		t.hdr = append(t.hdr, c)
	}
	if err := t.f.SetSheetName("Sheet1", name); err != nil {
		t.f.Close()
		return nil, err
	}
	if err := t.begin(name); err != nil {
		t.f.Close()
		return nil, err
	}
	return t, nil
}

func (t *Table) begin(sheet string) error {
	if t.sw != nil {
		if err := t.sw.Flush(); err != nil {
			return err
		}
		if _, err := t.f.NewSheet(sheet); err != nil {
			return err
		}
	}
	sw, err := t.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	t.sw, t.sheet, t.row = sw, t.sheet+1, 0
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return sw.SetRow("A1", t.hdr)
}

// Add writes one row (values as Cell makes them).
func (t *Table) Add(r []any) error {
	if t.row == MaxSheetRows {
		if err := t.begin(fmt.Sprintf("%s (%d)", t.name, t.sheet+1)); err != nil {
			return err
		}
	}
	t.row++
	t.Rows++
	cell, err := excelize.CoordinatesToCellName(1, t.row+1)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, r)
}

// Sheets is the number of sheets begun.
func (t *Table) Sheets() int { return t.sheet }

// Save finishes the workbook and writes it to path (a temporary name, then renamed).
func (t *Table) Save(path string) error {
	if err := t.sw.Flush(); err != nil {
		return err
	}
	return Save(t.f, path)
}

// Close releases the workbook's temporary files.
func (t *Table) Close() error { return t.f.Close() }

func Save(f *excelize.File, path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".aftersales-*.xlsx.tmp")
	if err != nil {
		return msg.Errorf("cannot write in %s: %w", dir, err)
	}
	name := tmp.Name()
	// a temporary file is private (0600); the workbook is for whoever may read the folder
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := f.Write(tmp); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return openElsewhere(path, err)
	}
	return nil
}

// openElsewhere names the usual cause when a workbook cannot be replaced on Windows: the old
// one is open in Excel or WPS, which lock the files they show (elsewhere a rename over an open
// file succeeds, and err stays as it is).
func openElsewhere(path string, err error) error {
	if runtime.GOOS != "windows" || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	if _, serr := os.Stat(path); serr != nil {
		return err
	}
	return msg.Errorf("%s is open in another program (Excel or WPS?): close it there and run again; it was not changed", path)
}

// CleanText makes data text safe for a cell: control characters that XML 1.0 forbids are
// dropped (tab, newline and carriage return stay) and the text is cut to Excel's limit of
// 32,767 characters.
func CleanText(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
				return -1
			}
			return r
		}, s)
	}
	if utf8.RuneCountInString(s) > 32767 {
		s = string([]rune(s)[:32767])
	}
	return s
}

// DecimalFloat is a DECIMAL as the nearest float64, for display in a cell or a chart only.
func DecimalFloat(d duckdb.Decimal) float64 {
	f, _ := new(big.Rat).SetFrac(d.Value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil)).Float64()
	return f
}
