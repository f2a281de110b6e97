package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// source yields the records of one file, the header among them, each with the row number
// the user sees (CSV record number or XLSX sheet row, 1-based).
type source interface {
	// next returns the next record; io.EOF at the end. The slice may be reused by the next call.
	next() (cells []string, row int, err error)
	info() sourceInfo
	close() error
}

type sourceInfo struct {
	format   string // csv, xlsx, parquet
	encoding string // utf-8, utf-8-bom, gb18030 (csv only)
	sheet    string
	cellCtx  cellContext
}

// FileError rejects a whole file.
type FileError struct{ Msg string }

func (e *FileError) Error() string { return e.Msg }

func fileErr(format string, a ...any) error { return &FileError{Msg: fmt.Sprintf(format, a...)} }

// openSource sniffs the format from the content (not only the name) and opens a reader.
func openSource(path, sheet string) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileErr("cannot open: %v", err)
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
		return openXLSX(path, sheet)
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fileErr("this is an old Excel 97-2003 workbook (.xls), which is not supported: open it in Excel or WPS and save it as .xlsx")
	case bytes.HasPrefix(head, []byte("PAR1")):
		return openParquet(path)
	case bytes.HasPrefix(lower, []byte("<html")) || bytes.HasPrefix(lower, []byte("<!doctype")) ||
		bytes.HasPrefix(lower, []byte("<table")) || bytes.HasPrefix(lower, []byte("<?xml")) || bytes.HasPrefix(lower, []byte("<meta")):
		return nil, fileErr("this is a web page (HTML/XML) saved with an Excel name, not a spreadsheet: open it in Excel or WPS and save it as .xlsx")
	case ext == ".xls" || ext == ".xlsx" || ext == ".xlsm" || ext == ".et":
		return nil, fileErr("the file is named %s but is not an Excel workbook: save it as .xlsx", ext)
	case ext == ".parquet":
		return nil, fileErr("the file is named .parquet but is not a Parquet file")
	case ext == ".csv" || ext == ".txt" || ext == ".tsv" || ext == "":
		return openCSV(path)
	}
	return nil, fileErr("unsupported file type %q: save it as .xlsx or .csv", ext)
}
