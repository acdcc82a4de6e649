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
		args       string
		window     time.Duration
		wantErr    string
		wantWindow bool
	}{
		{"", 5 * time.Minute, "", true},
		{"--duration 3m", 30 * time.Second, "", true},
		{"--duration 10s", 0, "--duration must be 1m…24h", false},
		{"--duration 10m --window 6m", 0, "--window must be positive and under half", false},
		{"--rate -1", 0, "--rate must not be negative", false},
		{"--workers 0", 0, "--workers must be", false},
		{"extra", 0, "unexpected arguments", false},
	} {
		o, err := parseSoakFlags(strings.Fields(tc.args), io.Discard)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.wantWindow && o.window != tc.window:
			t.Errorf("%q: window %s, want %s", tc.args, o.window, tc.window)
		}
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
