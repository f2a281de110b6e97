package ingest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/decimal128"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// A lake column's array equals the one Arrow's builder makes of the same values, for every
// type, with no NULL, a NULL first, NULLs from the middle on (the bitmap starts late), only
// NULLs, and a second batch after the first.
func TestColumnsMatchArrowBuilders(t *testing.T) {
	types := []struct {
		ct  ColType
		typ arrow.DataType
	}{
		{Text, arrow.BinaryTypes.String}, {Int, arrow.PrimitiveTypes.Int64},
		{Decimal, &arrow.Decimal128Type{Precision: 18, Scale: 2}},
		{Timestamp, &arrow.TimestampType{Unit: arrow.Microsecond}}, {Bool, arrow.FixedWidthTypes.Boolean},
	}
	nulls := map[string]func(i, n int) bool{
		"none":        func(i, n int) bool { return false },
		"first":       func(i, n int) bool { return i == 0 },
		"from middle": func(i, n int) bool { return i >= 13 && i%3 == 0 },
		"all":         func(i, n int) bool { return true },
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, ty := range types {
		for name, isNull := range nulls {
			c := column{typ: ty.typ, ct: ty.ct}
			c.reset(4)
			for batch := range 2 {
				n := 29 + batch*40
				b := array.NewBuilder(memory.NewGoAllocator(), ty.typ)
				for i := range n {
					v := Value{Null: isNull(i, n), I: rng.Int64N(2000) - 1000, S: fmt.Sprint("v", rng.IntN(1e6), "号")}
					if ty.ct == Bool {
						v.I = v.I & 1
					}
					c.add(&v)
					switch {
					case v.Null:
						b.AppendNull()
					case ty.ct == Text:
						b.(*array.StringBuilder).Append(v.S)
					case ty.ct == Int:
						b.(*array.Int64Builder).Append(v.I)
					case ty.ct == Decimal:
						b.(*array.Decimal128Builder).Append(decimal128.FromI64(v.I))
					case ty.ct == Timestamp:
						b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.I))
					case ty.ct == Bool:
						b.(*array.BooleanBuilder).Append(v.I != 0)
					}
				}
				want, got := b.NewArray(), c.array()
				if !array.Equal(got, want) || got.NullN() != want.NullN() || got.Len() != n {
					t.Errorf("%v, NULLs %s, batch %d:\n got %v\nwant %v", ty.typ, name, batch, got, want)
				}
				c.reset(4)
			}
		}
	}
}
