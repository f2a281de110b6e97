package ingest

import (
	"fmt"
	"math"
	"strings"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/aftersales/aftersales/internal/parse"
)

// Value is one parsed cell. I carries integers, scaled decimals, booleans (0/1) and
// timestamps (microseconds since 1970-01-01 00:00 of the zone-less wall clock); S carries text.
type Value struct {
	Null bool
	S    string
	I    int64
}

// Row is one parsed data row of a kind.
type Row struct {
	Kind   *Kind
	Values []Value
	Number int // row number as the user finds it
}

// Str returns a text column's value ("" when NULL).
func (r *Row) Str(col string) string { return r.Values[r.Kind.Col(col)].S }

// CellError is a row error: the column, the raw text and the reason.
type CellError struct {
	Column string
	Raw    string
	Reason string
}

// cellContext tells the cell parser where a cell came from.
type cellContext struct {
	xlsx     bool // numbers in date columns are Excel serials
	date1904 bool
	// numericCell reports, for XLSX, whether the cell at (row, source column) holds a number;
	// asked only for ID columns whose text looks like a non-integral number.
	numericCell func(row, col int) bool
	// enums remembers the canonical value of each enum text seen in this file: a column holds
	// a handful of distinct texts, and folding one (NFKC, case, spaces) costs more than parsing a row
	enums map[enumText]string
	lang  string // of the reasons (msg.ZH or msg.EN)
	// aliases: the spellings of fixed values the aliases file declares (nil: none)
	aliases *Aliases
}

type enumText struct {
	col  *Column
	text string
}

// parseCell parses one cell by its column's type. raw is the cell text ("" when absent).
func parseCell(c *Column, raw string, ctx *cellContext, row, srcCol int) (Value, *CellError) {
	fail := func(format string, a ...any) (Value, *CellError) {
		return Value{}, &CellError{Column: c.Name, Raw: raw, Reason: msg.T(ctx.lang, format, a...)}
	}
	text := parse.Trim(raw)
	if text == "" {
		if c.Default != "" {
			text = c.Default
		} else if c.Required {
			return fail("%s is required but empty", c.label())
		} else {
			return Value{Null: true}, nil
		}
	}
	if text[0] == '#' && parse.IsExcelError(text) {
		// a formula's failure (a VLOOKUP that found nothing): not a value of any column, and
		// an ID or name "#N/A" would be loaded as one
		return fail("%s holds %s, an Excel error value: a formula in the sheet failed; correct it (or paste the values) and export again", c.label(), text)
	}
	switch c.Type {
	case Text:
		return Value{S: text}, nil
	case ID:
		if ctx.xlsx && ctx.numericCell != nil && looksDecimal(text) && ctx.numericCell(row, srcCol) {
			f, err := parse.Decimal(text, 6)
			if err != nil || f%1000000 != 0 || len(strings.TrimLeft(fmt.Sprint(f/1000000), "-")) > 15 {
				return fail("%s is a number cell %s, not an identifier; format the column as text in Excel", c.label(), text)
			}
			return Value{S: fmt.Sprint(f / 1000000)}, nil
		}
		s, err := parse.ID(text)
		if err != nil {
			return fail("%v", err)
		}
		return Value{S: s}, nil
	case VIN:
		s, err := parse.VIN(text)
		if err != nil {
			return fail("%v", err)
		}
		return Value{S: s}, nil
	case Enum:
		if v, ok := ctx.enums[enumText{c, text}]; ok {
			return Value{S: v}, nil
		}
		v, ok := c.enumValue(text)
		if !ok {
			v, ok = ctx.aliases.value(c, text)
		}
		if !ok {
			return fail("%q is not a known %s value (one of: %s); if it is the DMS's word for one of them, declare it in %s (values: → %s → the value) and ingest the file again with --reload",
				text, c.Name, ctx.aliases.EnumWords(c), ctx.aliases.file(), c.Name)
		}
		if ctx.enums != nil {
			ctx.enums[enumText{c, text}] = v
		}
		return Value{S: v}, nil
	case Int:
		v, err := parse.Int(text)
		if err != nil {
			return fail("%v", err)
		}
		if c.NonNeg && v < 0 {
			return fail("%s must not be negative", c.Name)
		}
		if c.Max > c.Min && (v < c.Min || v > c.Max) {
			return fail("%s %d is outside %d–%d", c.Name, v, c.Min, c.Max)
		}
		return Value{I: v}, nil
	case Decimal:
		// a number cell holds its double: read it at the 15 digits Excel shows (1.005, not
		// 1.0049999999999999, so that it rounds to 1.01 as in the sheet)
		if ctx.xlsx && ctx.numericCell != nil && len(text) > 16 {
			if n := parse.ExcelNumber(text); n != text && ctx.numericCell(row, srcCol) {
				text = n
			}
		}
		v, err := parse.Decimal(text, c.Scale)
		if err != nil && c.Default == "0" && parse.AccountingZero(text) {
			// Excel's accounting format (会计专用) shows 0 as "-" (¥ -), and a CSV saved from such
			// a sheet holds the dash. Read as 0 only where an empty cell is 0 too (the amounts):
			// a dash is then zero or nothing, the same value. Elsewhere it stays an error.
			v, err = 0, nil
		}
		if err != nil {
			return fail("%v", err)
		}
		if c.NonNeg && v < 0 {
			return fail("%s must not be negative", c.Name)
		}
		return Value{I: v}, nil
	case Timestamp:
		if ctx.xlsx {
			if f, ok := excelNumber(text); ok {
				t, err := parse.ExcelSerialRecord(f, ctx.date1904)
				if err != nil {
					return fail("%v", err)
				}
				return Value{I: t.UnixMicro()}, nil
			}
		}
		us, err := parse.TimestampMicros(text)
		if err != nil {
			return fail("%v", err)
		}
		return Value{I: us}, nil
	case Month:
		if ctx.xlsx {
			if f, ok := excelNumber(text); ok {
				t, err := parse.ExcelSerialRecord(f, ctx.date1904)
				if err != nil {
					return fail("%v", err)
				}
				return Value{S: t.Format("2006-01")}, nil
			}
		}
		m, err := parse.Month(text)
		if err != nil {
			return fail("%v", err)
		}
		return Value{S: m}, nil
	case Bool:
		b, ok, err := parse.Bool(text)
		if err != nil {
			return fail("%v", err)
		}
		if !ok {
			return Value{Null: true}, nil
		}
		if b {
			return Value{I: 1}, nil
		}
		return Value{I: 0}, nil
	}
	panic("ingest: unknown column type")
}

// excelNumber reports whether an XLSX raw value is a plain number (a serial date).
func excelNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'E' || c == 'e' || c == '+' || c == '-') {
			return 0, false
		}
	}
	if strings.Count(s, "-") > 0 && !strings.Contains(s, "E-") && !strings.Contains(s, "e-") {
		return 0, false // 2026-03-05 is text, not a number
	}
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		return 0, false
	}
	return f, true
}

// looksDecimal: digits with a fractional part, or an exponent (what Excel writes for number cells).
func looksDecimal(s string) bool {
	return strings.ContainsAny(s, ".Ee") && strings.Trim(s, "0123456789.Ee+-") == ""
}

// parseTimePair reads a timestamp column given as a date column and a time-of-day column
// (timePairs): the date at the time of day; the date alone when the time cell is empty; the time
// cell alone when the date cell is empty or the time cell holds a date and time itself.
func parseTimePair(c *Column, dateRaw, timeRaw string, ctx *cellContext, row int, p timePair) (Value, *CellError) {
	if parse.Trim(timeRaw) == "" {
		return parseCell(c, dateRaw, ctx, row, p.date)
	}
	if parse.Trim(dateRaw) == "" {
		return parseCell(c, timeRaw, ctx, row, p.time)
	}
	v, cerr := parseCell(c, dateRaw, ctx, row, p.date)
	if cerr != nil {
		return v, cerr
	}
	if tod, ok := timeOfDayMicros(timeRaw, ctx); ok {
		const day = 86_400_000_000
		midnight := v.I - ((v.I%day)+day)%day
		return Value{I: midnight + tod}, nil
	}
	return parseCell(c, timeRaw, ctx, row, p.time)
}

// timeOfDayMicros: a time of day as text (14:30) or, in a workbook, as a serial below 1 (a cell
// Excel shows as 14:30), rounded to the second.
func timeOfDayMicros(raw string, ctx *cellContext) (int64, bool) {
	text := parse.Trim(raw)
	if ctx.xlsx {
		if f, ok := excelNumber(text); ok {
			if f < 0 || f >= 1 {
				return 0, false
			}
			return int64(math.Round(f*86400)) * 1_000_000, true
		}
	}
	return parse.TimeOfDayMicros(text)
}
