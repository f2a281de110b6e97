//go:build unix

package main

import (
	"os/exec"
	"testing"
)

// TestCrashed: a process killed by a fault signal crashed; one that exited, or was interrupted
// or terminated, did not.
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
