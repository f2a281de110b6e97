package ingest

import (
	"os"

	"golang.org/x/sys/unix"
)

// flushDuringApply: syncfs names no file, so it can run while DuckDB reads the batch's lake
// files (commit).
const flushDuringApply = true

// syncLake makes everything written below dir durable (file data and renames) with one syncfs
// call, instead of an fsync per file.
func syncLake(dir string, _ []string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
