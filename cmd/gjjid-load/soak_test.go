package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseSoakFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args           string
		window, warmup time.Duration
		wantErr        string
	}{
		// The default warm-up outlasts what a visit leaves in Redis:
		// 2m tokens + 5m + a minute.
		{"", 5 * time.Minute, 8 * time.Minute, ""},
		{"--token-lifetime 4m", 5 * time.Minute, 10 * time.Minute, ""},
		// A short run cannot wait that long: the warm-up leaves room for
		// the two windows.
		{"--duration 3m", 30 * time.Second, 2 * time.Minute, ""},
		{"--warmup 20m", 5 * time.Minute, 20 * time.Minute, ""},
		{"--warmup 21m", 0, 0, "--warmup plus two windows must fit"},
		{"--token-lifetime 30s", 0, 0, "--token-lifetime must be at least 1m"},
		{"--duration 10s", 0, 0, "--duration must be 1m…24h"},
		{"--duration 10m --window 6m", 0, 0, "--window must be positive and under half"},
		{"--rate -1", 0, 0, "--rate must not be negative"},
		{"--workers 0", 0, 0, "--workers must be"},
		{"extra", 0, 0, "unexpected arguments"},
	} {
		o, err := parseSoakFlags(strings.Fields(tc.args), io.Discard)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.wantErr == "" && (o.window != tc.window || o.warmup != tc.warmup):
			t.Errorf("%q: window %s, warm-up %s, want %s, %s", tc.args, o.window, o.warmup, tc.window, tc.warmup)
		}
	}
}

// Growth compares the medians of two windows: one sample far off (a
// password hash in flight) moves neither.
func TestMedianSample(t *testing.T) {
	t.Parallel()
	var samples []sample
	for i := range 12 {
		s := sample{at: time.Duration(i) * 10 * time.Second, rssKB: 1000 + int64(i), goroutines: 30, redisBytes: 5000}
		if i == 7 {
			s.rssKB, s.goroutines = 90000, 400
		}
		samples = append(samples, s)
	}
	got := medianSample(samples, 60*time.Second, 120*time.Second) // samples 6…11
	if want := (sample{at: 60 * time.Second, rssKB: 1010, goroutines: 30, redisBytes: 5000}); got != want {
		t.Errorf("median %+v, want %+v", got, want)
	}
	if got := medianSample(samples, 5*time.Minute, 6*time.Minute); got.at != -1 {
		t.Errorf("median of an empty window %+v, want at -1", got)
	}
}

// The report fails on errors, on growth of 10 % or more after warm-up, on
// a p99 rising more than 20 %, and on a window without requests.
func TestSoakFailures(t *testing.T) {
	t.Parallel()
	report := func(edit func(r *soakReport)) *soakReport {
		r := &soakReport{opts: &soakOptions{duration: 10 * time.Minute, window: time.Minute}, cases: map[string]*soakCase{},
			warm: sample{rssKB: 1000, goroutines: 100, redisBytes: 1 << 20}, last: sample{rssKB: 1050, goroutines: 101, redisBytes: 1 << 20}}
		for _, m := range soakMix {
			c := &soakCase{first: []time.Duration{10 * time.Millisecond}, latest: []time.Duration{11 * time.Millisecond}}
			c.ok.Store(2)
			r.cases[m.name] = c
		}
		if edit != nil {
			edit(r)
		}
		return r
	}
	for _, tc := range []struct {
		name string
		edit func(r *soakReport)
		want string
	}{
		{"all within", nil, ""},
		{"an error", func(r *soakReport) { r.cases["refresh"].errors.Store(1) }, "refresh: 1 errors"},
		{"RSS grew 10 %", func(r *soakReport) { r.last.rssKB = 1100 }, "RSS grew"},
		{"goroutines grew", func(r *soakReport) { r.last.goroutines = 150 }, "goroutines grew"},
		{"Redis grew", func(r *soakReport) { r.last.redisBytes = 2 << 20 }, "Redis memory grew"},
		{"p99 rose 30 %", func(r *soakReport) { r.cases["jwks"].latest = []time.Duration{13 * time.Millisecond} }, "jwks: p99 rose"},
		{"empty window", func(r *soakReport) { r.cases["discovery"].latest = nil }, "discovery: no requests"},
	} {
		r := report(tc.edit)
		got := strings.Join(r.failures(), "; ")
		if (tc.want == "") != r.ok() || !strings.Contains(got, tc.want) {
			t.Errorf("%s: failures %q, want %q", tc.name, got, tc.want)
		}
		if out := r.String(); r.ok() != strings.Contains(out, "PASS:") {
			t.Errorf("%s: report says PASS %v, ok %v:\n%s", tc.name, strings.Contains(out, "PASS:"), r.ok(), out)
		}
	}
}
