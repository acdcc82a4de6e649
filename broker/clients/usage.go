package clients

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
)

// Usage remembers when each client last received tokens, for the console's
// client list ("last use"). It is hot state: a flushed Redis forgets it
// until the client's next token. Each instance writes a client's time at
// most once a minute, so the token endpoint pays one store write a client
// a minute, not one a token.
type Usage struct {
	v   store.Values
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	written map[string]time.Time // client ID → when this instance last wrote
}

// usageKeep is how long a client's last use is kept after it.
const usageKeep = 400 * 24 * time.Hour

// usageEvery is how often an instance writes one client's last use.
const usageEvery = time.Minute

// NewUsage keeps last uses in v.
func NewUsage(v store.Values, log *slog.Logger) *Usage {
	if log == nil {
		log = slog.Default()
	}
	return &Usage{v: v, log: log, now: time.Now, written: map[string]time.Time{}}
}

func usageKey(clientID string) string { return "client-used:" + clientID }

// Touch records that clientID received tokens now. A store error is
// logged: the list's "last use" is no reason to fail a token request.
func (u *Usage) Touch(ctx context.Context, clientID string) {
	if clientID == "" {
		return
	}
	now := u.now()
	u.mu.Lock()
	if now.Sub(u.written[clientID]) < usageEvery {
		u.mu.Unlock()
		return
	}
	if len(u.written) > 100_000 { // unknown IDs must not grow it without end
		clear(u.written)
	}
	u.written[clientID] = now
	u.mu.Unlock()
	if err := u.v.SetValue(ctx, usageKey(clientID), []byte(strconv.FormatInt(now.Unix(), 10)), usageKeep); err != nil {
		u.log.WarnContext(ctx, "client last use", "client_id", clientID, "err", err)
	}
}

// LastUse is when clientID last received tokens; zero when not within the
// last 400 days (or since the hot state was lost).
func (u *Usage) LastUse(ctx context.Context, clientID string) (time.Time, error) {
	raw, err := u.v.GetValue(ctx, usageKey(clientID))
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, nil
	}
	return time.Unix(sec, 0), nil
}

// Middleware touches the client of every token endpoint answer below 400:
// client_id from the form, else the HTTP Basic user name (RFC 6749 §2.3.1:
// form-urlencoded).
func (u *Usage) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		r := c.Request()
		if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/oauth/token") || c.Response().Status >= 400 {
			return err
		}
		id := r.PostForm.Get("client_id")
		if id == "" {
			if user, _, ok := r.BasicAuth(); ok {
				id, _ = url.QueryUnescape(user)
			}
		}
		u.Touch(r.Context(), id)
		return nil
	}
}
