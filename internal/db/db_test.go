package db

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMemoryLimit: 1.2 times the database file's size, at least 1 GB, at most half the machine's
// memory; $AFTERSALES_MEMORY_LIMIT wins.
func TestMemoryLimit(t *testing.T) {
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "")
	dir := t.TempDir()
	if got := MemoryLimit(filepath.Join(dir, "new.duckdb")); got != "1024MB" {
		t.Errorf("a database not yet created: %s, want 1024MB", got)
	}
	small := filepath.Join(dir, "s.duckdb")
	if err := os.WriteFile(small, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := MemoryLimit(small); got != "1024MB" {
		t.Errorf("a 1 MB database: %s, want 1024MB", got)
	}
	big := filepath.Join(dir, "l.duckdb")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(3 << 30) // sparse: no disk used
	f.Close()
	want := int64(3<<30) * 6 / 5 // 3.6 GB
	if half := physicalMemory() / 2; half > 1<<30 && half < want {
		want = half
	}
	if physicalMemory() <= 0 {
		t.Fatal("the machine's memory is unknown")
	}
	if got := MemoryLimit(big); got != fmt.Sprintf("%dMB", want>>20) {
		t.Errorf("a 3 GB database: %s, want %dMB", got, want>>20)
	}
	t.Setenv("AFTERSALES_MEMORY_LIMIT", "3GB")
	if got := MemoryLimit(big); got != "3GB" {
		t.Errorf("AFTERSALES_MEMORY_LIMIT=3GB: %s", got)
	}
}
