//go:build !linux

package ingest

import "os"

// flushDuringApply: the flush opens each lake file for writing (below), which Windows' share
// modes may refuse while DuckDB has it open for reading, or DuckDB refuse after: flushed before
// the inserts read them (commit).
const flushDuringApply = false

// syncLake fsyncs each file (no syncfs outside Linux). The file is opened for writing: Windows'
// FlushFileBuffers refuses a read-only handle ("Access denied").
func syncLake(_ string, files []string) error {
	for _, p := range files {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
