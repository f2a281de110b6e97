package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"github.com/aftersales/aftersales/ingest/read"
)

// parquetSource reads a Parquet file through Arrow and hands its cells on as text, so the
// same column rules apply whatever the format. Its column names are record 1 (the header),
// data rows are records 2…, as they would be in the CSV export of the same table. It reads
// batches of 64 Ki rows, not the whole table: a 3 M-row file held whole outgrew the ingest's
// soft memory limit and the collector ran without pause (60 s and 1.5 GB).
type parquetSource struct {
	rdr    *file.Reader
	rr     pqarrow.RecordReader
	schema *arrow.Schema
	rec    arrow.Record // the current batch (the reader's until its next call)
	i      int64        // the next row of rec
	n      int          // data rows handed on
	buf    []string
	hdr    bool
}

func openParquet(path string) (read.Source, error) {
	// Arrow's Go allocator, not the lake's pool: a cell's text may share the batch's memory and
	// outlive it (header detection keeps the first rows), which only a garbage-collected buffer allows
	mem := memory.NewGoAllocator()
	rdr, err := file.OpenParquetFile(path, false, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, read.Errorf("cannot read the Parquet file: %v", err)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024}, mem)
	if err != nil {
		rdr.Close()
		return nil, read.Errorf("cannot read the Parquet file: %v", err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		rdr.Close()
		return nil, read.Errorf("cannot read the Parquet file: %v", err)
	}
	schema := rr.Schema()
	return &parquetSource{rdr: rdr, rr: rr, schema: schema, buf: make([]string, schema.NumFields())}, nil
}

func (s *parquetSource) Next() ([]string, int, error) {
	if !s.hdr {
		s.hdr = true
		for i, f := range s.schema.Fields() {
			s.buf[i] = f.Name
		}
		return s.buf, 1, nil
	}
	for s.rec == nil || s.i >= s.rec.NumRows() {
		if !s.rr.Next() {
			if err := s.rr.Err(); err != nil && !errors.Is(err, io.EOF) {
				return nil, 0, read.Errorf("cannot read the Parquet file: %v", err)
			}
			s.rec = nil
			return nil, 0, io.EOF
		}
		s.rec, s.i = s.rr.Record(), 0
	}
	for c := range s.buf {
		// (the text may share the batch's memory: Go's allocator keeps it while referenced)
		s.buf[c] = cellText(s.rec.Column(c), int(s.i))
	}
	s.i++
	s.n++
	return s.buf, s.n + 1, nil
}

func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	switch v := a.(type) {
	case *array.String:
		return v.Value(i)
	case *array.LargeString:
		return v.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(v.Value(i))
	case *array.Timestamp:
		unit := v.DataType().(*arrow.TimestampType).Unit
		return v.Value(i).ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999")
	case *array.Date32:
		return v.Value(i).ToTime().UTC().Format("2006-01-02")
	case *array.Date64:
		return v.Value(i).ToTime().UTC().Format("2006-01-02")
	case *array.Decimal128:
		return v.Value(i).ToString(v.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Float64:
		return strconv.FormatFloat(v.Value(i), 'f', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(v.Value(i)), 'f', -1, 32)
	case *array.Dictionary:
		return cellText(v.Dictionary(), v.GetValueIndex(i))
	}
	return fmt.Sprint(a.ValueStr(i))
}

func (s *parquetSource) Info() read.Info { return read.Info{Format: "parquet"} }
func (s *parquetSource) Close() error {
	s.rr.Release()
	return s.rdr.Close()
}

// FileError rejects a whole file (the readers' type).
type FileError = read.FileError

func fileErr(format string, a ...any) error { return read.Errorf(format, a...) }

// openSource opens any supported file: CSV and XLSX through package read, Parquet through Arrow.
func openSource(path, sheet string) (read.Source, error) {
	s, err := read.Open(path, sheet)
	if errors.Is(err, read.ErrParquet) {
		return openParquet(path)
	}
	return s, err
}
