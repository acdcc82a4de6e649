// Command gjjid-load puts a bounded load on a running gjjid (for example
// `gjjid dev`) and prints, per case, the request rate and latency:
//
//	gjjid-load [--issuer http://127.0.0.1:5556] [--case client_credentials,jwks,…|all]
//	           [--concurrency 32] [--duration 10s | --requests N]
//
// Cases: client_credentials, introspection, jwks, discovery, code_exchange,
// refresh. The defaults are the demo clients and agent of `gjjid dev`.
// code_exchange and refresh log in once through the password form and take
// every further authorization code from that SSO session.
//
// Only loopback issuers are accepted: load belongs on the machine you own.
// --allow-remote lifts that for a broker you are entitled to load.
//
//	gjjid-load soak [--duration 30m] [--rate N] [--store redis://…]
//	                [--database postgres://…] [--gjjid bin/gjjid]
//
// starts `gjjid dev` on Redis and a private PostgreSQL database in its own
// process, loads it with a mix of every case at a fixed rate (half the
// measured capacity by default), its code flows whole visits that sign in
// and out (visit.go), and asserts no errors, no growth of RSS, goroutines
// and Redis memory after warm-up (< 10 %) and no rise of any p99 (< 20 %)
// (soak.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Bounds every run stays within.
const (
	maxConcurrency = 1024
	maxRequests    = 10_000_000
	maxDuration    = 10 * time.Minute
	// requestsTimeLimit bounds a --requests run given no --duration.
	requestsTimeLimit = 2 * time.Minute
)

// allCases in the order they run with --case all.
var allCases = []string{"client_credentials", "code_exchange", "refresh", "introspection", "jwks", "discovery"}

// options is the parsed command line.
type options struct {
	issuer      string
	cases       []string
	concurrency int
	duration    time.Duration
	requests    int
	maxErrors   int
	allowRemote bool
	timeout     time.Duration
	wait        time.Duration

	clientID, clientSecret, scope string // service client: client_credentials, introspection
	rpID, rpSecret, redirectURI   string // web client: code_exchange, refresh
	user, password                string // agent for the one password login
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes a command line and returns the exit code: 0 when every case
// ran without errors, 1 when requests failed, 2 for usage errors.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if isSoak(args) {
		return soak(ctx, args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "gjjid-load:", err)
		return 2
	}
	if err := checkIssuer(ctx, o.issuer, o.allowRemote, nil); err != nil {
		fmt.Fprintln(stderr, "gjjid-load:", err)
		return 2
	}
	l, err := newLoader(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "gjjid-load:", err)
		return 1
	}
	defer l.close()
	fmt.Fprintf(stderr, "gjjid-load: %s, concurrency %d, %s per case\n", o.issuer, o.concurrency, o.bound())
	fmt.Fprintln(stdout, header())
	code := 0
	for _, name := range o.cases {
		if ctx.Err() != nil {
			return 1
		}
		res, err := l.runCase(ctx, name)
		if err != nil {
			fmt.Fprintf(stderr, "gjjid-load: %s: %v\n", name, err)
			code = 1
			continue
		}
		fmt.Fprintln(stdout, res.line())
		if res.errors > 0 {
			fmt.Fprintf(stderr, "gjjid-load: %s: %d errors, first: %v\n", name, res.errors, res.firstErr)
			code = 1
		}
	}
	return code
}

func (o *options) bound() string {
	if o.requests > 0 {
		return fmt.Sprintf("%d requests (at most %s)", o.requests, o.duration)
	}
	return o.duration.String()
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("gjjid-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	var cases string
	fs.StringVar(&o.issuer, "issuer", "http://127.0.0.1:5556", "issuer of the broker to load (loopback only, unless --allow-remote)")
	fs.StringVar(&cases, "case", "all", "comma-separated cases, or all: "+strings.Join(allCases, ", "))
	fs.IntVar(&o.concurrency, "concurrency", 32, "requests in flight")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per case (at most 10m)")
	fs.IntVar(&o.requests, "requests", 0, "requests per case instead of a duration (0: use --duration)")
	fs.IntVar(&o.maxErrors, "max-errors", 100, "abort a case after this many failed requests")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a non-loopback issuer (only a broker you are entitled to load)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.DurationVar(&o.wait, "wait", 0, "wait this long for the broker to answer discovery (a broker just started)")
	fs.StringVar(&o.clientID, "client-id", "demo-service", "client for client_credentials and introspection")
	fs.StringVar(&o.clientSecret, "client-secret", "demo-service-secret", "its secret")
	fs.StringVar(&o.scope, "scope", "gjj:api", "scope to request with client_credentials")
	fs.StringVar(&o.rpID, "rp-client-id", "demo", "web client for code_exchange and refresh")
	fs.StringVar(&o.rpSecret, "rp-client-secret", "demo-secret", "its secret")
	fs.StringVar(&o.redirectURI, "redirect-uri", "http://127.0.0.1:5555/callback", "its registered redirect URI (nothing needs to listen)")
	fs.StringVar(&o.user, "user", "510107199003071236", "agent ID number for the password login")
	fs.StringVar(&o.password, "password", "246810", "agent password")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == "duration" })
	if o.requests > 0 && !durationSet {
		o.duration = requestsTimeLimit
	}
	switch {
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return nil, fmt.Errorf("--concurrency must be 1…%d", maxConcurrency)
	case o.duration <= 0 || o.duration > maxDuration:
		return nil, fmt.Errorf("--duration must be positive and at most %s", maxDuration)
	case o.requests < 0 || o.requests > maxRequests:
		return nil, fmt.Errorf("--requests must be 0…%d", maxRequests)
	case o.maxErrors < 1:
		return nil, fmt.Errorf("--max-errors must be positive")
	case o.timeout <= 0:
		return nil, fmt.Errorf("--timeout must be positive")
	case o.wait < 0 || o.wait > time.Minute:
		return nil, fmt.Errorf("--wait must be 0…1m")
	}
	o.issuer = strings.TrimSuffix(o.issuer, "/")
	if cases == "all" {
		o.cases = allCases
	} else {
		for c := range strings.SplitSeq(cases, ",") {
			c = strings.TrimSpace(c)
			if !slices.Contains(allCases, c) {
				return nil, fmt.Errorf("--case: unknown case %q (known: %s)", c, strings.Join(allCases, ", "))
			}
			if !slices.Contains(o.cases, c) {
				o.cases = append(o.cases, c)
			}
		}
	}
	return o, nil
}
