// Package read opens DMS exports — CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and XLSX — and
// yields their records as text with the row numbers a user sees. It knows nothing of kinds.
package read

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aftersales/aftersales/internal/msg"
)

// Source yields the records of one file, the header among them, each with the row number
// the user sees (CSV record number or XLSX sheet row, 1-based).
type Source interface {
	// Next returns the next record; io.EOF at the end. The slice may be reused by the next call.
	Next() (cells []string, row int, err error)
	Info() Info
	Close() error
}

// Info describes an open source.
type Info struct {
	Format   string // csv, xlsx, parquet
	Encoding string // utf-8, utf-8-bom, gb18030 (csv only)
	Sheet    string
	Sheets   []string // xlsx: every sheet of the workbook, in order
	// Others: xlsx, the sheet read the default one: the workbook's other visible sheets that
	// hold a value, which were not read (the file's line names them, with --sheet)
	Others   []string
	XLSX     bool // numbers in date columns are Excel serials
	Date1904 bool
	// NumericCell reports, for XLSX, whether the cell at (row, source column) holds a number.
	NumericCell func(row, col int) bool
	// Props, for XLSX, reads the workbook's creator and title (its document properties): asked
	// only of a file rejected whole, to tell a workbook aftersales wrote from an export.
	Props func() (creator, title string)
	// Instants, for Parquet: the columns of timestamps that carry a time zone, read as local
	// time in Zone (the stores' time zone)
	Instants []string
	Zone     string
}

// FileError rejects a whole file. Its message is given in either language (Text).
type FileError struct {
	Err  error // the message (msg.Errorf)
	Row  int   // the row put for {row} in the message (the header row); 0: none
	More error // said after the message (msg.Errorf), or nil
}

func (e *FileError) Error() string { return e.Text(msg.EN) }

// Text is the message in lang.
func (e *FileError) Text(lang string) string {
	s := msg.Text(lang, e.Err)
	if e.Row > 0 {
		s = strings.ReplaceAll(s, "{row}", strconv.Itoa(e.Row))
	}
	if e.More != nil {
		s += msg.Text(lang, e.More)
	}
	return s
}

// Errorf makes a FileError.
func Errorf(format string, a ...any) error { return &FileError{Err: msg.Errorf(format, a...)} }

// ErrParquet is returned by Open for a Parquet file: the caller reads it (through Arrow).
var ErrParquet = errors.New("parquet")

// Open sniffs the format from the content (not only the name) and opens a reader.
// For a Parquet file it returns ErrParquet.
func Open(path, sheet string) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errorf("cannot open: %v", err)
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	f.Close()
	ext := strings.ToLower(filepath.Ext(path))
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	lower := bytes.ToLower(trimmed)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return OpenXLSX(path, sheet)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}) && encrypted(path):
		return nil, Errorf("this workbook is protected by a password (encrypted), which aftersales cannot open: open it in Excel or WPS, remove the password (Excel: File → Info → Protect Workbook → Encrypt with Password, and clear it), save it, and ingest it again")
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, Errorf("this is an old Excel 97-2003 workbook (.xls), which is not supported: open it in Excel or WPS and save it as .xlsx")
	case bytes.HasPrefix(head, []byte("PAR1")):
		return nil, ErrParquet
	case bytes.HasPrefix(lower, []byte("<html")) || bytes.HasPrefix(lower, []byte("<!doctype")) ||
		bytes.HasPrefix(lower, []byte("<table")) || bytes.HasPrefix(lower, []byte("<meta")) || bytes.HasPrefix(lower, []byte("<head")):
		// a web page, how many DMS write their "Excel" export: its table (html.go)
		return OpenHTML(path)
	case bytes.HasPrefix(lower, []byte("<?xml")) || ext == ".xml":
		// an Excel 2003 XML spreadsheet, as some DMS write their "Excel" export, or an XHTML
		// page (xmlss.go)
		return OpenXMLSS(path, sheet)
	case ext == ".html" || ext == ".htm":
		return OpenHTML(path)
	case (ext == ".xls" || ext == ".et") && textLike(head):
		// tab- or comma-separated text with an Excel name, as some DMS write their "Excel"
		// exports (GBK, often): read as the text it is
		return OpenCSV(path)
	case ext == ".xls" || ext == ".xlsx" || ext == ".xlsm" || ext == ".et":
		return nil, Errorf("the file is named %s but is not an Excel workbook: save it as .xlsx", ext)
	case ext == ".parquet":
		return nil, Errorf("the file is named .parquet but is not a Parquet file")
	case ext == ".csv" || ext == ".txt" || ext == ".tsv" || ext == "":
		return OpenCSV(path)
	}
	return nil, Errorf("unsupported file type %q: save it as .xlsx or .csv", ext)
}

// encrypted reports whether a compound (OLE) file is a password-protected workbook: Office
// stores an encrypted .xlsx in one, with an "EncryptionInfo" stream named in its directory
// (UTF-16, wherever the directory lies: the whole file is searched, on this path to rejection).
func encrypted(path string) bool {
	b, err := readWhole(path) // (its first maxHTML bytes when larger)
	if err != nil && !errors.Is(err, errTooLarge) {
		return false
	}
	name := []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00")
	return bytes.Contains(b, name)
}

// textLike reports whether a file's first bytes look like delimited text: a UTF-16 BOM (Excel's
// "Unicode text"), or no NUL byte and a tab, comma or line break among them.
func textLike(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	return len(head) > 0 && bytes.IndexByte(head, 0) < 0 && bytes.ContainsAny(head, "\t,\n")
}
