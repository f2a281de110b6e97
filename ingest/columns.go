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

// reset starts a new batch with room for hint values.
func (c *column) reset(hint int) {
	c.n, c.nulls, c.valid = 0, 0, nil
	if c.text() {
		c.offs = append(make([]int32, 0, hint+1), 0)
		c.data = make([]byte, 0, hint*12)
	} else {
		c.ints = make([]int64, 0, hint)
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

// array is the batch so far as an Arrow array; reset starts the next.
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
		d := make([]decimal128.Num, len(c.ints))
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
	c.ints, c.offs, c.data, c.valid, c.n, c.nulls = nil, nil, nil, nil, 0, 0
	return array.MakeFromData(d)
}
