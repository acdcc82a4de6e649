package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

// benchSize reads a row count from the environment: the figures
// are for GJJID_BENCH_PERSONS=1000000 and GJJID_BENCH_AUDIT=10000000, which
// take minutes and gigabytes to load; the defaults keep make bench short.
func benchSize(b *testing.B, env string, def int) int {
	if v := os.Getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive row count", env, v)
		}
		return n
	}
	return def
}

// latencies records each operation's duration and reports the median and
// 99th percentile.
type latencies []time.Duration

func (l *latencies) time(f func()) {
	start := time.Now()
	f()
	*l = append(*l, time.Since(start))
}

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(l[len(l)/2]), "p50-ms")
	b.ReportMetric(ms(l[len(l)*99/100]), "p99-ms")
}

// BenchmarkFindPersonByIDHash: the admin API's person lookup by ID number
// (its keyed hash) among GJJID_BENCH_PERSONS persons (default 100,000).
func BenchmarkFindPersonByIDHash(b *testing.B) {
	n := benchSize(b, "GJJID_BENCH_PERSONS", 100_000)
	url := pgtest.Schema(b, pgtest.URL(b))
	s, err := postgres.Open(b.Context(), postgres.Options{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	p := newPool(b, url)
	if _, err := p.Exec(b.Context(), `insert into persons (id, name, id_type, id_hash, id_masked, id_sealed,
			mobile_hash, mobile_masked, password_hash, status, created_at)
		select 'p' || i, '张三', 'resident_id', md5('id' || i), '5101**********1236', '\x0102'::bytea,
			md5('m' || i), '138****0000', '$argon2id$v=19$m=65536,t=1,p=1$c2FsdA$aGFzaA', 'active', now()
		from generate_series(1, $1) i`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := p.Exec(b.Context(), "analyze persons"); err != nil {
		b.Fatal(err)
	}
	hashes := make([]string, 1000)
	for i := range hashes {
		if err := p.QueryRow(b.Context(), "select md5('id' || $1::text)", strconv.Itoa(rand.IntN(n)+1)).Scan(&hashes[i]); err != nil {
			b.Fatal(err)
		}
	}
	var lat latencies
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lat.time(func() {
			if _, err := s.FindPersonByIDHash(b.Context(), hashes[i%len(hashes)]); err != nil {
				b.Fatal(err)
			}
		})
	}
	lat.report(b)
}

// BenchmarkSearchAuditByPrincipal: the admin API's audit query by principal
// (a page of 100, newest month included) among GJJID_BENCH_AUDIT events
// (default 1,000,000) of 10,000 principals over the last 60 days.
func BenchmarkSearchAuditByPrincipal(b *testing.B) {
	n := benchSize(b, "GJJID_BENCH_AUDIT", 1_000_000)
	url := pgtest.Schema(b, pgtest.URL(b))
	s, err := postgres.Open(b.Context(), postgres.Options{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for _, back := range []int{30, 60} {
		if err := s.EnsureAuditPartitions(b.Context(), time.Now().AddDate(0, 0, -back)); err != nil {
			b.Fatal(err)
		}
	}
	p := newPool(b, url)
	if _, err := p.Exec(b.Context(), `insert into audit_events (at, seq, type, actor, actor_id, principal, unit, data)
		select date_trunc('milliseconds', now() - (i * interval '60 days') / $1), nextval('audit_seq'),
			case when i % 3 = 0 then 'admin.change' else 'login.success' end,
			'client:admin', 'admin', 'p' || (i % 10000), 'u' || (i % 2000),
			'{"type":"login.success","principal":"p' || (i % 10000) || '","outcome":"success"}'
		from generate_series(1, $1) i`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := p.Exec(b.Context(), "analyze audit_events"); err != nil {
		b.Fatal(err)
	}
	since := time.Now().AddDate(0, 0, -90)
	var lat latencies
	b.ResetTimer()
	for b.Loop() {
		principal := fmt.Sprintf("p%d", rand.IntN(10000))
		lat.time(func() {
			recs, err := s.SearchAudit(b.Context(), since, time.Time{}, principal, "", "", 100)
			if err != nil {
				b.Fatal(err)
			}
			if len(recs) == 0 && n >= 10000 {
				b.Fatalf("no events of %s", principal)
			}
		})
	}
	lat.report(b)
}
