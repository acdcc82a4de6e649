// Package redisstore is the store.Store every production deployment uses:
// Redis standalone, Sentinel or Cluster through go-redis's UniversalClient.
//
// Records are JSON. Every operation that must be atomic is one Lua script or
// one MULTI transaction over keys that share a Redis Cluster hash tag (see
// keys.go), so the store behaves the same on a single server and on a
// cluster. Connection failures come back wrapped in store.ErrUnavailable.
package redisstore

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/gjjid/gjjid/broker/store"
)

var _ store.Store = (*Store)(nil)

// Store keeps the broker's state in Redis. It is safe for concurrent use.
type Store struct {
	c    goredis.UniversalClient
	k    keys
	owns bool // Close closes c: Open created it
	// timeout is Options.Timeout when Open created c (0 with New: the
	// caller's client has its own), for scripts that must not run late.
	timeout time.Duration

	qr qrHub // the QR events subscription and its waiters (qrevents.go)
}

// New returns a store over an existing client; every key it writes starts
// with prefix. The caller keeps ownership of the client: Close leaves it
// open. prefix must not contain '{' or '}', which would move the Redis
// Cluster hash tags the store relies on; New panics if it does, as with any
// other programming error in a constant.
func New(client goredis.UniversalClient, prefix string) *Store {
	if err := checkPrefix(prefix); err != nil {
		panic(err)
	}
	return &Store{c: client, k: keys{p: prefix}}
}

// Options say how to reach Redis. Exactly one of URL and Addrs is set.
type Options struct {
	// URL of a standalone server: redis://[user:password@]host:port/db or
	// rediss://… for TLS.
	URL string
	// Addrs are host:port seeds: with MasterName, the Sentinels of a failover
	// group; without, the nodes of a Redis Cluster.
	Addrs      []string
	MasterName string
	// Username and Password authenticate to Redis (with URL they override
	// the URL's). Sentinels themselves are asked without credentials.
	Username string
	Password string
	// DB selects the database with Addrs+MasterName; a URL names it in its
	// path and a cluster only has database 0.
	DB int
	// TLS turns TLS on (rediss:// URLs have it on already).
	TLS bool
	// Timeout bounds how long one request waits for Redis in total, over
	// all its commands, their retries, dials and waits for a pooled
	// connection (store.WaitBudget; without a budget in the context, each
	// command); 0 means 3s.
	Timeout time.Duration
	// KeyPrefix starts every key, e.g. "gjjid:"; no '{' or '}'.
	KeyPrefix string
	// TracerProvider, when set, records a span per command and pipeline
	// (trace.go); nil: no tracing hook at all.
	TracerProvider trace.TracerProvider
}

// DefaultTimeout is used when Options.Timeout is zero.
const DefaultTimeout = 3 * time.Second

// Open builds a client from o, checks that Redis answers and returns a store
// that owns the client. An unreachable Redis is an error wrapping
// store.ErrUnavailable, so the caller can tell it from a bad configuration.
//
// The client keeps go-redis's default retries (3) of a command whose
// connection failed, all within the request's wait budget (deadline.go).
// If a script ran but its reply was lost, the retry sees the first run's
// effect: a consumed code reads as replayed, a completed request as
// complete. Each of these fails closed (the user logs in again), which is
// the price of not turning every dropped connection into a 503. A refresh
// rotation is the exception, being the one an unattended client repeats
// all day: run again with the same new token it succeeds, run after its
// caller gave up it changes nothing, and once its caller gave up on a
// lost reply the old token is usable again (refresh.go). A code
// consumption run after its caller gave up changes nothing either.
func Open(ctx context.Context, o Options) (*Store, error) {
	c, err := o.client()
	if err != nil {
		return nil, err
	}
	if err := instrument(c, o.TracerProvider); err != nil {
		_ = c.Close()
		return nil, err
	}
	c.AddHook(deadlineHook{timeout: o.timeout()})
	s := &Store{c: c, k: keys{p: o.KeyPrefix}, owns: true, timeout: o.timeout()}
	if err := s.Ping(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return s, nil
}

// timeout is Timeout with its default.
func (o Options) timeout() time.Duration {
	if o.Timeout == 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// client validates o and builds the matching UniversalClient. Every
// client respects context deadlines (ContextTimeoutEnabled), which is how
// deadlineHook bounds a request's wait.
func (o Options) client() (goredis.UniversalClient, error) {
	if err := checkPrefix(o.KeyPrefix); err != nil {
		return nil, err
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("redis: timeout %v is negative", o.Timeout)
	}
	timeout := o.timeout()
	var tlsConfig *tls.Config
	if o.TLS {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	switch {
	case o.URL != "" && len(o.Addrs) > 0:
		return nil, errors.New("redis: set either url or addrs, not both")
	case o.URL != "":
		if o.MasterName != "" {
			return nil, errors.New("redis: master_name needs addrs (the Sentinels), not url")
		}
		if o.DB != 0 {
			return nil, errors.New("redis: with url, name the database in the URL path (redis://host:6379/2), not in db")
		}
		opts, err := goredis.ParseURL(o.URL)
		if err != nil {
			return nil, fmt.Errorf("redis: url: %w", err)
		}
		if o.Username != "" {
			opts.Username = o.Username
		}
		if o.Password != "" {
			opts.Password = o.Password
		}
		if tlsConfig != nil && opts.TLSConfig == nil {
			opts.TLSConfig = tlsConfig
		}
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = timeout, timeout, timeout, timeout
		opts.ContextTimeoutEnabled = true
		return goredis.NewClient(opts), nil
	case len(o.Addrs) > 0:
		if o.MasterName == "" && o.DB != 0 {
			return nil, errors.New("redis: a cluster (addrs without master_name) only has database 0")
		}
		return goredis.NewUniversalClient(&goredis.UniversalOptions{
			Addrs:        o.Addrs,
			MasterName:   o.MasterName,
			Username:     o.Username,
			Password:     o.Password,
			DB:           o.DB,
			TLSConfig:    tlsConfig,
			DialTimeout:  timeout,
			ReadTimeout:  timeout,
			WriteTimeout: timeout,
			PoolTimeout:  timeout,
			// Sentinels are asked within the same deadline.
			ContextTimeoutEnabled: true,
			// One seed address is still a cluster: NewUniversalClient
			// would otherwise make it a standalone client.
			IsClusterMode: o.MasterName == "",
		}), nil
	default:
		return nil, errors.New("redis: set url (standalone) or addrs (cluster, or Sentinels with master_name)")
	}
}

func checkPrefix(p string) error {
	if strings.ContainsAny(p, "{}") {
		return fmt.Errorf("redis: key prefix %q contains '{' or '}', which would break the Redis Cluster hash tags", p)
	}
	return nil
}

// Ping checks that Redis answers; on a cluster, every node.
func (s *Store) Ping(ctx context.Context) error {
	if cc, ok := s.c.(*goredis.ClusterClient); ok {
		return wrap("ping", cc.ForEachShard(ctx, func(ctx context.Context, n *goredis.Client) error {
			return n.Ping(ctx).Err()
		}))
	}
	return wrap("ping", s.c.Ping(ctx).Err())
}

// Close releases the client if Open created it.
func (s *Store) Close() error {
	s.qr.close()
	if !s.owns {
		return nil
	}
	err := s.c.Close()
	if errors.Is(err, goredis.ErrClosed) {
		return nil
	}
	return err
}

// px is a lifetime rounded to whole milliseconds, Redis's precision.
func px(d time.Duration) time.Duration { return time.Duration(ms(d)) * time.Millisecond }

// ms is a lifetime in whole milliseconds for PX/PEXPIRE, never below 1 so a
// positive sub-millisecond lifetime is not refused by Redis.
func ms(d time.Duration) int64 { return max(d.Milliseconds(), 1) }

// lifetime and required are the shared input checks, named for this backend.
func lifetime(op string, ttl time.Duration) error { return store.Lifetime("redis: "+op, ttl) }

func required(op string, pairs ...string) error { return store.Required("redis: "+op, pairs...) }

// encode returns v as JSON.
func encode(op string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("redis: %s: encode: %w", op, err)
	}
	return string(b), nil
}

// expiring checks the required fields (name, value pairs) and the
// lifetime of a record that expires by itself, as every write of one does.
func expiring(op string, ttl time.Duration, fields ...string) error {
	if err := required(op, fields...); err != nil {
		return err
	}
	return lifetime(op, ttl)
}

// encodeRecord checks a record's required fields (name, value pairs)
// before it encodes it: every write of a record starts so.
func encodeRecord(op string, v any, fields ...string) (string, error) {
	if err := required(op, fields...); err != nil {
		return "", err
	}
	return encode(op, v)
}

// decode parses a stored JSON value.
func decode[T any](op, raw string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return nil, fmt.Errorf("redis: %s: decode: %w", op, err)
	}
	return v, nil
}
