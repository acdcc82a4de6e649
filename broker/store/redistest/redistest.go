// Package redistest gives tests a Redis to talk to: the one REDIS_URL names,
// or private redis-server processes the test starts and stops itself. Tests
// keep their keys under a prefix of their own and delete only those, so they
// can share a Redis with anything else.
package redistest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

const (
	needServer = "redis tests need the redis-server binary on PATH (Debian package redis-server) or REDIS_URL pointing at a running Redis"
	needTools  = "redis cluster tests need the redis-server and redis-cli binaries on PATH (Debian package redis-server)"
)

// URL returns REDIS_URL when it is set. Otherwise it starts a private
// redis-server on a free loopback port (no persistence, data in a temporary
// directory) that stops when t ends, and returns its URL. Each call starts
// its own server: call it once per top-level test and share the URL with
// subtests.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("%s", needServer)
	}
	return "redis://" + startServer(t, bin, false) + "/0"
}

// Cluster starts three redis-server masters with cluster mode on, joins them
// with redis-cli --cluster create, waits until every node reports
// cluster_state:ok and returns their addresses. They stop when t ends.
func Cluster(t testing.TB) []string {
	t.Helper()
	server, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	if err1 != nil || err2 != nil {
		t.Fatalf("%s", needTools)
	}
	addrs := make([]string, 3)
	for i := range addrs {
		addrs[i] = startServer(t, server, true)
	}
	args := append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range addrs {
		waitFor(t, a, 15*time.Second, func(ctx context.Context, c *goredis.Client) bool {
			info, err := c.ClusterInfo(ctx).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok")
		})
	}
	return addrs
}

// Client connects to URL(t) and returns the client, closed when t ends,
// with a fresh Prefix whose keys are deleted first.
func Client(t testing.TB) (*goredis.Client, string) {
	t.Helper()
	o, err := goredis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	prefix := Prefix(t)
	CleanupKeys(t, c, prefix)
	return c, prefix
}

// Prefix returns a key prefix no other test uses, "gjjidtest:<random>:".
// Pair it with CleanupKeys.
func Prefix(t testing.TB) string {
	t.Helper()
	return "gjjidtest:" + strings.ToLower(rand.Text()[:12]) + ":"
}

// CleanupKeys deletes every key under prefix, and nothing else, when t ends.
// Register it after the client's own cleanup so it runs first.
func CleanupKeys(t testing.TB, c goredis.UniversalClient, prefix string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := DeleteKeys(ctx, c, prefix); err != nil {
			t.Errorf("redistest: delete keys under %q: %v", prefix, err)
		}
	})
}

// DeleteKeys SCANs for keys starting with prefix (on a cluster, on every
// master) and deletes them, returning how many it deleted. It refuses an
// empty prefix: it never deletes data it was not pointed at.
func DeleteKeys(ctx context.Context, c goredis.UniversalClient, prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("redistest: refusing to delete keys under an empty prefix")
	}
	pattern := globEscape(prefix) + "*"
	cc, ok := c.(*goredis.ClusterClient)
	if !ok {
		return deleteMatching(ctx, c, pattern, prefix)
	}
	var mu sync.Mutex
	total := 0
	err := cc.ForEachMaster(ctx, func(ctx context.Context, node *goredis.Client) error {
		n, err := deleteMatching(ctx, node, pattern, prefix)
		mu.Lock()
		total += n
		mu.Unlock()
		return err
	})
	return total, err
}

// deleteMatching deletes the keys of one node that match pattern and really
// start with prefix, one DEL per key: keys on a cluster node span slots.
func deleteMatching(ctx context.Context, node goredis.Cmdable, pattern, prefix string) (int, error) {
	n := 0
	iter := node.Scan(ctx, 0, pattern, 500).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if err := node.Del(ctx, k).Err(); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// globEscape quotes the characters SCAN MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// startServer runs redis-server on a free loopback port until t ends and
// returns its address once it answers PING.
func startServer(t testing.TB, bin string, cluster bool) string {
	t.Helper()
	dir := t.TempDir()
	var lastErr error
	var logFile string
	for range 5 { // another process may grab the port between probe and bind
		port := freePort(t, cluster)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		logFile = filepath.Join(dir, "redis-"+strconv.Itoa(port)+".log")
		args := []string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no",
			"--dir", dir, "--logfile", logFile,
		}
		if cluster {
			args = append(args, "--cluster-enabled", "yes",
				"--cluster-config-file", "nodes-"+strconv.Itoa(port)+".conf",
				"--cluster-node-timeout", "5000")
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		dieWithParent(cmd)
		if err := cmd.Start(); err != nil {
			t.Fatalf("redistest: start %s: %v", bin, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := waitUp(addr, exited); err != nil {
			lastErr = err
			stop(cmd, exited)
			continue
		}
		t.Cleanup(func() { stop(cmd, exited) })
		return addr
	}
	log, _ := os.ReadFile(logFile)
	t.Fatalf("redistest: redis-server did not come up: %v\n%s", lastErr, log)
	return ""
}

// waitUp waits until addr answers PING or the process exits. It speaks
// RESP itself rather than through go-redis, which would log every refused
// dial while the server starts.
func waitUp(addr string, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("redis-server on %s exited: %v", addr, err)
		default:
		}
		if ping(addr) == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis-server on %s did not answer PING within 10s", addr)
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", buf)
	}
	return nil
}

// waitFor polls the node at addr until ok holds.
func waitFor(t testing.TB, addr string, within time.Duration, ok func(context.Context, *goredis.Client) bool) {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		done := ok(ctx, c)
		cancel()
		if done {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redistest: node %s not ready within %v", addr, within)
}

// stop asks redis-server to shut down and kills it if it lingers.
func stop(cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// freePort finds a loopback port nobody listens on; for a cluster node the
// cluster bus port (port+10000) must be free as well.
func freePort(t testing.TB, cluster bool) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("redistest: find a free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if !cluster {
			l.Close()
			return port
		}
		if port+10000 > 65535 {
			l.Close()
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		l.Close()
		if err != nil {
			continue
		}
		bus.Close()
		return port
	}
	t.Fatalf("redistest: no free port pair for a cluster node")
	return 0
}
