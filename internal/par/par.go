// Package par says how many workers a parallel step runs: as many as the Go scheduler has
// processors (runtime.GOMAXPROCS, which follows the machine's cores and, since Go 1.25, a
// container's CPU quota; the GOMAXPROCS environment variable sets it by hand), within a step's
// own bound. DuckDB sizes its threads to the machine the same way, so a step's share of the work
// grows with the machine as DuckDB's does (a fixed two workers would leave six of eight cores to
// DuckDB alone).
package par

import "runtime"

// Workers is the number of workers for a step that allows at most limit (at least 1).
func Workers(limit int) int {
	return max(1, min(runtime.GOMAXPROCS(0), limit))
}
