package ingest

import (
	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/bitutil"
	"github.com/apache/arrow/go/v15/arrow/decimal128"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// column gathers one column of a lake record batch in Go slices; array wraps them as an Arrow
// array of the lake's type without copying them (the texts and integers; decimals and booleans
// are laid out once). Arrow's builders checked capacity, set a validity bit and went through
// an interface for every value: ≈ 40 % of the lake's CPU in pprof.
type column struct {
	typ   arrow.DataType
	ct    ColType
	ints  []int64 // Int, Timestamp, Bool (0/1), Decimal (unscaled)
	offs  []int32 // text: offsets into data, one more than the values
	data  []byte
	valid []byte // validity bitmap; nil while no value is NULL
	n     int
	nulls int
	dec   []decimal128.Num // Decimal: the batch laid out for Arrow
}

func newColumns(k *Kind, schema *arrow.Schema, hint int) []column {
	cols := make([]column, len(k.Columns)+1)
	for i := range cols {
		cols[i].typ = schema.Field(i).Type
		if i < len(k.Columns) {
			cols[i].ct = k.Columns[i].Type
		} else {
			cols[i].ct = Int // row_number
		}
		cols[i].reset(hint)
	}
	return cols
}

func (c *column) text() bool {
	switch c.ct {
	case Int, Decimal, Timestamp, Bool:
		return false
	}
	return true
}

// reset starts a new batch with room for hint values, in the column's own slices when they
// are large enough: once its last batch is written (pqarrow encodes a record batch into its
// pages, copying the values, before WriteBuffered returns) nothing refers to them. A file's
// columns go on to the next file of the kind (lakeWriter.finish), so that slices of a few MB
// are not allocated and zeroed per file. TestPooledLakeEqualsPlain poisons them before reuse.
func (c *column) reset(hint int) {
	if lakeAlloc.poison {
		fill(c.data[:cap(c.data)], 0x5A)
		fill(arrow.Int32Traits.CastToBytes(c.offs[:cap(c.offs)]), 0x5A)
		fill(arrow.Int64Traits.CastToBytes(c.ints[:cap(c.ints)]), 0x5A)
		fill(arrow.Decimal128Traits.CastToBytes(c.dec[:cap(c.dec)]), 0x5A)
	}
	c.n, c.nulls, c.valid = 0, 0, nil
	if lakeAlloc.plain {
		c.offs, c.data, c.ints, c.dec = nil, nil, nil, nil // fresh slices for every batch
	}
	if c.text() {
		if cap(c.offs) < hint+1 {
			c.offs = make([]int32, 0, hint+1)
		}
		if cap(c.data) < hint*12 {
			c.data = make([]byte, 0, hint*12)
		}
		c.offs, c.data = append(c.offs[:0], 0), c.data[:0]
	} else {
		if cap(c.ints) < hint {
			c.ints = make([]int64, 0, hint)
		}
		c.ints = c.ints[:0]
	}
}

func (c *column) add(v *Value) {
	if c.valid != nil || v.Null {
		if c.valid == nil {
			room := max(c.n+1, cap(c.ints), cap(c.offs)-1)
			c.valid = make([]byte, bitutil.BytesForBits(int64(c.n)), bitutil.BytesForBits(int64(room)))
			bitutil.SetBitsTo(c.valid, 0, int64(c.n), true)
		}
		if c.n>>3 >= len(c.valid) {
			c.valid = append(c.valid, 0)
		}
		if v.Null {
			c.nulls++
		} else {
			bitutil.SetBit(c.valid, c.n)
		}
	}
	if c.text() {
		if !v.Null {
			c.data = append(c.data, v.S...)
		}
		c.offs = append(c.offs, int32(len(c.data)))
	} else {
		c.ints = append(c.ints, v.I)
	}
	c.n++
}

// array is the batch so far as an Arrow array, sharing the column's slices until reset.
func (c *column) array() arrow.Array {
	var valid *memory.Buffer
	if c.valid != nil {
		valid = memory.NewBufferBytes(c.valid[:bitutil.BytesForBits(int64(c.n))])
	}
	var bufs []*memory.Buffer
	switch c.ct {
	case Int, Timestamp:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(c.ints))}
	case Decimal:
		if cap(c.dec) < len(c.ints) {
			c.dec = make([]decimal128.Num, len(c.ints))
		}
		d := c.dec[:len(c.ints)]
		for i, v := range c.ints {
			d[i] = decimal128.FromI64(v)
		}
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Decimal128Traits.CastToBytes(d))}
	case Bool:
		b := make([]byte, bitutil.BytesForBits(int64(len(c.ints))))
		for i, v := range c.ints {
			if v != 0 {
				bitutil.SetBit(b, i)
			}
		}
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(b)}
	default:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.offs)), memory.NewBufferBytes(c.data)}
	}
	d := array.NewData(c.typ, c.n, bufs, nil, c.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d) // the next batch begins with reset
}
