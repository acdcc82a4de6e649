package clients

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store/memory"
)

// countingValues counts writes to the values it passes on.
type countingValues struct {
	*memory.Store
	sets int
}

func (c *countingValues) SetValue(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	c.sets++
	return c.Store.SetValue(ctx, key, v, ttl)
}

func TestUsage(t *testing.T) {
	t.Parallel()
	v := &countingValues{Store: memory.New()}
	u := NewUsage(v, nil)
	now := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	u.now = func() time.Time { return now }
	e := echo.New()
	serve := func(status int, form url.Values, basicUser string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basicUser != "" {
			req.SetBasicAuth(basicUser, "secret")
		}
		_ = req.ParseForm()
		c := e.NewContext(req, httptest.NewRecorder())
		if err := u.Middleware(func(c echo.Context) error { return c.NoContent(status) })(c); err != nil {
			t.Fatal(err)
		}
	}
	lastUse := func(id string) time.Time {
		t.Helper()
		at, err := u.LastUse(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}

	serve(http.StatusOK, url.Values{"client_id": {"web"}}, "")
	serve(http.StatusOK, nil, "svc%3Aone") // form-urlencoded Basic user
	serve(http.StatusBadRequest, url.Values{"client_id": {"refused"}}, "")
	for id, want := range map[string]time.Time{"web": now, "svc:one": now, "refused": {}, "never": {}} {
		if got := lastUse(id); !got.Equal(want) {
			t.Errorf("%s: last use %v, want %v", id, got, want)
		}
	}
	// Within the minute an instance writes a client's time once.
	sets := v.sets
	now = now.Add(30 * time.Second)
	serve(http.StatusOK, url.Values{"client_id": {"web"}}, "")
	if v.sets != sets {
		t.Errorf("a second token within the minute wrote again")
	}
	now = now.Add(31 * time.Second)
	serve(http.StatusOK, url.Values{"client_id": {"web"}}, "")
	if got := lastUse("web"); !got.Equal(now) {
		t.Errorf("after the minute: last use %v, want %v", got, now)
	}
}
