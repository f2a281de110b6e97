//go:build linux && cgo

package db

import (
	"os"
	"strings"
	"testing"
)

// TestUseHugePages: after UseHugePages, DuckDB's memory is mapped with MADV_HUGEPAGE (the "hg"
// flag of its mappings in /proc/self/smaps) and queries that allocate, free and reuse hundreds
// of MB on two threads give their exact results (a first version called jemalloc's default hooks
// from its own and deadlocked when a free coalesced two extents).
func TestUseHugePages(t *testing.T) {
	if os.Getenv("AFTERSALES_HUGEPAGES") == "0" {
		t.Skip("AFTERSALES_HUGEPAGES=0")
	}
	if err := UseHugePages(); err != nil {
		t.Fatal(err)
	}
	d, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec("SET threads = 2"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		var n, s, g int64
		err := d.QueryRow(`SELECT count(*), sum(x), count(DISTINCT x % 1000003) FROM (
			SELECT x FROM range(4000000) t(x) ORDER BY hash(x)) JOIN (SELECT range AS y FROM range(4000000)) ON x = y`).Scan(&n, &s, &g)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4000000 || s != 4000000*3999999/2 || g != 1000003 {
			t.Fatalf("run %d: count %d, sum %d, groups %d", i, n, s, g)
		}
	}
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	var advised int
	for _, l := range strings.Split(string(smaps), "\n") {
		if strings.HasPrefix(l, "VmFlags:") && strings.Contains(l+" ", " hg ") {
			advised++
		}
	}
	if advised == 0 {
		t.Fatal("no mapping of the process is advised MADV_HUGEPAGE after DuckDB allocated hundreds of MB")
	}
}
