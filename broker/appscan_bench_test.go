//go:build unix

package broker_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/brokertest/loadhttp"
	loginpkg "github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/appscan"
)

// The QR login at scale (make bench). Every benchmark runs its workload
// once, whatever b.N, and reports its figures with b.ReportMetric; run
// them with -benchtime=1x:
//
//	go test ./broker/ -run '^$' -bench BenchmarkQR -benchtime=1x
//
// Redis is REDIS_URL or a private redis-server (redistest); keys live under
// a random prefix deleted afterwards. Limits are raised so that only the
// machine bounds the figures.
const qrBenchConfig = "lifetime: 10m\nip_create_limit: 100000\nrequest_create_limit: 100000\nmax_polls: 10000\napp_rate_limit: 100000\n"

// qrBenchWaiting is how many browsers wait at once in
// BenchmarkQRWaitingBrowsers.
const qrBenchWaiting = 10000

// qrBenchEnv is a broker with QR login and one browser's authorization
// request, from which QR pages are loaded over plain HTTP.
type qrBenchEnv struct {
	b          *bt.Broker
	host       string
	ar         string // the authorization request
	binding    string // its browser's binding cookie
	http       *http.Client
	pageBuffer sync.Pool
}

func newQRBenchEnv(b *testing.B, br *bt.Broker) *qrBenchEnv {
	b.Helper()
	u, _ := url.Parse(br.URL)
	e := &qrBenchEnv{b: br, host: u.Host, http: &http.Client{Transport: benchTransport(), Timeout: 30 * time.Second},
		pageBuffer: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	rp := bt.NewRP(b, br.URL)
	browser := bt.NewBrowser(b)
	if loc, err := browser.Get(rp.NewFlow().URL); err != nil || loc != nil {
		b.Fatalf("authorize: %v %v", loc, err)
	}
	m := regexp.MustCompile(`href="/login/appscan\?id=([^"&]+)`).FindStringSubmatch(browser.Page)
	if m == nil {
		b.Fatalf("no QR login on the chooser: %.300s", browser.Page)
	}
	e.ar = m[1]
	for _, c := range browser.Client.Jar.Cookies(u) {
		if c.Name == loginpkg.BindingCookie {
			e.binding = c.Value
		}
	}
	return e
}

// benchQR is a QR session as its browser holds it.
type benchQR struct{ id, secret string }

var benchQRID = regexp.MustCompile(`data-qr-id="([A-Z0-9]+)"`)

// page loads the QR page: one new QR session.
func (e *qrBenchEnv) page() (benchQR, error) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.host+"/login/appscan?id="+e.ar, nil)
	req.AddCookie(&http.Cookie{Name: loginpkg.BindingCookie, Value: e.binding})
	resp, err := e.http.Do(req)
	if err != nil {
		return benchQR{}, err
	}
	defer resp.Body.Close()
	buf := e.pageBuffer.Get().(*bytes.Buffer)
	defer e.pageBuffer.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return benchQR{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return benchQR{}, fmt.Errorf("QR page: status %d: %.200s", resp.StatusCode, buf.Bytes())
	}
	m := benchQRID.FindSubmatch(buf.Bytes())
	var q benchQR
	for _, c := range resp.Cookies() {
		if c.Name == "gjjid_qr" {
			q.secret = c.Value
		}
	}
	if m == nil || q.secret == "" {
		return benchQR{}, errors.New("QR page without a session or poll secret")
	}
	q.id = string(m[1])
	return q, nil
}

// pages loads n QR pages, 32 at a time.
func (e *qrBenchEnv) pages(b *testing.B, n int) []benchQR {
	b.Helper()
	out := make([]benchQR, n)
	var m benchMeasurement
	m.drive(b, n, func(_, i int, _ *bytes.Buffer) error {
		q, err := e.page()
		out[i] = q
		return err
	})
	return out
}

// readEvent returns the data of the next status event.
func readEvent(r *bufio.Reader) (string, error) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, "data: ") {
			return strings.TrimSpace(strings.TrimPrefix(line, "data: ")), nil
		}
	}
}

// raiseFileLimit lets this process hold n open files.
func raiseFileLimit(b *testing.B, n uint64) {
	b.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		b.Fatalf("this benchmark needs %d open files; the hard limit is %d (ulimit -Hn)", n, lim.Max)
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatalf("raise the open-file limit to %d: %v", n, err)
	}
}

// rssMB is this process's resident set size (VmRSS) in MB, after a
// collection that returns freed memory to the system: what stays is in
// use.
func rssMB(b *testing.B) float64 {
	b.Helper()
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatalf("read /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// qrClientsEnv makes the test binary the browsers' side of
// BenchmarkQRWaitingBrowsers (TestQRBenchClients): 10,000 sockets in this
// process and 10,000 in the broker's would pass the open-file limit, and
// apart they leave the broker's RSS its own.
const qrClientsEnv = "GJJID_QR_BENCH_CLIENTS"

// TestQRBenchClients is the helper process of BenchmarkQRWaitingBrowsers
// (the os/exec TestHelperProcess idiom): run by the benchmark with
// GJJID_QR_BENCH_CLIENTS=<file of "host id secret" lines>, it opens one
// event stream per line, prints "ready", then answers "check <i>" on stdin
// with the next event of stream i, until stdin closes. Run without it, it
// has nothing to do.
func TestQRBenchClients(t *testing.T) {
	file := os.Getenv(qrClientsEnv)
	if file == "" {
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	conns := make([]net.Conn, len(lines))
	if err := loadhttp.Parallel(len(lines), 64, func(_, i int) (err error) {
		f := strings.Fields(lines[i])
		conns[i], err = openStream(f[0], benchQR{id: f[1], secret: f[2]})
		return err
	}); err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		i, _ := strconv.Atoi(strings.TrimPrefix(in.Text(), "check "))
		_ = conns[i].SetReadDeadline(time.Now().Add(10 * time.Second))
		ev, err := readEvent(bufio.NewReaderSize(conns[i], 512))
		fmt.Printf("event %d %s %v\n", i, ev, err)
	}
	for _, c := range conns {
		c.Close()
	}
}

// openStream connects as a browser whose page waits: the event stream's
// request sent and its first event read. The socket then holds no
// goroutine and no buffer.
func openStream(host string, q benchQR) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(conn, "GET /login/appscan/qr/%s/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nCookie: gjjid_qr=%s\r\n\r\n", q.id, host, q.secret)
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	ev, err := readEvent(bufio.NewReaderSize(conn, 512))
	if err != nil || !strings.Contains(ev, `"state":"waiting"`) {
		conn.Close()
		return nil, fmt.Errorf("first event %q: %v", ev, err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	return conn, nil
}

// BenchmarkQRWaitingBrowsers holds 10,000 QR pages waiting (Server-Sent
// Events) on one instance with the Redis store, the browsers' sockets in a
// helper process, and reports the instance's RSS (VmRSS of this process:
// the broker, plus the test's own little) and goroutines. It then scans
// every 100th session through the app API; each of those browsers must
// hear of it.
func BenchmarkQRWaitingBrowsers(b *testing.B) {
	raiseFileLimit(b, qrBenchWaiting+2000)
	o := benchRedisOptions(b)
	o.Edit = bt.WithAppScan(qrBenchConfig)
	br := bt.Start(b, o)
	e := newQRBenchEnv(b, br)
	qrs := e.pages(b, qrBenchWaiting)
	app := bt.AppLogin(b, br.URL, bt.AgentIDNumber, bt.AgentPassword)
	var list strings.Builder
	for _, q := range qrs {
		fmt.Fprintf(&list, "%s %s %s\n", e.host, q.id, q.secret)
	}
	file := b.TempDir() + "/sessions"
	if err := os.WriteFile(file, []byte(list.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	e.http.CloseIdleConnections()
	runtime.GC()
	baseRSS, baseG := rssMB(b), runtime.NumGoroutine()

	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^TestQRBenchClients$", "-test.count=1")
	cmd.Env = append(os.Environ(), qrClientsEnv+"="+file)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	out := bufio.NewScanner(stdout)
	if !out.Scan() || out.Text() != "ready" {
		b.Fatalf("the browsers' process: %q %v", out.Text(), out.Err())
	}
	opened := time.Since(start)
	time.Sleep(time.Second)
	runtime.GC()
	time.Sleep(500 * time.Millisecond)
	rss, g := rssMB(b), runtime.NumGoroutine()
	waiting := br.Login.WaitingStreams()
	if waiting != qrBenchWaiting {
		b.Fatalf("%d streams wait, want %d", waiting, qrBenchWaiting)
	}

	for i := 0; i < len(qrs); i += 100 {
		if code, body := app.Call(b, qrs[i].id, "scan", nil); code != http.StatusOK {
			b.Fatalf("scan: %d %v", code, body)
		}
	}
	for i := 0; i < len(qrs); i += 100 {
		fmt.Fprintf(stdin, "check %d\n", i)
		if !out.Scan() || !strings.Contains(out.Text(), `"state":"scanned"`) {
			b.Fatalf("browser %d after its scan: %q %v", i, out.Text(), out.Err())
		}
	}
	b.ReportMetric(float64(waiting), "waiting")
	b.ReportMetric(rss, "rss-MB")
	b.ReportMetric((rss-baseRSS)*1024/float64(waiting), "rss-KB/stream")
	b.ReportMetric(float64(g), "goroutines")
	b.ReportMetric(float64(g-baseG), "goroutines-added")
	b.ReportMetric(float64(len(qrs))/opened.Seconds(), "opened/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkQRNotifyLatency measures, across two instances on one Redis,
// the time from the app's confirm request (sent to one instance) to the
// waiting browser's event (streamed by the other): token check, the
// compare-and-set, pub/sub, the other instance's read and ticket, the
// write. 1,000 sessions wait at once; they are confirmed one after
// another.
func BenchmarkQRNotifyLatency(b *testing.B) {
	const n = 1000
	raiseFileLimit(b, 2*n+2000)
	o := benchRedisOptions(b)
	o.Edit = bt.WithAppScan(qrBenchConfig)
	appSide, browserSide := bt.Start(b, o), bt.Start(b, o)
	e := newQRBenchEnv(b, browserSide)
	qrs := e.pages(b, n)
	app := bt.AppLogin(b, appSide.URL, bt.AgentIDNumber, bt.AgentPassword)
	app.HTTP = &http.Client{Transport: benchTransport(), Timeout: 30 * time.Second}

	type waiter struct {
		conn   net.Conn
		events chan time.Time // arrival of each further event
		data   chan string
	}
	ws := make([]waiter, n)
	for i, q := range qrs {
		conn, err := openStream(e.host, q)
		if err != nil {
			b.Fatal(err)
		}
		w := waiter{conn: conn, events: make(chan time.Time, 4), data: make(chan string, 4)}
		go func() {
			r := bufio.NewReaderSize(conn, 1024)
			for {
				ev, err := readEvent(r)
				if err != nil {
					close(w.events)
					return
				}
				w.events <- time.Now()
				w.data <- ev
			}
		}()
		ws[i] = w
		b.Cleanup(func() { conn.Close() })
	}
	lat := make([]time.Duration, 0, n)
	for i, w := range ws {
		if code, body := app.Call(b, qrs[i].id, "scan", nil); code != http.StatusOK {
			b.Fatalf("scan: %d %v", code, body)
		}
		select {
		case <-w.events:
			<-w.data
		case <-time.After(10 * time.Second):
			b.Fatalf("browser %d heard nothing of its scan", i)
		}
		t0 := time.Now()
		if code, body := app.Call(b, qrs[i].id, "confirm", nil); code != http.StatusOK {
			b.Fatalf("confirm: %d %v", code, body)
		}
		select {
		case t1 := <-w.events:
			if ev := <-w.data; !strings.Contains(ev, `"state":"confirmed"`) || !strings.Contains(ev, `"ticket":"`) {
				b.Fatalf("browser %d: %s", i, ev)
			}
			lat = append(lat, t1.Sub(t0))
		case <-time.After(10 * time.Second):
			b.Fatalf("browser %d heard nothing of its confirmation", i)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(benchMS(benchPercentile(lat, 50)), "p50-ms")
	b.ReportMetric(benchMS(benchPercentile(lat, 99)), "p99-ms")
	b.ReportMetric(benchMS(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(0, "ns/op")
}

// openBenchConnector opens an appscan connector over the broker's own
// services, for the figures of the connector alone.
func openBenchConnector(b *testing.B, br *bt.Broker) *appscan.Connector {
	b.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("app_clients: ["+bt.AppClientID+"]\n"+qrBenchConfig), &n); err != nil {
		b.Fatal(err)
	}
	spec := connectors.Spec{ID: bt.AppScanID, Type: appscan.Type, Config: *n.Content[0]}
	c, err := appscan.Open(spec, br.Host.Deps(spec))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkQRCreate measures QR creations per second with Redis at
// concurrency 32: the connector's Start alone (two rate-limit counters, the
// session's script, the PNG) and the whole login page over HTTP (plus the
// authorization request, the template and the client's side).
func BenchmarkQRCreate(b *testing.B) {
	const n = 20000
	o := benchRedisOptions(b)
	o.Edit = bt.WithAppScan(qrBenchConfig)
	br := bt.Start(b, o)
	ars := benchAuthRequests(b, br, n)
	b.Run("store", func(b *testing.B) {
		// The Redis side of a creation alone, as Start does it: the per-IP
		// counter, the count on the auth request, the session (SET NX).
		svc := br.Host
		data := bytes.Repeat([]byte("x"), 160)
		var m benchMeasurement
		m.drive(b, n, func(_, i int, _ *bytes.Buffer) error {
			ctx := context.Background()
			if _, err := svc.Incr(ctx, "qrip:bench"+strconv.Itoa(i%200), 2*time.Minute); err != nil {
				return err
			}
			if _, err := svc.AddQRToAuthRequest(ctx, ars[i]); err != nil {
				return err
			}
			return svc.CreateQR(ctx, &connectors.QRSession{ID: "bench" + strconv.Itoa(i) + "ABCDEFGHIJKLMNOP", State: connectors.CrossDeviceWaiting,
				ExpiresAt: time.Now().Add(2 * time.Minute), PollHash: "AAAAAAAAAAAAAAAAAAAAAA", Data: data}, time.Minute)
		})
		m.report(b)
	})
	b.Run("start", func(b *testing.B) {
		c := openBenchConnector(b, br)
		var m benchMeasurement
		m.drive(b, n, func(_, i int, _ *bytes.Buffer) error {
			_, err := c.Start(context.Background(), benchRequest(ars[i], i))
			return err
		})
		m.report(b)
	})
	b.Run("page", func(b *testing.B) {
		e := newQRBenchEnv(b, br)
		var m benchMeasurement
		m.drive(b, n/2, func(_, _ int, _ *bytes.Buffer) error {
			_, err := e.page()
			return err
		})
		m.report(b)
	})
}

// BenchmarkQRRedisMemory reports what 10,000 pending (waiting) QR sessions
// cost Redis: the growth of used_memory per session, the sessions' own
// keys together with the per-request and per-IP rate counters a creation
// leaves, and MEMORY USAGE of the session key alone.
func BenchmarkQRRedisMemory(b *testing.B) {
	const n = 10000
	o := benchRedisOptions(b)
	o.Edit = bt.WithAppScan(qrBenchConfig)
	br := bt.Start(b, o)
	c := openBenchConnector(b, br)
	ro, err := goredis.ParseURL(o.RedisURL)
	if err != nil {
		b.Fatal(err)
	}
	rc := goredis.NewClient(ro)
	defer rc.Close()
	ctx := context.Background()
	used := func() int64 {
		info, err := rc.InfoMap(ctx, "memory").Result()
		if err != nil {
			b.Fatal(err)
		}
		v, _ := strconv.ParseInt(info["Memory"]["used_memory"], 10, 64)
		return v
	}
	ars := benchAuthRequests(b, br, n+100)
	// Warm up: scripts loaded, the first keys' structures made.
	for i := range 100 {
		if _, err := c.Start(ctx, benchRequest(ars[n+i], i)); err != nil {
			b.Fatal(err)
		}
	}
	before := used()
	ids := make([]string, n)
	var m benchMeasurement
	m.drive(b, n, func(_, i int, _ *bytes.Buffer) error {
		ch, err := c.Start(ctx, benchRequest(ars[i], i))
		ids[i] = ch.ID
		return err
	})
	after := used()
	var keyBytes int64
	for _, id := range ids[:100] {
		v, err := rc.MemoryUsage(ctx, o.KeyPrefix+"qr:{"+id+"}").Result()
		if err != nil {
			b.Fatalf("MEMORY USAGE: %v", err)
		}
		keyBytes += v
	}
	b.ReportMetric(float64(after-before)/n, "bytes/session")
	b.ReportMetric(float64(keyBytes)/100, "key-bytes")
	b.ReportMetric(0, "ns/op")
}

// benchRequest is a browser's request: its own authorization request, one
// of 100 IP addresses, a usual browser's user agent.
func benchRequest(ar string, i int) connectors.CrossDeviceRequest {
	return connectors.CrossDeviceRequest{AuthRequestID: ar, ClientID: bt.ClientID, RemoteIP: "203.0.113." + strconv.Itoa(i%100),
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}
}

// benchAuthRequests stores n authorization requests, as /authorize would,
// and returns their IDs.
func benchAuthRequests(b *testing.B, br *bt.Broker, n int) []string {
	b.Helper()
	ids := make([]string, n)
	var m benchMeasurement
	m.drive(b, n, func(_, i int, _ *bytes.Buffer) error {
		ids[i] = secrets.NewID()
		return br.Store.CreateAuthRequest(context.Background(), &store.AuthRequest{ID: ids[i], ClientID: bt.ClientID,
			RedirectURI: bt.RedirectURI, Scopes: []string{"openid", "profile"}, ResponseType: "code", State: "s", Nonce: "n",
			CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256", BrowserID: "b", CreatedAt: time.Now()}, 10*time.Minute)
	})
	return ids
}
