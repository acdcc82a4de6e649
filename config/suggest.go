package config

import (
	"maps"
	"reflect"
	"slices"
)

// suggest returns the known key closest to an unknown one, or "" when none
// is close enough to be a likely typo (redirect_uri -> redirect_uris).
func suggest(unknown string, known map[string]reflect.Type) string {
	names := slices.Sorted(maps.Keys(known)) // deterministic among equally close keys
	best, bestDist := "", max(2, len(unknown)/3)+1
	for _, k := range names {
		if d := editDistance(unknown, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes (keys
// are ASCII snake_case).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
