// Package xlsxw writes workbooks safely: data values are always written as values (a text
// beginning with = + - @ stays text, never a formula), money as numbers with a ¥ format,
// and every file goes to a temporary name first and is renamed into place.
package xlsxw

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

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
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = c
	}
	sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, r); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return Save(f, path)
}

// Save writes the workbook to a temporary file beside path and renames it into place, so an
// unwritable or full disk leaves any earlier file intact.
func Save(f *excelize.File, path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".aftersales-*.xlsx.tmp")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	name := tmp.Name()
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
		return err
	}
	return nil
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
