package redistest

import (
	"context"
	"fmt"
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

// Server is a private redis-server a test may freeze, kill and restart,
// for tests of what clients see while Redis fails. It persists every
// write to its append-only file before answering (appendfsync always), so
// a restart after a kill loses nothing that was acknowledged.
type Server struct {
	// Addr is host:port; it stays the same across restarts.
	Addr string

	t    testing.TB
	bin  string
	args []string
	log  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan error
}

// ServerOptions say what kind of private server to start.
type ServerOptions struct {
	// ReplicaOf makes the server a replica of this host:port.
	ReplicaOf string
}

// StartServer starts a private redis-server with AOF on a free loopback
// port; it stops when t ends.
func StartServer(t testing.TB, o ServerOptions) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("%s", needServer)
	}
	dir := t.TempDir()
	var lastErr error
	for range 5 { // another process may grab the port between probe and bind
		port := strconv.Itoa(freePort(t, false))
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", port), t: t, bin: bin, log: filepath.Join(dir, "redis.log")}
		s.args = []string{"--port", port, "--bind", "127.0.0.1", "--dir", dir, "--logfile", s.log,
			"--save", "", "--appendonly", "yes", "--appendfsync", "always"}
		if o.ReplicaOf != "" {
			host, rport, _ := net.SplitHostPort(o.ReplicaOf)
			s.args = append(s.args, "--replicaof", host, rport)
		}
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.stop)
			return s
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	t.Fatalf("redistest: redis-server did not come up: %v\n%s", lastErr, log)
	return nil
}

// URL is the server's redis:// URL (database 0).
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

func (s *Server) start() error {
	cmd := exec.Command(s.bin, s.args...)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := waitUp(s.Addr, exited); err != nil {
		stop(cmd, exited)
		return err
	}
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	return nil
}

// Freeze stops the server with SIGSTOP: connections stay open and new
// ones are accepted by the kernel, but nothing answers, as when a host
// hangs.
func (s *Server) Freeze() { s.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen server (SIGCONT).
func (s *Server) Thaw() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("redistest: %v to redis-server on %s: %v", sig, s.Addr, err)
	}
}

// Kill ends the server with SIGKILL, as a crash would, and waits until it
// is gone.
func (s *Server) Kill() {
	s.t.Helper()
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGCONT)
	if err := cmd.Process.Kill(); err != nil {
		s.t.Fatalf("redistest: kill redis-server on %s: %v", s.Addr, err)
	}
	<-exited
	exited <- nil // stop must not wait for a second exit
}

// Restart starts a killed server again on the same port with the same
// data directory; it replays its append-only file. It returns once the
// server answers PING (possibly with LOADING while it replays).
func (s *Server) Restart() {
	s.t.Helper()
	var err error
	for range 50 { // the old socket may linger a moment after the kill
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	log, _ := os.ReadFile(s.log)
	s.t.Fatalf("redistest: restart redis-server on %s: %v\n%s", s.Addr, err, tail(log, 2000))
}

func (s *Server) stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	_ = cmd.Process.Signal(syscall.SIGCONT)
	stop(cmd, exited)
}

// SentinelGroup is a master, one replica and one Sentinel (quorum 1)
// that fails over one second after the master stops answering.
type SentinelGroup struct {
	Master, Replica *Server
	// Sentinel is the Sentinel's host:port.
	Sentinel string
}

// StartSentinelGroup starts a SentinelGroup whose replica is in sync and
// known to the Sentinel; everything stops when t ends.
func StartSentinelGroup(t testing.TB) *SentinelGroup {
	t.Helper()
	g := &SentinelGroup{Master: StartServer(t, ServerOptions{})}
	g.Replica = StartServer(t, ServerOptions{ReplicaOf: g.Master.Addr})
	waitFor(t, g.Replica.Addr, 10*time.Second, func(ctx context.Context, c *goredis.Client) bool {
		info, err := c.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})
	host, port, _ := net.SplitHostPort(g.Master.Addr)
	g.Sentinel = startSentinel(t, []string{
		"sentinel monitor " + SentinelMaster + " " + host + " " + port + " 1",
		"sentinel down-after-milliseconds " + SentinelMaster + " 1000",
		"sentinel failover-timeout " + SentinelMaster + " 10000",
	})
	sc := goredis.NewSentinelClient(&goredis.Options{Addr: g.Sentinel, DialTimeout: 200 * time.Millisecond})
	defer sc.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		replicas, err := sc.Replicas(ctx, SentinelMaster).Result()
		cancel()
		if err == nil && len(replicas) == 1 {
			return g
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redistest: sentinel on %s does not know the replica %s", g.Sentinel, g.Replica.Addr)
	return nil
}

// MasterAddr is the master's address as the Sentinel reports it.
func (g *SentinelGroup) MasterAddr(ctx context.Context) (string, error) {
	sc := goredis.NewSentinelClient(&goredis.Options{Addr: g.Sentinel, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer sc.Close()
	got, err := sc.GetMasterAddrByName(ctx, SentinelMaster).Result()
	if err != nil {
		return "", err
	}
	if len(got) != 2 {
		return "", fmt.Errorf("sentinel answered %q", got)
	}
	return net.JoinHostPort(got[0], got[1]), nil
}

// WaitReplicated waits until the replica has every write the master has
// acknowledged so far, so a failover loses none of them.
func (g *SentinelGroup) WaitReplicated(t testing.TB) {
	t.Helper()
	m := goredis.NewClient(&goredis.Options{Addr: g.Master.Addr})
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	want, err := replOffset(ctx, m, "master_repl_offset")
	if err != nil {
		t.Fatalf("redistest: master offset: %v", err)
	}
	waitFor(t, g.Replica.Addr, 10*time.Second, func(ctx context.Context, c *goredis.Client) bool {
		got, err := replOffset(ctx, c, "slave_repl_offset")
		return err == nil && got >= want
	})
}

func replOffset(ctx context.Context, c *goredis.Client, field string) (int64, error) {
	info, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in INFO replication", field)
}

// startSentinel runs a Sentinel with the given monitor lines until t ends
// and returns its address once it answers.
func startSentinel(t testing.TB, lines []string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("%s", needServer)
	}
	dir := t.TempDir()
	port := freePort(t, false)
	conf := filepath.Join(dir, "sentinel.conf")
	body := strings.Join(append([]string{"port " + strconv.Itoa(port), "bind 127.0.0.1", "dir " + dir,
		"logfile " + filepath.Join(dir, "sentinel.log")}, lines...), "\n") + "\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf, "--sentinel")
	cmd.Dir = dir
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("redistest: start sentinel: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { stop(cmd, exited) })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitUp(addr, exited); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return addr
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
