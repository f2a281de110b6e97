//go:build unix

package main

import (
	"os"
	"syscall"
)

// hardLinked reports whether a file has another name (the bench's older-input folder links the
// generated input files): truncating it would empty the other name too.
func hardLinked(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && st.Nlink > 1
}
