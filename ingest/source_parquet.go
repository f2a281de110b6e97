package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	pqschema "github.com/apache/arrow/go/v15/parquet/schema"

	"github.com/aftersales/aftersales/ingest/read"
	"github.com/aftersales/aftersales/internal/parse"
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
	// zone: the store's time zone, into which the timestamps that carry a time zone are read
	// (instants[c]: column c is such a column)
	zone     *time.Location
	instants []bool
}

// DefaultZone is the stores' time zone when none is given (ingest --timezone): China Standard
// Time, the zone of every 4S store the contract has in mind.
const DefaultZone = "Asia/Shanghai"

// A Parquet timestamp that carries a time zone (isAdjustedToUTC: DuckDB's TIMESTAMPTZ, a
// pandas column with a tz, Spark's timestamps) holds an instant, not a wall-clock reading. The
// contract's timestamps are the store's local time without zone, so such a column is read as
// the local time of that instant in the store's zone (Options.Zone), whatever zone the writer
// named: written as UTC, 09:30 in Shanghai is 01:30 UTC, and reading its digits would move the
// order by eight hours, and across a day or a month end. A timestamp without a zone is read as
// it is. The file's line names the columns so read (instantsNote), so a writer that labelled
// local readings as UTC is seen at once.
func openParquet(path string, zone *time.Location) (read.Source, error) {
	// Arrow's Go allocator, not the lake's pool: a cell's text may share the batch's memory and
	// outlive it (header detection keeps the first rows), which only a garbage-collected buffer allows
	mem := memory.NewGoAllocator()
	rdr, err := file.OpenParquetFile(path, false, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, parquetErr(err)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024}, mem)
	if err != nil {
		rdr.Close()
		return nil, parquetErr(err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		rdr.Close()
		return nil, parquetErr(err)
	}
	schema := rr.Schema()
	if zone == nil {
		zone = time.FixedZone("UTC+8", 8*3600) // DefaultZone's offset since 1991, for a caller that gives none
	}
	s := &parquetSource{rdr: rdr, rr: rr, schema: schema, buf: make([]string, schema.NumFields()), zone: zone,
		instants: make([]bool, schema.NumFields())}
	// Which timestamps carry a zone. Not from the Arrow type pqarrow gives: Arrow v15 reads every
	// timestamp with a logical type as UTC, DuckDB's plain TIMESTAMP among them. In order:
	//   - the Arrow schema the writer stored (ARROW:schema: pyarrow, pandas), its type's zone;
	//   - else, for a file Arrow Go's own writer made ("parquet-go version …", aftersales' lake
	//     among them), nothing: it sets isAdjustedToUTC for timestamps without a zone and clears
	//     it for named zones, so the flag says nothing; read as it is, as before;
	//   - else the Parquet logical type's isAdjustedToUTC (DuckDB's TIMESTAMPTZ, Spark); a
	//     timestamp of the legacy converted types alone is read as it is, as DuckDB reads it.
	origin := fr.Manifest.OriginSchema
	arrowGo := strings.HasPrefix(rdr.MetaData().GetCreatedBy(), "parquet-go")
	for i, f := range fr.Manifest.Fields {
		if _, ok := f.Field.Type.(*arrow.TimestampType); !ok || !f.IsLeaf() || i >= len(s.instants) {
			continue
		}
		switch {
		case origin != nil && i < origin.NumFields():
			t, ok := origin.Field(i).Type.(*arrow.TimestampType)
			s.instants[i] = ok && t.TimeZone != ""
		case arrowGo:
		default:
			lt, ok := rdr.MetaData().Schema.Column(f.ColIndex).LogicalType().(*pqschema.TimestampLogicalType)
			s.instants[i] = ok && lt.IsAdjustedToUTC() && !lt.IsFromConvertedType()
		}
	}
	return s, nil
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
				return nil, 0, parquetErr(err)
			}
			s.rec = nil
			return nil, 0, io.EOF
		}
		s.rec, s.i = s.rr.Record(), 0
	}
	for c := range s.buf {
		// (the text may share the batch's memory: Go's allocator keeps it while referenced)
		if s.instants[c] {
			s.buf[c] = instantText(s.rec.Column(c), int(s.i), s.zone)
			continue
		}
		s.buf[c] = cellText(s.rec.Column(c), int(s.i))
	}
	s.i++
	s.n++
	return s.buf, s.n + 1, nil
}

// parquetErr rejects a Parquet file Arrow cannot read: most often one cut short in a copy (its
// footer, with the schema, is at the end), else one written with a feature this reader lacks.
func parquetErr(err error) error {
	return read.Errorf("cannot read the Parquet file (%v): it is damaged or cut short, or written with a feature this reader lacks — copy or export it again (as CSV if that does not help)", err)
}

// instantText is the local time in zone of the instant at row i of a timestamp column with a
// time zone.
func instantText(a arrow.Array, i int, zone *time.Location) string {
	v := a.(*array.Timestamp)
	if v.IsNull(i) {
		return ""
	}
	return v.Value(i).ToTime(v.DataType().(*arrow.TimestampType).Unit).In(zone).Format("2006-01-02 15:04:05.999999")
}

// cellText is the text of row i of a column, as a CSV export of it would write it. A
// floating-point NaN is an empty cell: data-frame writers use it for a missing number.
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
		if math.IsNaN(v.Value(i)) {
			return ""
		}
		// a double's digits past the 15th are its binary noise (a total of 2.675 computed as
		// 2.6749999999999998 would round to 2.67): read at 15, as a spreadsheet shows it
		return parse.ExcelNumber(strconv.FormatFloat(v.Value(i), 'f', -1, 64))
	case *array.Float32:
		if math.IsNaN(float64(v.Value(i))) {
			return ""
		}
		return strconv.FormatFloat(float64(v.Value(i)), 'f', -1, 32)
	case *array.Dictionary:
		return cellText(v.Dictionary(), v.GetValueIndex(i))
	}
	return fmt.Sprint(a.ValueStr(i))
}

func (s *parquetSource) Info() read.Info {
	inf := read.Info{Format: "parquet", Zone: s.zone.String()}
	for i, f := range s.schema.Fields() {
		if s.instants[i] {
			inf.Instants = append(inf.Instants, f.Name)
		}
	}
	return inf
}
func (s *parquetSource) Close() error {
	s.rr.Release()
	return s.rdr.Close()
}

// FileError rejects a whole file (the readers' type).
type FileError = read.FileError

func fileErr(format string, a ...any) error { return read.Errorf(format, a...) }

// openSource opens any supported file: CSV and XLSX through package read, Parquet through Arrow
// (zone: the stores' time zone, for Parquet timestamps that carry a zone; nil: UTC+8).
func openSource(path, sheet string, zone *time.Location) (read.Source, error) {
	s, err := read.Open(path, sheet)
	if errors.Is(err, read.ErrParquet) {
		return openParquet(path, zone)
	}
	return s, err
}
