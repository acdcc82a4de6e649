package main

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted: the smallest value at least p percent of the samples are not
// above. Empty input gives 0.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// rank = ⌈p/100 · n⌉; the small allowance keeps float noise
	// (99.9/100 · 1000 = 999.0000000000001) from moving it up a rank.
	rank := int(math.Ceil(p/100*float64(n) - 1e-6))
	return sorted[max(1, min(rank, n))-1]
}

// rate is successful requests per second of measured time.
func rate(ok int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(ok) / elapsed.Seconds()
}

func header() string {
	return fmt.Sprintf("%-20s %10s %9s %9s %7s", "case", "req/s", "p50", "p99", "errors")
}

// line is the result row; latencies of successful requests only.
func (r *result) line() string {
	slices.Sort(r.lat)
	return fmt.Sprintf("%-20s %10.1f %9s %9s %7d", r.name, rate(r.ok, r.elapsed),
		fmtMS(percentile(r.lat, 50)), fmtMS(percentile(r.lat, 99)), r.errors)
}

func fmtMS(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}
