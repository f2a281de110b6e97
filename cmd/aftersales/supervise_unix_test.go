//go:build unix

package main

import (
	"os/exec"
	"testing"
)

// TestCrashed: a process killed by a fault signal crashed, and so did a command that exited
// with 128 + a fault signal's number (its worker crashed and was not run again: supervise); one
// that exited otherwise, or was interrupted or terminated, did not.
func TestCrashed(t *testing.T) {
	for _, c := range []struct {
		script, how string
		crashed     bool
	}{
		{"kill -SEGV $$", "signal: segmentation fault", true},
		{"kill -BUS $$", "signal: bus error", true},
		{"kill -ABRT $$", "signal: aborted", true},
		{"kill -INT $$", "", false},
		{"kill -TERM $$", "", false},
		{"exit 134", "exit status 134: its worker process died of signal: aborted", true},
		{"exit 139", "exit status 139: its worker process died of signal: segmentation fault", true},
		{"exit 130", "", false},
		{"exit 2", "", false},
		{"exit 0", "", false},
	} {
		cmd := exec.Command("sh", "-c", c.script)
		cmd.Run()
		if cmd.ProcessState == nil {
			t.Fatalf("%s: did not run", c.script)
		}
		how, ok := crashed(cmd.ProcessState)
		if ok != c.crashed || how != c.how {
			t.Errorf("%s: crashed = %q, %v; want %q, %v", c.script, how, ok, c.how, c.crashed)
		}
	}
}
