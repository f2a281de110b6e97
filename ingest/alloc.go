package ingest

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow/memory"
)

// lakeAlloc is the Arrow allocator of the lake's Parquet writers, and Arrow's default (set in
// init: the Parquet encoders take their page buffers from it). Arrow's Go allocator makes a zeroed
// slice for every buffer and never reuses one; writing the lake, allocating, zeroing and copying on
// growth took ≈ 28 % of the lake's CPU (pprof). This one keeps released buffers in power-of-two size
// classes for reuse, and a buffer grows in place up to its class. A buffer must not be read after
// its release: the Parquet input reader, whose cell texts share its batches' memory, keeps Go's
// allocator. TestPooledLakeEqualsPlain checks both with poisoned buffers.
var lakeAlloc = &poolAllocator{}

func init() { memory.DefaultAllocator = lakeAlloc }

const (
	minClass = 6  // 64 B, Arrow's alignment
	maxClass = 27 // 128 MiB; larger buffers come from Go's heap and go back to it
)

type poolAllocator struct {
	pools [maxClass + 1]sync.Pool
	// plain: zeroed buffers that are never reused, as Arrow's Go allocator (tests compare the two)
	plain bool
	// poison: tests fill each buffer handed out and each buffer freed, so that a reader of memory
	// Arrow never wrote, or of a buffer after its release, changes the lake's bytes
	poison bool
}

func sizeClass(n int) int {
	if n <= 1<<minClass {
		return minClass
	}
	return bits.Len(uint(n - 1))
}

func (a *poolAllocator) Allocate(size int) []byte {
	c := sizeClass(size)
	if a.plain || c > maxClass {
		return make([]byte, size)
	}
	var b []byte
	if p := a.pools[c].Get(); p != nil {
		b = unsafe.Slice((*byte)(p.(unsafe.Pointer)), 1<<c)
	} else {
		b = make([]byte, 1<<c)
	}
	if a.poison {
		fill(b, 0xA5)
	}
	return b[:size]
}

func (a *poolAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size && !a.plain {
		return b[:size]
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

func (a *poolAllocator) Free(b []byte) {
	c := sizeClass(cap(b))
	if a.plain || c > maxClass || cap(b) != 1<<c {
		return // not one of the pool's
	}
	b = b[:cap(b)]
	if a.poison {
		fill(b, 0x5A)
	}
	a.pools[c].Put(unsafe.Pointer(unsafe.SliceData(b)))
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}
