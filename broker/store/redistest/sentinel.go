package redistest

import (
	"context"
	"net"
	"os/exec"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// SentinelMaster is the master name Sentinel returns.
const SentinelMaster = "gjjidtest"

// Sentinel starts a private master and one Sentinel watching it (quorum 1)
// and returns the Sentinel's address; both stop when t ends.
func Sentinel(t testing.TB) (sentinelAddr string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("%s", needServer)
	}
	master := startServer(t, bin, false)
	host, port, _ := net.SplitHostPort(master)
	addr := startSentinel(t, []string{
		"sentinel monitor " + SentinelMaster + " " + host + " " + port + " 1",
		"sentinel down-after-milliseconds " + SentinelMaster + " 5000",
	})
	sc := goredis.NewSentinelClient(&goredis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond})
	defer sc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		got, err := sc.GetMasterAddrByName(ctx, SentinelMaster).Result()
		cancel()
		if err == nil && len(got) == 2 && net.JoinHostPort(got[0], got[1]) == master {
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redistest: sentinel on %s does not report master %s", addr, master)
	return ""
}
