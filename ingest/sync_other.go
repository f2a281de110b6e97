//go:build !linux

package ingest

import "os"

// syncLake fsyncs each file (no syncfs outside Linux).
func syncLake(_ string, files []string) error {
	for _, p := range files {
		f, err := os.Open(p)
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
