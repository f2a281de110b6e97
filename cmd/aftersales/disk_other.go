//go:build !unix

package main

import "os"

// freeBytes: not known here; the bench's disk check is skipped.
func freeBytes(string) (int64, bool) { return 0, false }

// peakRSSMB: Windows' rusage has no peak resident set; the bench reports 0 there.
func peakRSSMB(*os.ProcessState) float64 { return 0 }
