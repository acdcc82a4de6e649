package store

import (
	"cmp"
	"slices"
)

// NewestFirst orders sessions by creation, newest first (ID breaks ties).
func NewestFirst(ss []*Session) {
	slices.SortFunc(ss, func(a, b *Session) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}
