// Package nearest finds the name a mistyped one most likely meant, for messages that say
// "did you mean …?" (a setting, a KPI, a named query).
package nearest

// Name is the candidate a mistyped key most likely meant: the one at the smallest edit
// distance, at most 3, the first in the given order among equals; "" when none is that close.
func Name(key string, candidates []string) string {
	best, bestD := "", 4
	for _, k := range candidates {
		if d := distance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance of two short keys, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
