//go:build !linux || !cgo

package db

// UseHugePages does nothing here: the jemalloc hook is Linux's (hugepages_linux.go).
func UseHugePages() error { return nil }
