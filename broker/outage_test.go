package broker_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
)

// privateRedis starts a redis-server this test may freeze (SIGSTOP) and
// thaw (SIGCONT): the data survives, the clients see an unreachable server.
func privateRedis(t *testing.T) (addr string, proc *exec.Cmd) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("the outage test needs the redis-server binary on PATH (Debian package redis-server)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()
	proc = exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = proc.Process.Signal(syscall.SIGCONT)
		_ = proc.Process.Kill()
		_ = proc.Wait()
	})
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, proc
		}
		if i > 100 {
			t.Fatalf("redis-server on %s did not start", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRedisOutageFailsClosedAndRecovers: while Redis is unreachable the
// broker answers 503 with a clear body and is not ready; it recovers by
// itself when Redis returns.
func TestRedisOutageFailsClosedAndRecovers(t *testing.T) {
	addr, proc := privateRedis(t)
	b := bt.Start(t, bt.Options{RedisURL: "redis://" + addr + "/0", KeyPrefix: redistest.Prefix(t),
		Edit: func(c *config.Config) { c.Store.Redis.Timeout = 300 * time.Millisecond }})
	rp := bt.NewRP(t, b.URL)
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	ctx := context.Background()

	if err := proc.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		do   func() (*http.Response, error)
	}{
		{"readyz", func() (*http.Response, error) { return http.Get(b.URL + "/readyz") }},
		{"refresh", func() (*http.Response, error) {
			return http.PostForm(b.URL+"/oauth/token", map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
				"client_id": {bt.ClientID}, "client_secret": {bt.ClientSecret}})
		}},
		{"userinfo", func() (*http.Response, error) {
			req, _ := http.NewRequest(http.MethodGet, b.URL+"/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			return http.DefaultClient.Do(req)
		}},
		{"authorize", func() (*http.Response, error) {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			return c.Get(rp.NewFlow().URL)
		}},
	}
	for _, c := range checks {
		resp, err := c.do()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s during outage: status %d, want 503 (%s)", c.name, resp.StatusCode, body)
		}
		if c.name != "readyz" && !strings.Contains(string(body), "unavailable") {
			t.Errorf("%s during outage: body %q does not say why", c.name, body)
		}
	}

	if err := proc.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(b.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready again after Redis returned: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The grant outlived the outage: the refresh token still works.
	if _, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("refresh after recovery: %v", err)
	}
}
