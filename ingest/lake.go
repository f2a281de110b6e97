package ingest

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// batchRows is the Arrow record batch size written to Parquet.
var batchRows = 64 * 1024

// Schema is the Arrow schema of a kind in the lake: its canonical columns and row_number
// (the source row). Columns that are required or have a default are never NULL once parsed:
// REQUIRED in Parquet, they are written without definition levels. file_id is added when the
// rows are loaded, so that a lake file's content depends on the source file alone.
func (k *Kind) Schema() *arrow.Schema {
	fields := make([]arrow.Field, 0, len(k.Columns)+1)
	for _, c := range k.Columns {
		fields = append(fields, arrow.Field{Name: c.Name, Type: arrowType(&c), Nullable: !c.Required && c.Default == ""})
	}
	fields = append(fields, arrow.Field{Name: "row_number", Type: arrow.PrimitiveTypes.Int64})
	return arrow.NewSchema(fields, nil)
}

func arrowType(c *Column) arrow.DataType {
	switch c.Type {
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Decimal:
		return &arrow.Decimal128Type{Precision: 18, Scale: int32(c.Scale)}
	case Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.BinaryTypes.String
}

// partWriter writes one store's rows of one source file to <lake>/<kind>/store=<id>/<sha>.parquet,
// first under a temporary name; commit renames it.
type partWriter struct {
	final, tmp string
	f          *os.File
	w          *pqarrow.FileWriter
	cols       []column // the current record batch
	schema     *arrow.Schema
	n          int
	rows       int
}

// bufferedFile gathers pqarrow's page-sized writes into fewer system calls; Close (called by
// the Parquet writer's Close) flushes, closes the file and hands the buffer back.
type bufferedFile struct {
	*bufio.Writer
	f *os.File
}

var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}

func (b *bufferedFile) Close() error {
	if b.Writer == nil {
		return nil
	}
	err := b.Flush()
	b.Reset(nil)
	writers.Put(b.Writer)
	b.Writer = nil
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	return err
}

type lakeWriter struct {
	hint  int // the rows the file may hold, estimated from its size
	kind  *Kind
	dir   string
	sha   string
	parts map[string]*partWriter
	// the part of the last row's store (a file's rows are nearly always all one store's)
	last      *partWriter
	lastStore string
}

// spareColumns holds, per kind, the columns of finished lake files for the next file's.
var spareColumns sync.Map // *Kind → *sync.Pool of []column

func columnPool(k *Kind) *sync.Pool {
	if p, ok := spareColumns.Load(k); ok {
		return p.(*sync.Pool)
	}
	p, _ := spareColumns.LoadOrStore(k, &sync.Pool{})
	return p.(*sync.Pool)
}

func newLakeWriter(lake string, k *Kind, sha string) *lakeWriter {
	return &lakeWriter{kind: k, dir: filepath.Join(lake, k.Name), sha: sha, parts: map[string]*partWriter{}}
}

// root is the lake folder the writer writes into.
func (lw *lakeWriter) root() string { return filepath.Dir(lw.dir) }

// parquetProps: uncompressed, no dictionaries (faster to write and to read, ≈ 1.2× the input
// size), decimals as INT64 (scaled, with the DECIMAL logical type) rather than 16-byte
// fixed-length values, and min/max statistics only for the timestamps, by which a reader of the
// lake prunes files by date (string statistics cost a comparison per value to write). Row
// groups of 128 Ki rows (two record batches): the writer holds a row group in memory until it
// is full, and with groups of 1 Mi rows a 3 M-row export's groups filled the ingest's soft
// memory limit (a 3 M-row work-order CSV: 19.8 → 17.4 s; as Parquet: 35 → 22 s).
func (k *Kind) parquetProps() []parquet.WriterProperty {
	props := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Uncompressed),
		parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(int64(2 * batchRows)),
		parquet.WithStoreDecimalAsInteger(true),
		parquet.WithStats(false),
		parquet.WithAllocator(lakeAlloc),
	}
	for _, c := range k.Columns {
		if c.Type == Timestamp {
			props = append(props, parquet.WithStatsFor(c.Name, true))
		}
	}
	return props
}

// LakePath is the lake file of one store's rows of one source file.
func LakePath(lake, kind, store, sha string) string {
	return filepath.Join(lake, kind, "store="+url.PathEscape(store), sha+".parquet")
}

func (lw *lakeWriter) part(store string) (*partWriter, error) {
	if p, ok := lw.parts[store]; ok {
		return p, nil
	}
	final := LakePath(filepath.Dir(lw.dir), lw.kind.Name, store, lw.sha)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(final), "."+lw.sha+".*.tmp")
	if err != nil {
		return nil, err
	}
	schema := lw.kind.Schema()
	props := parquet.NewWriterProperties(lw.kind.parquetProps()...)
	bw := &bufferedFile{f: f, Writer: writers.Get().(*bufio.Writer)}
	bw.Reset(f)
	w, err := pqarrow.NewFileWriter(schema, bw, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	p := &partWriter{final: final, tmp: f.Name(), f: f, w: w, schema: schema}
	hint := 1024
	if len(lw.parts) == 0 {
		// the first store's part of a file usually holds all of it: size the columns once
		// instead of doubling them a dozen times
		hint = max(hint, min(lw.hint, batchRows))
	}
	if cols, ok := columnPool(lw.kind).Get().([]column); ok && !lakeAlloc.plain {
		for i := range cols {
			cols[i].reset(hint)
		}
		p.cols = cols
	} else {
		p.cols = newColumns(lw.kind, schema, hint)
	}
	lw.parts[store] = p
	return p, nil
}

// add appends a valid row to its store's part.
func (lw *lakeWriter) add(r *Row) error {
	store := r.Values[0].S // store_id is always column 0
	p := lw.last
	if p == nil || store != lw.lastStore {
		var err error
		if p, err = lw.part(store); err != nil {
			return err
		}
		lw.last, lw.lastStore = p, store
	}
	if p.n == 0 && p.rows > 0 { // a batch was written: the next one
		for i := range p.cols {
			p.cols[i].reset(batchRows)
		}
	}
	for i := range r.Values {
		p.cols[i].add(&r.Values[i])
	}
	p.cols[len(r.Values)].add(&Value{I: int64(r.Number)})
	p.n++
	p.rows++
	if p.n >= batchRows {
		return p.flush()
	}
	return nil
}

func (p *partWriter) flush() error {
	if p.n == 0 {
		return nil
	}
	arrs := make([]arrow.Array, len(p.cols))
	for i := range p.cols {
		if f := p.schema.Field(i); p.cols[i].nulls > 0 && !f.Nullable {
			// a required or defaulted column is never NULL after parsing; Parquet would store a
			// REQUIRED column's NULL as whatever its slot holds
			return fmt.Errorf("lake: %d NULL value(s) in column %s, which the lake stores as REQUIRED", p.cols[i].nulls, f.Name)
		}
		arrs[i] = p.cols[i].array()
	}
	rec := array.NewRecord(p.schema, arrs, int64(p.n))
	for _, a := range arrs {
		a.Release()
	}
	defer rec.Release()
	p.n = 0
	return p.w.WriteBuffered(rec)
}

// finish closes every part and renames it into place; it returns the final paths, sorted.
func (lw *lakeWriter) finish() ([]string, error) {
	var out []string
	for _, p := range lw.parts {
		if err := p.flush(); err != nil {
			lw.abort()
			return nil, err
		}
		if err := p.w.Close(); err != nil {
			lw.abort()
			return nil, err
		}
	}
	for _, p := range lw.parts {
		if err := os.Rename(p.tmp, p.final); err != nil {
			lw.abort()
			return nil, fmt.Errorf("moving %s into the lake: %w", p.final, err)
		}
		out = append(out, p.final)
	}
	lw.spare()
	sort.Strings(out)
	return out, nil
}

// abort removes temporary files; nothing of this source reaches the lake.
func (lw *lakeWriter) abort() {
	for _, p := range lw.parts {
		p.w.Close()
		p.f.Close()
		os.Remove(p.tmp)
	}
	lw.spare()
}

// spare hands the parts' columns on to the next file of the kind; the parts are done.
func (lw *lakeWriter) spare() {
	if !lakeAlloc.plain {
		for _, p := range lw.parts {
			//lint:ignore SA6002 one slice header boxed per lake file part (thousands a run), not per row
			columnPool(lw.kind).Put(p.cols)
			p.cols = nil
		}
	}
	lw.parts, lw.last = map[string]*partWriter{}, nil
}
