package par

import (
	"runtime"
	"testing"
)

func TestWorkersFollowGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ procs, limit, want int }{
		{1, 8, 1}, {2, 8, 2}, {6, 8, 6}, {12, 8, 8}, {4, 0, 1},
	} {
		runtime.GOMAXPROCS(c.procs)
		if got := Workers(c.limit); got != c.want {
			t.Errorf("GOMAXPROCS %d, limit %d: %d workers, want %d", c.procs, c.limit, got, c.want)
		}
	}
}
