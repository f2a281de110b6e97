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
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"

	"github.com/aftersales/aftersales/ingest/read"
)

// parquetSource reads a Parquet file through Arrow and hands its cells on as text, so the
// same column rules apply whatever the format. Its column names are record 1 (the header),
// data rows are records 2…, as they would be in the CSV export of the same table.
type parquetSource struct {
	tbl   arrow.Table
	cols  [][]arrow.Array // per column, its chunks
	n     int64
	i     int64
	chunk []int
	off   []int64
	buf   []string
	hdr   bool
}

func openParquet(path string) (read.Source, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, read.Errorf("cannot read the Parquet file: %v", err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, read.Errorf("cannot read the Parquet file: %v", err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, read.Errorf("cannot read the Parquet file: %v", err)
	}
	s := &parquetSource{tbl: tbl, n: tbl.NumRows()}
	for i := 0; i < int(tbl.NumCols()); i++ {
		s.cols = append(s.cols, tbl.Column(i).Data().Chunks())
	}
	s.chunk = make([]int, len(s.cols))
	s.off = make([]int64, len(s.cols))
	s.buf = make([]string, len(s.cols))
	return s, nil
}

func (s *parquetSource) Next() ([]string, int, error) {
	if !s.hdr {
		s.hdr = true
		for i, f := range s.tbl.Schema().Fields() {
			s.buf[i] = f.Name
		}
		return s.buf, 1, nil
	}
	if s.i >= s.n {
		return nil, 0, io.EOF
	}
	for c := range s.cols {
		for s.off[c] >= int64(s.cols[c][s.chunk[c]].Len()) {
			s.off[c] = 0
			s.chunk[c]++
		}
		s.buf[c] = cellText(s.cols[c][s.chunk[c]], int(s.off[c]))
		s.off[c]++
	}
	s.i++
	return s.buf, int(s.i) + 1, nil
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
	s.tbl.Release()
	return nil
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
