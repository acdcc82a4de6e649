package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/config/demo"
)

// gjjid-load soak: a long run of mixed load at a fixed rate against `gjjid
// dev --store redis://… --database postgres://…` in its own process (Redis
// for the hot state, a private PostgreSQL database for the durable
// records, as in production), which then asserts what a leak or a slow
// degradation would break: zero errors; the broker's RSS, its goroutines
// and Redis's memory after warm-up grow by less than 10 %; each case's p99
// in the last window within 20 % of the first.
//
// Every visit leaves records that end with the tokens it was issued: the
// code's tombstone and the grant's revocation mark live the longest token
// lifetime plus 5 minutes. Redis grows until the first of them expire and
// is flat after; a leak keeps growing. So the soak runs gjjid dev with
// short token lifetimes (--token-lifetime, 2m) and measures growth from a
// warm-up past that (2m + 5m + 1m), not from the first window. Growth
// compares medians of the samples of two windows (the one after warm-up
// and the last), not two single samples: a visit's 64 MiB password hash
// or a burst of visits in flight moves one sample of RSS or goroutines by
// far more than 10 %.

// soakMix is the mixed load: each case's share of the requests.
var soakMix = []struct {
	name   string
	weight int
}{
	{"client_credentials", 4}, {"refresh", 3}, {"introspection", 3}, {"code_flow", 1}, {"jwks", 2}, {"discovery", 1},
}

// demoPostLogoutURI is the demo client's post-logout redirect URI in
// gjjid dev.
const demoPostLogoutURI = "http://127.0.0.1:5555/logged-out"

// soakLimits are the assertions.
const (
	soakGrowth  = 0.10 // RSS, goroutines, Redis memory: median of the last window over the one after warm-up
	soakP99Rise = 0.20 // p99 of the last window over the first
)

type soakOptions struct {
	gjjid      string
	redisURL   string
	database   string // the PostgreSQL server the private database is made on
	duration   time.Duration
	window     time.Duration
	warmup     time.Duration // growth is measured from the window that starts here
	tokens     time.Duration // gjjid dev --token-lifetime
	rate       float64
	capacity   float64 // measured when 0
	workers    int
	sampleTime time.Duration
}

func parseSoakFlags(args []string, stderr io.Writer) (*soakOptions, error) {
	fs := flag.NewFlagSet("gjjid-load soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &soakOptions{}
	fs.StringVar(&o.gjjid, "gjjid", "bin/gjjid", "the gjjid binary to start (gjjid dev)")
	fs.StringVar(&o.redisURL, "store", "", "redis://… for gjjid dev (default: a private redis-server on a free port)")
	fs.StringVar(&o.database, "database", databaseServer(), "postgres://… of a server where the soak creates (and at the end drops) a private database for gjjid dev's durable records")
	fs.DurationVar(&o.duration, "duration", 30*time.Minute, "how long to load (1m…24h)")
	fs.DurationVar(&o.window, "window", 0, "the first and last windows compared (default 5m, or a sixth of a shorter run)")
	fs.DurationVar(&o.tokens, "token-lifetime", 2*time.Minute, "gjjid dev --token-lifetime: the access and ID token lifetime, which bounds what a visit leaves in Redis (plus 5m)")
	fs.DurationVar(&o.warmup, "warmup", 0, "growth is measured from the window starting here (default: --token-lifetime + 6m, the longest a visit's records live plus a minute, or less if the run is too short)")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second (default: half the measured capacity)")
	fs.IntVar(&o.workers, "workers", 64, "requests in flight at most")
	fs.DurationVar(&o.sampleTime, "sample", 10*time.Second, "how often RSS, goroutines and Redis memory are read")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.duration < time.Minute || o.duration > 24*time.Hour:
		return nil, errors.New("--duration must be 1m…24h")
	case o.rate < 0:
		return nil, errors.New("--rate must not be negative")
	case o.workers < 1 || o.workers > maxConcurrency:
		return nil, fmt.Errorf("--workers must be 1…%d", maxConcurrency)
	case o.sampleTime < time.Second:
		return nil, errors.New("--sample must be at least 1s")
	case o.tokens < time.Minute:
		return nil, errors.New("--token-lifetime must be at least 1m")
	case o.warmup < 0:
		return nil, errors.New("--warmup must not be negative")
	}
	if o.window == 0 {
		o.window = min(5*time.Minute, o.duration/6)
	}
	if o.window <= 0 || 2*o.window >= o.duration {
		return nil, errors.New("--window must be positive and under half of --duration")
	}
	if o.warmup == 0 {
		o.warmup = min(o.tokens+6*time.Minute, o.duration-2*o.window)
	}
	if o.warmup+2*o.window > o.duration {
		return nil, errors.New("--warmup plus two windows must fit in --duration")
	}
	return o, nil
}

// soak runs the soak and returns the exit code: 0 when every assertion
// held, 1 when one failed, 2 for usage errors.
func soak(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	so, err := parseSoakFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "gjjid-load soak:", err)
		}
		return 2
	}
	report, err := runSoak(ctx, so, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "gjjid-load soak:", err)
		return 1
	}
	fmt.Fprint(stdout, report.String())
	if !report.ok() {
		return 1
	}
	return 0
}

// sample is one reading of the broker and Redis.
type sample struct {
	at                time.Duration // since the load began
	rssKB, goroutines int64
	redisBytes        int64
}

// soakReport is what a run measured.
type soakReport struct {
	opts           *soakOptions
	rate, capacity float64
	samples        []sample
	cases          map[string]*soakCase
	warm           sample // medians of the window after warm-up; at: its start
	last           sample // medians of the last window
	// keysWarm and keysLast break Redis down by key kind at the first
	// sample after warm-up and after the load (keyspace.go); nil when
	// unreadable.
	keysWarm, keysLast map[string]kindUsage
	// progress gets a line per sample while the soak runs (stderr).
	progress io.Writer
}

// soakCase is one case's outcome: errors and the latencies of the first
// and the last window.
type soakCase struct {
	ok, errors    atomic.Int64
	firstErr      atomic.Value
	mu            sync.Mutex
	first, latest []time.Duration
	recent        []time.Duration // since the last sample, for the progress line
}

func runSoak(ctx context.Context, so *soakOptions, stderr io.Writer) (*soakReport, error) {
	redisURL := so.redisURL
	if redisURL == "" {
		addr, stop, err := privateRedis(ctx)
		if err != nil {
			return nil, err
		}
		defer stop()
		redisURL = "redis://" + addr + "/0"
	}
	ro, err := goredis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("--store: %w", err)
	}
	rc := goredis.NewClient(ro)
	defer rc.Close()

	dbURL, drop, err := privateDatabase(ctx, so.database)
	if err != nil {
		return nil, err
	}
	defer drop()

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	broker := exec.CommandContext(ctx, so.gjjid, "dev", "--addr", addr, "--mtls-addr", "", "--store", redisURL, "--database", dbURL,
		"--token-lifetime", so.tokens.String())
	broker.Stdout, broker.Stderr = io.Discard, io.Discard
	if err := broker.Start(); err != nil {
		return nil, fmt.Errorf("start %s dev: %w (run make build first)", so.gjjid, err)
	}
	defer func() { _ = broker.Process.Signal(os.Interrupt); _ = broker.Wait() }()
	issuer := "http://" + addr
	fmt.Fprintf(stderr, "gjjid-load soak: gjjid dev (pid %d) at %s on %s and %s\n", broker.Process.Pid, issuer, redacted(redisURL), redacted(dbURL))

	o := &options{issuer: issuer, concurrency: so.workers, duration: maxDuration, maxErrors: 1, timeout: 10 * time.Second,
		wait: 30 * time.Second, clientID: demo.ServiceID, clientSecret: demo.ServiceSecret, scope: "gjj:api",
		rpID: demo.ClientID, rpSecret: demo.ClientSecret, redirectURI: "http://127.0.0.1:5555/callback",
		user: demo.AgentIDNumber, password: demo.AgentPassword}
	l, err := newLoader(ctx, o)
	if err != nil {
		return nil, err
	}
	defer l.close()
	cases, err := soakCases(ctx, l, so.workers)
	if err != nil {
		return nil, err
	}

	r := &soakReport{opts: so, cases: map[string]*soakCase{}, progress: stderr}
	for _, m := range soakMix {
		r.cases[m.name] = &soakCase{}
	}
	r.capacity, r.rate = so.capacity, so.rate
	if r.rate == 0 {
		fmt.Fprintln(stderr, "gjjid-load soak: measuring capacity (20 s at full speed)…")
		r.capacity = measureCapacity(ctx, cases, so.workers, 20*time.Second)
		r.rate = r.capacity / 2
	}
	fmt.Fprintf(stderr, "gjjid-load soak: %.0f requests/s for %s (windows of %s; growth measured from %s)\n", r.rate, so.duration, so.window, so.warmup)

	start := time.Now()
	loadCtx, stop := context.WithTimeout(ctx, so.duration)
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() { r.sampleUntil(loadCtx, start, broker.Process.Pid, issuer, rc, l) })
	r.load(loadCtx, start, cases)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if r.keysLast, err = keyspace(ctx, rc, devKeyPrefix); err != nil {
		fmt.Fprintln(stderr, "gjjid-load soak: Redis by key kind:", err)
	}
	r.warm = medianSample(r.samples, so.warmup, so.warmup+so.window)
	r.last = medianSample(r.samples, so.duration-so.window, so.duration+time.Minute)
	if r.warm.at < 0 || r.last.at < 0 {
		return nil, errors.New("too few samples: none after warm-up or none in the last window")
	}
	return r, nil
}

// medianSample is the per-field median of the samples taken in [from, to);
// its at is from, or -1 when there is none.
func medianSample(samples []sample, from, to time.Duration) sample {
	var rss, gor, redis []int64
	for _, s := range samples {
		if s.at >= from && s.at < to {
			rss, gor, redis = append(rss, s.rssKB), append(gor, s.goroutines), append(redis, s.redisBytes)
		}
	}
	if len(rss) == 0 {
		return sample{at: -1}
	}
	median := func(v []int64) int64 { slices.Sort(v); return v[len(v)/2] }
	return sample{at: from, rssKB: median(rss), goroutines: median(gor), redisBytes: median(redis)}
}

// soakCases are the requests of the mix; refresh chains per worker.
func soakCases(ctx context.Context, l *loader, workers int) (map[string]func(ctx context.Context, w int, buf *bytes.Buffer) error, error) {
	out := map[string]func(ctx context.Context, w int, buf *bytes.Buffer) error{}
	for _, name := range []string{"client_credentials", "introspection", "jwks", "discovery", "refresh"} {
		c, err := l.caseFor(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = func(ctx context.Context, w int, buf *bytes.Buffer) error { return c.do(ctx, w, 0, buf) }
	}
	// A person's whole visit (visit.go): sign in, redeem the code, revoke
	// the refresh token, end the session.
	v := newVisitor(l, demoPostLogoutURI, [2]string{demo.AgentIDNumber, demo.AgentPassword},
		[2]string{demo.Agent2IDNumber, demo.Agent2Password})
	out["code_flow"] = func(ctx context.Context, _ int, buf *bytes.Buffer) error { return v.visit(ctx, buf) }
	return out, nil
}

// schedule is the mix as a repeating sequence of case names.
func schedule() []string {
	var s []string
	for _, m := range soakMix {
		for range m.weight {
			s = append(s, m.name)
		}
	}
	return s
}

// measureCapacity sends the mix as fast as workers can for d and returns
// the requests per second that succeeded.
func measureCapacity(ctx context.Context, cases map[string]func(context.Context, int, *bytes.Buffer) error, workers int, d time.Duration) float64 {
	seq := schedule()
	var next, ok atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			buf := new(bytes.Buffer)
			for ctx.Err() == nil {
				name := seq[int(next.Add(1)-1)%len(seq)]
				// Never cut a request short: a refresh the broker
				// rotated but whose answer was dropped would break
				// the chain (reuse detection).
				if cases[name](context.WithoutCancel(ctx), w, buf) == nil {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(ok.Load()) / time.Since(start).Seconds()
}

// load sends the mix at r.rate until ctx ends: a ticker releases each
// request to the first free worker (a worker that is busy when its turn
// comes makes the next request wait, which the latency then shows).
func (r *soakReport) load(ctx context.Context, start time.Time, cases map[string]func(context.Context, int, *bytes.Buffer) error) {
	seq := schedule()
	jobs := make(chan string, r.opts.workers)
	var wg sync.WaitGroup
	for w := range r.opts.workers {
		wg.Go(func() {
			buf := new(bytes.Buffer)
			for name := range jobs {
				t0 := time.Now()
				err := cases[name](context.WithoutCancel(ctx), w, buf)
				r.record(name, t0.Sub(start), time.Since(t0), err)
			}
		})
	}
	interval := time.Duration(float64(time.Second) / r.rate)
	tick := time.NewTicker(interval)
	defer func() { tick.Stop(); close(jobs); wg.Wait() }()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			select {
			case jobs <- seq[i%len(seq)]:
			case <-ctx.Done():
				return
			}
		}
	}
}

// record counts a request and keeps its latency when it falls in the
// first or the last window.
func (r *soakReport) record(name string, at, took time.Duration, err error) {
	c := r.cases[name]
	if err != nil {
		if c.errors.Add(1) == 1 {
			c.firstErr.Store(err.Error())
		}
		return
	}
	c.ok.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recent = append(c.recent, took)
	switch {
	case at < r.opts.window:
		c.first = append(c.first, took)
	case at >= r.opts.duration-r.opts.window:
		c.latest = append(c.latest, took)
	}
}

// sampleUntil reads RSS, goroutines and Redis memory every sample period.
func (r *soakReport) sampleUntil(ctx context.Context, start time.Time, pid int, issuer string, rc *goredis.Client, l *loader) {
	t := time.NewTicker(r.opts.sampleTime)
	defer t.Stop()
	for {
		s := sample{at: time.Since(start), rssKB: rssKB(pid), goroutines: goroutines(ctx, l, issuer), redisBytes: redisUsed(ctx, rc)}
		if s.rssKB > 0 && s.goroutines > 0 && s.redisBytes > 0 {
			r.samples = append(r.samples, s)
			if r.progress != nil {
				fmt.Fprintf(r.progress, "gjjid-load soak: %s RSS %d KiB, %d goroutines, Redis %d bytes; p99 since the last sample:%s\n",
					s.at.Truncate(time.Second), s.rssKB, s.goroutines, s.redisBytes, r.recentP99s())
			}
			if s.at >= r.opts.warmup && r.keysWarm == nil {
				// The sample the growth is measured from: what Redis
				// holds then, by kind (after used_memory was read).
				r.keysWarm, _ = keyspace(ctx, rc, devKeyPrefix)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// rssKB is VmRSS of pid in KiB, 0 when unreadable.
func rssKB(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// goroutines reads go_goroutines from the broker's /metrics.
func goroutines(ctx context.Context, l *loader, issuer string) int64 {
	body, err := l.hc.Get(ctx, issuer+"/metrics", new(bytes.Buffer))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(n)
		}
	}
	return 0
}

// redisUsed is Redis's used_memory in bytes.
func redisUsed(ctx context.Context, rc *goredis.Client) int64 {
	info, err := rc.Info(ctx, "memory").Result()
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

func growth(from, to int64) float64 {
	if from <= 0 {
		return 0
	}
	return float64(to-from) / float64(from)
}

func (r *soakReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "soak: %s at %.0f requests/s", r.opts.duration, r.rate)
	if r.capacity > 0 {
		fmt.Fprintf(&b, " (half of the measured %.0f/s)", r.capacity)
	}
	fmt.Fprintf(&b, ", windows of %s, %d samples\n", r.opts.window, len(r.samples))
	fmt.Fprintf(&b, "%-20s %10s %7s %12s %12s %8s\n", "case", "requests", "errors", "p99 first", "p99 last", "change")
	for _, m := range soakMix {
		c := r.cases[m.name]
		first, last := c.p99s()
		fmt.Fprintf(&b, "%-20s %10d %7d %12s %12s %+7.1f%%", m.name, c.ok.Load(), c.errors.Load(), fmtMS(first), fmtMS(last), 100*growth(int64(first), int64(last)))
		if e, _ := c.firstErr.Load().(string); e != "" {
			fmt.Fprintf(&b, "  first error: %.120s", e)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%-20s %14s %14s %8s\n", "median of window", "from "+r.warm.at.Truncate(time.Second).String(), "from "+r.last.at.Truncate(time.Second).String(), "change")
	for _, g := range []struct {
		name     string
		from, to int64
	}{
		{"RSS (KiB)", r.warm.rssKB, r.last.rssKB},
		{"goroutines", r.warm.goroutines, r.last.goroutines},
		{"Redis used_memory", r.warm.redisBytes, r.last.redisBytes},
	} {
		fmt.Fprintf(&b, "%-20s %14d %14d %+7.1f%%\n", g.name, g.from, g.to, 100*growth(g.from, g.to))
	}
	r.writeKeyspace(&b)
	for _, f := range r.failures() {
		fmt.Fprintln(&b, "FAIL:", f)
	}
	if r.ok() {
		fmt.Fprintln(&b, "PASS: no errors; RSS, goroutines and Redis memory grew by less than 10 %; every p99 within 20 %")
	}
	return b.String()
}

// writeKeyspace prints Redis by key kind, the kinds that grew most first
// (MEMORY USAGE: name, value and dictionary entry of each key).
func (r *soakReport) writeKeyspace(b *strings.Builder) {
	if r.keysWarm == nil || r.keysLast == nil {
		return
	}
	fmt.Fprintf(b, "%-20s %10s %12s %10s %12s %12s\n", "Redis by key kind", "keys warm", "bytes warm", "keys end", "bytes end", "change")
	for i, g := range growthByKind(r.keysWarm, r.keysLast) {
		if i == 12 {
			fmt.Fprintln(b, "…")
			break
		}
		fmt.Fprintf(b, "%-20s %10d %12d %10d %12d %+12d\n", g.kind, g.from.keys, g.from.bytes, g.to.keys, g.to.bytes, g.to.bytes-g.from.bytes)
	}
}

// recentP99s is each case's p99 since the previous call, for the progress
// line: where a rise begins shows what caused it.
func (r *soakReport) recentP99s() string {
	var b strings.Builder
	for _, m := range soakMix {
		c := r.cases[m.name]
		c.mu.Lock()
		recent := c.recent
		c.recent = nil
		c.mu.Unlock()
		slices.Sort(recent)
		fmt.Fprintf(&b, " %s %s", m.name, fmtMS(percentile(recent, 99)))
	}
	return b.String()
}

func (c *soakCase) p99s() (first, last time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.Sort(c.first)
	slices.Sort(c.latest)
	return percentile(c.first, 99), percentile(c.latest, 99)
}

// failures are the assertions that did not hold.
func (r *soakReport) failures() []string {
	var out []string
	for _, m := range soakMix {
		c := r.cases[m.name]
		if n := c.errors.Load(); n > 0 {
			out = append(out, fmt.Sprintf("%s: %d errors", m.name, n))
		}
		first, last := c.p99s()
		if first == 0 || last == 0 {
			out = append(out, fmt.Sprintf("%s: no requests in the first or the last window", m.name))
		} else if growth(int64(first), int64(last)) > soakP99Rise {
			out = append(out, fmt.Sprintf("%s: p99 rose from %s to %s", m.name, fmtMS(first), fmtMS(last)))
		}
	}
	for _, g := range []struct {
		name     string
		from, to int64
	}{{"RSS", r.warm.rssKB, r.last.rssKB}, {"goroutines", r.warm.goroutines, r.last.goroutines}, {"Redis memory", r.warm.redisBytes, r.last.redisBytes}} {
		if growth(g.from, g.to) >= soakGrowth {
			out = append(out, fmt.Sprintf("%s grew from %d to %d after warm-up", g.name, g.from, g.to))
		}
	}
	return out
}

func (r *soakReport) ok() bool { return len(r.failures()) == 0 }

// privateRedis starts a redis-server of its own on a free port, keeping
// nothing on disk, so its used_memory is the broker's alone.
func privateRedis(ctx context.Context) (addr string, stop func(), err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, errors.New("no redis-server on PATH: install it, or pass --store redis://…")
	}
	addr, err = freeAddr()
	if err != nil {
		return "", nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(ctx, bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start redis-server: %w", err)
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	defer c.Close()
	for range 50 {
		if c.Ping(ctx).Err() == nil {
			return addr, stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("the private redis-server did not answer")
}

// freeAddr is a free loopback address.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// redacted drops a URL's password.
func redacted(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…@" + u[i+1:]
		}
	}
	return u
}

// isSoak reports whether args ask for the soak.
func isSoak(args []string) bool { return len(args) > 0 && args[0] == "soak" }
