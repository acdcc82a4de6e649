// Package stats keeps the few counters the staff console's dashboard
// draws: logins per connector and outcome, lockouts, QR logins and token
// issuance by grant, per hour (kept 25 hours) and per day (kept 31 days).
// They live in the store's Counters, so every broker instance adds to the
// same numbers and nothing else has to be run or scraped.
package stats

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

// Series names.
const (
	Lockouts = "lockout"
	QRLogins = "qr"
)

// Login is the series of logins at connector with outcome (success or
// failure).
func Login(connector, outcome string) string { return "login:" + connector + ":" + outcome }

// Token is the series of tokens issued for grant.
func Token(grant string) string { return "token:" + grant }

// Stats counts into the store.
type Stats struct {
	c   store.Counters
	log *slog.Logger
	now func() time.Time
}

// New returns the counters over c.
func New(c store.Counters, log *slog.Logger) *Stats {
	if log == nil {
		log = slog.Default()
	}
	return &Stats{c: c, log: log, now: time.Now}
}

// Bucket keys: UTC hour and day.
func hourKey(series string, t time.Time) string {
	return "stats:" + series + ":h:" + t.UTC().Format("2006010215")
}
func dayKey(series string, t time.Time) string {
	return "stats:" + series + ":d:" + t.UTC().Format("20060102")
}

// Add counts one in series now. A store error is logged, not returned:
// the dashboard is no reason to fail a login.
func (s *Stats) Add(ctx context.Context, series string) {
	now := s.now()
	for _, k := range []struct {
		key string
		ttl time.Duration
	}{{hourKey(series, now), 25 * time.Hour}, {dayKey(series, now), 31 * 24 * time.Hour}} {
		if _, err := s.c.Incr(ctx, k.key, k.ttl); err != nil {
			s.log.WarnContext(ctx, "stats: count", "series", series, "err", err)
			return
		}
	}
}

// Hours returns series per hour over the last 24 hours, oldest first.
func (s *Stats) Hours(ctx context.Context, series string) ([]int64, error) {
	return s.read(ctx, series, 24, time.Hour, hourKey)
}

// Days returns series per day over the last 30 days, oldest first.
func (s *Stats) Days(ctx context.Context, series string) ([]int64, error) {
	return s.read(ctx, series, 30, 24*time.Hour, dayKey)
}

func (s *Stats) read(ctx context.Context, series string, n int, step time.Duration, key func(string, time.Time) string) ([]int64, error) {
	now := s.now()
	out := make([]int64, n)
	for i := range n {
		v, err := s.c.Count(ctx, key(series, now.Add(-time.Duration(n-1-i)*step)))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Observe counts what an audit event says (audit.Log.Observe): logins
// per connector and outcome, lockouts, confirmed QR logins.
func (s *Stats) Observe(ctx context.Context, e audit.Event) {
	switch {
	case e.Type == audit.LoginSuccess && e.Connector != "":
		s.Add(ctx, Login(e.Connector, "success"))
	case e.Type == audit.LoginFailure && e.Connector != "":
		s.Add(ctx, Login(e.Connector, "failure"))
	case e.Type == audit.LoginLockout:
		s.Add(ctx, Lockouts)
	case e.Type == "qr.confirm" && e.Outcome == audit.Success:
		s.Add(ctx, QRLogins)
	}
}

// Middleware counts successful token endpoint answers by grant type; it
// reads the form the metrics middleware parsed on the same request.
func (s *Stats) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if strings.HasSuffix(c.Request().URL.Path, "/oauth/token") && c.Response().Status < 400 && err == nil {
			if g := c.Request().PostForm.Get("grant_type"); g != "" {
				s.Add(c.Request().Context(), Token(grantName(g)))
			}
		}
		return err
	}
}

// grantName keeps the series few: the known grants, else "other".
func grantName(g string) string {
	switch g {
	case "authorization_code", "refresh_token", "client_credentials":
		return g
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		return "token_exchange"
	}
	return "other"
}
