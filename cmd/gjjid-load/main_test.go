package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = ms(i + 1)
	}
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = ms(i + 1)
	}
	for _, c := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample p50", []time.Duration{ms(7)}, 50, ms(7)},
		{"one sample p99", []time.Duration{ms(7)}, 99, ms(7)},
		{"two samples p50 is the lower", []time.Duration{ms(1), ms(2)}, 50, ms(1)},
		{"two samples p99 is the upper", []time.Duration{ms(1), ms(2)}, 99, ms(2)},
		{"1..100 p50", hundred, 50, ms(50)},
		{"1..100 p99", hundred, 99, ms(99)},
		{"1..100 p100", hundred, 100, ms(100)},
		{"1..100 p1", hundred, 1, ms(1)},
		{"1..1000 p99", thousand, 99, ms(990)},
		{"1..1000 p99.9", thousand, 99.9, ms(999)},
		{"1..1000 p50", thousand, 50, ms(500)},
		{"10 samples p99 is the max", hundred[:10], 99, ms(10)},
		{"10 samples p50", hundred[:10], 50, ms(5)},
	} {
		if got := percentile(c.sorted, c.p); got != c.want {
			t.Errorf("%s: percentile(p%v) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestResultLine(t *testing.T) {
	r := &result{name: "jwks", ok: 4, errors: 1, elapsed: 2 * time.Second,
		lat: []time.Duration{ms(4), ms(1), ms(3), ms(2)}}
	got := strings.Fields(r.line())
	want := []string{"jwks", "2.0", "2.00ms", "4.00ms", "1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("line = %q, want fields %q", r.line(), want)
	}
	if h := strings.Fields(header()); strings.Join(h, " ") != "case req/s p50 p99 errors" {
		t.Errorf("header = %q", header())
	}
	if rate(10, 0) != 0 {
		t.Error("rate with no elapsed time must be 0")
	}
}

func TestCheckIssuer(t *testing.T) {
	ctx := context.Background()
	lookup := func(addrs ...string) lookupFunc {
		return func(context.Context, string) ([]netip.Addr, error) {
			var out []netip.Addr
			for _, a := range addrs {
				out = append(out, netip.MustParseAddr(a))
			}
			return out, nil
		}
	}
	failing := func(context.Context, string) ([]netip.Addr, error) { return nil, errors.New("no such host") }
	for _, c := range []struct {
		issuer string
		remote bool
		lookup lookupFunc
		ok     bool
	}{
		{"http://127.0.0.1:5556", false, nil, true},
		{"http://127.9.8.7:80/base", false, nil, true},
		{"http://[::1]:5556", false, nil, true},
		{"https://localhost:8443", false, nil, true},
		{"http://gjjid.localhost", false, nil, true},
		{"http://broker.test", false, lookup("127.0.0.1", "::1"), true},
		{"http://[::ffff:127.0.0.1]:5556", false, nil, true},

		{"http://10.0.0.5:5556", false, nil, false},
		{"http://0.0.0.0:5556", false, nil, false},
		{"http://[::]:5556", false, nil, false},
		{"http://[::ffff:10.0.0.5]:5556", false, nil, false},
		{"https://sso.example.gov.cn", false, lookup("203.0.113.9"), false},
		{"https://mixed.example", false, lookup("127.0.0.1", "203.0.113.9"), false},
		{"https://gone.example", false, failing, false},
		{"https://empty.example", false, lookup(), false},

		{"https://sso.example.gov.cn", true, failing, true}, // --allow-remote
		{"http://10.0.0.5:5556", true, nil, true},

		{"ftp://127.0.0.1/", false, nil, false},
		{"127.0.0.1:5556", false, nil, false},
		{"http://user:pw@127.0.0.1:5556", false, nil, false},
		{"http://127.0.0.1:5556/?x=1", false, nil, false},
		{"http:///path", true, nil, false},
	} {
		err := checkIssuer(ctx, c.issuer, c.remote, c.lookup)
		if (err == nil) != c.ok {
			t.Errorf("checkIssuer(%q, allowRemote=%v) = %v, want ok=%v", c.issuer, c.remote, err, c.ok)
		}
	}
}

func TestLoopbackOnlyDialer(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:5556":          true,
		"127.1.2.3:80":            true,
		"[::1]:443":               true,
		"[::ffff:127.0.0.1]:80":   true,
		"10.1.2.3:80":             false,
		"192.168.1.1:5556":        false,
		"[2001:db8::1]:443":       false,
		"[::ffff:203.0.113.9]:80": false,
		"not-an-address":          false,
	} {
		if err := loopbackOnly("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("loopbackOnly(%s) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func TestFlags(t *testing.T) {
	o, err := parseFlags([]string{"--requests", "50", "--case", "jwks, discovery,jwks"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.requests != 50 || o.duration != requestsTimeLimit || strings.Join(o.cases, ",") != "jwks,discovery" || o.concurrency != 32 {
		t.Errorf("options = %+v", o)
	}
	o, err = parseFlags([]string{"--requests", "50", "--duration", "3s"}, io.Discard)
	if err != nil || o.duration != 3*time.Second || len(o.cases) != len(allCases) {
		t.Errorf("options = %+v, %v", o, err)
	}
	for _, args := range [][]string{
		{"--case", "userinfo"},
		{"--concurrency", "0"},
		{"--concurrency", "100000"},
		{"--duration", "0s"},
		{"--duration", "1h"},
		{"--requests", "-1"},
		{"--requests", "100000000"},
		{"--max-errors", "0"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

func TestRefusesRemoteIssuer(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--issuer", "http://192.0.2.1:5556", "--requests", "1"}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "not a loopback address") || out.Len() != 0 {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
}

// TestAgainstBroker runs every case briefly against a real broker (memory
// store) with the demo values gjjid dev and brokertest share: with the
// password connector alone, and with another method beside it, where the
// login goes through the chooser as it does under gjjid dev.
func TestAgainstBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	for _, tc := range []struct {
		name string
		opts bt.Options
	}{
		{"password only", bt.Options{}},
		{"chooser", bt.Options{Edit: bt.WithAppScan("")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bt.Start(t, tc.opts)
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"--issuer", b.URL, "--case", "all", "--requests", "40", "--concurrency", "4"}, &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 1+len(allCases) {
				t.Fatalf("output:\n%s", out.String())
			}
			for i, name := range allCases {
				f := strings.Fields(lines[i+1])
				if len(f) != 5 || f[0] != name || f[4] != "0" || f[1] == "0.0" {
					t.Errorf("line %q", lines[i+1])
				}
			}
			// Both logins (code_exchange and refresh) used the one password login.
			t.Log("\n" + out.String())
		})
	}
}

// TestWaitForBroker: --wait bridges the time a just-started broker needs.
func TestWaitForBroker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens until the broker starts below
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		done <- run(context.Background(), []string{"--issuer", "http://" + addr, "--case", "jwks", "--requests", "10", "--wait", "20s"}, &out, &errb)
	}()
	time.Sleep(300 * time.Millisecond)
	if ln, err = net.Listen("tcp", addr); err != nil {
		t.Skipf("port taken meanwhile: %v", err)
	}
	bt.Start(t, bt.Options{Listener: ln})
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "jwks") {
		t.Errorf("output %q", out.String())
	}
}
