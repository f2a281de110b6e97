//go:build linux && cgo

package db

/*
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

// jemalloc 5.3's extent hooks (include/jemalloc/jemalloc_typedefs.h), as DuckDB's jemalloc
// extension links them in (symbols prefixed duckdb_je_).
typedef struct hooks_s hooks_t;
struct hooks_s {
	void *(*alloc)(hooks_t *, void *, size_t, size_t, bool *, bool *, unsigned);
	bool (*dalloc)(hooks_t *, void *, size_t, bool, unsigned);
	void (*destroy)(hooks_t *, void *, size_t, bool, unsigned);
	bool (*commit)(hooks_t *, void *, size_t, size_t, size_t, unsigned);
	bool (*decommit)(hooks_t *, void *, size_t, size_t, size_t, unsigned);
	bool (*purge_lazy)(hooks_t *, void *, size_t, size_t, size_t, unsigned);
	bool (*purge_forced)(hooks_t *, void *, size_t, size_t, size_t, unsigned);
	bool (*split)(hooks_t *, void *, size_t, size_t, size_t, bool, unsigned);
	bool (*merge)(hooks_t *, void *, size_t, void *, size_t, bool, unsigned);
};

// weak: a build whose DuckDB has no jemalloc (other platforms' bindings) links, and finds NULL
extern int duckdb_je_mallctl(const char *, void *, size_t *, void *, size_t) __attribute__((weak));

// The hooks do what jemalloc's defaults do on Linux with its defaults (retain:true, mmap before
// sbrk, overcommit) and call nothing of jemalloc's: a hook runs with jemalloc's locks held, and
// its default hooks, called from ours, fetch thread state that may allocate (a deadlock, seen).
//
// alloc: an anonymous mapping of size at the alignment asked (at new_addr exactly if given),
// zeroed and committed, with MADV_HUGEPAGE where it is 2 MB or more.
static void *huge_alloc(hooks_t *h, void *new_addr, size_t size, size_t align, bool *zero, bool *commit, unsigned ind) {
	if (align < 4096) {
		align = 4096;
	}
	void *p = mmap(new_addr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	if (new_addr != NULL && p != new_addr) {
		munmap(p, size);
		return NULL;
	}
	if (((uintptr_t)p & (align - 1)) != 0) {
		// over-allocate and trim to the alignment (jemalloc's pages_map_slow)
		munmap(p, size);
		size_t big = size + align;
		if (big < size) {
			return NULL;
		}
		char *q = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED) {
			return NULL;
		}
		char *a = (char *)(((uintptr_t)q + align - 1) & ~(uintptr_t)(align - 1));
		if (a > q) {
			munmap(q, a - q);
		}
		if (q + big > a + size) {
			munmap(a + size, (q + big) - (a + size));
		}
		p = a;
	}
	if (size >= ((size_t)2 << 20)) {
		madvise(p, size, MADV_HUGEPAGE);
	}
	*zero = true;
	*commit = true;
	return p;
}

// destroy: unmapped (jemalloc destroys retained extents only when an arena is destroyed)
static void huge_destroy(hooks_t *h, void *addr, size_t size, bool committed, unsigned ind) {
	munmap(addr, size);
}

// purges: MADV_FREE (lazy) and MADV_DONTNEED (forced, reads back zeros); false is success
static bool huge_purge_lazy(hooks_t *h, void *addr, size_t size, size_t off, size_t len, unsigned ind) {
	return madvise((char *)addr + off, len, MADV_FREE) != 0;
}

static bool huge_purge_forced(hooks_t *h, void *addr, size_t size, size_t off, size_t len, unsigned ind) {
	return madvise((char *)addr + off, len, MADV_DONTNEED) != 0;
}

// split and merge: mappings coalesce on Linux, so both are allowed (false)
static bool huge_split(hooks_t *h, void *addr, size_t size, size_t a, size_t b, bool committed, unsigned ind) {
	return false;
}

static bool huge_merge(hooks_t *h, void *a, size_t sa, void *b, size_t sb, bool committed, unsigned ind) {
	return false;
}

// dalloc, commit and decommit are left NULL, jemalloc's opt-out: extents are retained rather than
// unmapped (retain:true) and pages stay committed (Linux overcommits), as by default.
static hooks_t huge_hooks = {
	huge_alloc, NULL, huge_destroy, NULL, NULL, huge_purge_lazy, huge_purge_forced, huge_split, huge_merge,
};

// as_huge_pages installs huge_alloc on each of jemalloc's automatic arenas: 0 on success, -1
// without jemalloc, else the failing mallctl's error.
static int as_huge_pages(void) {
	if (duckdb_je_mallctl == NULL) {
		return -1;
	}
	unsigned n = 0;
	size_t len = sizeof(n);
	// the automatic arenas (DuckDB's threads allocate from these); the arena jemalloc reserves for
	// single allocations over oversize_threshold (256 MB) is made on first use, with its own hooks
	int rc = duckdb_je_mallctl("opt.narenas", &n, &len, NULL, 0);
	if (rc != 0) {
		return rc;
	}
	for (unsigned i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "arena.%u.extent_hooks", i);
		hooks_t *ours = &huge_hooks;
		rc = duckdb_je_mallctl(name, NULL, NULL, &ours, sizeof(ours));
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
)

var hugeOnce struct {
	sync.Once
	err error
}

// UseHugePages asks the kernel for transparent huge pages on the memory DuckDB allocates from
// then on (jemalloc's extents of 2 MB and more: madvise MADV_HUGEPAGE), where the system's THP
// mode is "madvise" (the default of most distributions) or "always"; under "never" nothing
// changes. DuckDB's bundled jemalloc is built without THP support (its option thp:always fails
// with "No THP support"), so the extents come from the hooks above, which map memory as
// jemalloc's own do and add the advice. Why: with 4 kB pages the full transform at scale S took
// ≈ 0.5 M page faults and spent much of its CPU on them and on TLB misses; with huge pages,
// alternating runs on this VM took 10–20 % less time and ≈ 20 % less user CPU (BENCHMARKS.md,
// session 24). DuckDB's own read_csv gains as much with them, so the bench measures its limit R
// without (the bench process does not call this) and reports R with them for information.
// Freed memory is still returned to the system after DuckDB's decay times (jemalloc's
// dirty_decay_ms and muzzy_decay_ms, both 1 s in DuckDB's configuration): keeping it instead was
// faster again in session 24 but took the transform's peak RSS at S past 2 GB, and longer decays
// changed nothing measurable (BENCHMARKS.md, sessions 24 and 25).
// AFTERSALES_HUGEPAGES=0 turns it off. Once per process, before the work; later calls return
// the first one's result.
func UseHugePages() error {
	hugeOnce.Do(func() {
		if os.Getenv("AFTERSALES_HUGEPAGES") == "0" {
			return
		}
		if rc := C.as_huge_pages(); rc != 0 {
			hugeOnce.err = fmt.Errorf("jemalloc extent hooks: error %d", int(rc))
		}
	})
	return hugeOnce.err
}
