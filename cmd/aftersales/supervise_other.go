//go:build !linux

package main

// supervise: the transform runs in this process. The worker process of supervise_linux.go needs
// the child killed with its parent (Linux's parent-death signal); elsewhere a crash ends the
// command, which changes nothing, and the same command run again completes.
func supervise(string) (int, bool) { return 0, false }

// testCrash: the hook of supervise_linux.go's tests, not used here.
func testCrash() {}
