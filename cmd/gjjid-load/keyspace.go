package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// A soak that fails on Redis growth should say what grew. keyspace counts
// the keys under the broker's prefix by kind and adds up MEMORY USAGE,
// which counts a key's name, value and dictionary entry (used_memory also
// holds Redis's own buffers, so the two never agree exactly).

// devKeyPrefix is the key prefix of `gjjid dev --store redis://…`.
const devKeyPrefix = "gjjid-dev:"

// kindUsage is what one kind of key holds.
type kindUsage struct{ keys, bytes int64 }

// keyspaceScan is how many keys one SCAN asks for and how many MEMORY
// USAGE calls share a pipeline: small enough that a scan during the load
// interleaves with the broker's commands instead of stalling them.
const keyspaceScan = 500

// keyspace reads every key under prefix; an error leaves the usage nil.
func keyspace(ctx context.Context, rc *goredis.Client, prefix string) (map[string]kindUsage, error) {
	out := map[string]kindUsage{}
	var cursor uint64
	for {
		keys, next, err := rc.Scan(ctx, cursor, prefix+"*", keyspaceScan).Result()
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		if len(keys) > 0 {
			cmds, err := rc.Pipelined(ctx, func(p goredis.Pipeliner) error {
				for _, k := range keys {
					p.MemoryUsage(ctx, k, 0)
				}
				return nil
			})
			if err != nil && !errors.Is(err, goredis.Nil) {
				return nil, fmt.Errorf("memory usage: %w", err)
			}
			for i, c := range cmds {
				n, _ := c.(*goredis.IntCmd).Result() // 0: expired meanwhile
				k := keyKind(strings.TrimPrefix(keys[i], prefix))
				u := out[k]
				u.keys++
				u.bytes += n
				out[k] = u
			}
		}
		if cursor = next; cursor == 0 {
			return out, nil
		}
	}
}

// keyKind is a key's kind: its first segment ("code", "sess", "audit"),
// plus the role of a key within a hash-tagged group ("rt:m" for a refresh
// family's former-format member, "lq:d" for a queued logout), as the key
// layout in broker/store/redis/keys.go names them.
func keyKind(key string) string {
	seg := strings.SplitN(key, ":", 4)
	if len(seg) >= 3 && strings.HasPrefix(seg[1], "{") && keyRoles[seg[2]] {
		return seg[0] + ":" + seg[2]
	}
	return seg[0]
}

// keyRoles are the segments after a hash tag that name a role, not an ID.
var keyRoles = map[string]bool{"cur": true, "m": true, "pend": true, "due": true, "d": true, "done": true}

// keyspaceGrowth is one kind's usage at warm-up and at the end.
type keyspaceGrowth struct {
	kind     string
	from, to kindUsage
}

// growthByKind lists every kind present at either time, the largest
// growth in bytes first.
func growthByKind(from, to map[string]kindUsage) []keyspaceGrowth {
	var out []keyspaceGrowth
	for k, u := range to {
		out = append(out, keyspaceGrowth{k, from[k], u})
	}
	for k, u := range from {
		if _, ok := to[k]; !ok {
			out = append(out, keyspaceGrowth{kind: k, from: u})
		}
	}
	slices.SortFunc(out, func(a, b keyspaceGrowth) int {
		da, db := a.to.bytes-a.from.bytes, b.to.bytes-b.from.bytes
		if da != db {
			if da > db {
				return -1
			}
			return 1
		}
		return strings.Compare(a.kind, b.kind)
	})
	return out
}
