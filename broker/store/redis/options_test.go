package redisstore

import (
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestOptionsBuildTheRightClient(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		want    string // client type, or "" with wantErr
		wantErr string
	}{
		{"url", Options{URL: "redis://127.0.0.1:6379/2"}, "*redis.Client", ""},
		{"tls url", Options{URL: "rediss://127.0.0.1:6380/0"}, "*redis.Client", ""},
		{"cluster", Options{Addrs: []string{"10.0.0.1:6379", "10.0.0.2:6379"}}, "*redis.ClusterClient", ""},
		{"one-seed cluster", Options{Addrs: []string{"10.0.0.1:6379"}}, "*redis.ClusterClient", ""},
		{"sentinel", Options{Addrs: []string{"10.0.0.1:26379"}, MasterName: "mymaster", DB: 1}, "*redis.Client", ""},
		{"nothing", Options{}, "", "set url"},
		{"both", Options{URL: "redis://h:6379", Addrs: []string{"h:6379"}}, "", "not both"},
		{"db with url", Options{URL: "redis://h:6379", DB: 3}, "", "URL path"},
		{"db on cluster", Options{Addrs: []string{"h:6379"}, DB: 3}, "", "database 0"},
		{"master name with url", Options{URL: "redis://h:6379", MasterName: "m"}, "", "master_name"},
		{"bad url", Options{URL: "http://h"}, "", "url"},
		{"negative timeout", Options{URL: "redis://h:6379", Timeout: -time.Second}, "", "negative"},
		{"brace in prefix", Options{URL: "redis://h:6379", KeyPrefix: "a{b}:"}, "", "hash tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.o.client()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := typeName(c); got != tc.want {
				t.Fatalf("client %s, want %s", got, tc.want)
			}
		})
	}
}

func TestOptionsApplyTimeoutAndCredentials(t *testing.T) {
	c, err := Options{URL: "redis://u:p@127.0.0.1:6379/2", Password: "override", Timeout: 750 * time.Millisecond, TLS: true}.client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o := c.(*goredis.Client).Options()
	if o.DialTimeout != 750*time.Millisecond || o.ReadTimeout != 750*time.Millisecond ||
		o.WriteTimeout != 750*time.Millisecond || o.PoolTimeout != 750*time.Millisecond {
		t.Errorf("timeouts dial %v read %v write %v pool %v, want 750ms", o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout)
	}
	if o.Username != "u" || o.Password != "override" || o.DB != 2 {
		t.Errorf("user %q password %q db %d", o.Username, o.Password, o.DB)
	}
	if o.TLSConfig == nil {
		t.Error("TLS requested but not configured")
	}

	d, err := Options{URL: "redis://127.0.0.1:6379"}.client()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.(*goredis.Client).Options().ReadTimeout; got != DefaultTimeout {
		t.Errorf("default read timeout %v, want %v", got, DefaultTimeout)
	}
}

func TestNewRefusesBracesInPrefix(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted a prefix with a hash tag")
		}
	}()
	New(nil, "gjjid:{x}:")
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// TestClientsHonourContextDeadlines: every kind of client lets a context
// deadline reach its sockets, which is how a request's wait budget bounds
// it (deadline.go); without it go-redis ignores deadlines for reads and
// writes.
func TestClientsHonourContextDeadlines(t *testing.T) {
	for name, o := range map[string]Options{
		"url":      {URL: "redis://127.0.0.1:6379/0"},
		"sentinel": {Addrs: []string{"127.0.0.1:26379"}, MasterName: "m"},
		"cluster":  {Addrs: []string{"127.0.0.1:7000"}},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := o.client()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var on bool
			switch c := c.(type) {
			case *goredis.Client:
				on = c.Options().ContextTimeoutEnabled
			case *goredis.ClusterClient:
				on = c.Options().ContextTimeoutEnabled
			default:
				t.Fatalf("client %T", c)
			}
			if !on {
				t.Fatal("ContextTimeoutEnabled is off")
			}
		})
	}
}
