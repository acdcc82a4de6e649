package memory

import (
	"slices"
	"strings"
)

// page returns up to limit keys of m after cursor in byte order, and the
// cursor of the next page ("" when none follows). s.mu must be held.
func page[V any](m map[string]V, cursor string, limit int) (keys []string, next string) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	for k := range m {
		if k > cursor {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, strings.Compare)
	if len(keys) > limit {
		keys = keys[:limit]
		next = keys[limit-1]
	}
	return keys, next
}
