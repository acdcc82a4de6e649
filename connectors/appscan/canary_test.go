package appscan

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// lines is a connectors.Logger keeping every line.
type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) add(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(&l.b, level, msg, args)
}
func (l *lines) Info(msg string, args ...any)  { l.add("INFO", msg, args...) }
func (l *lines) Warn(msg string, args ...any)  { l.add("WARN", msg, args...) }
func (l *lines) Error(msg string, args ...any) { l.add("ERROR", msg, args...) }

// The …Context forms log as the plain ones: the fake keeps no trace IDs.
func (l *lines) InfoContext(_ context.Context, msg string, args ...any)  { l.Info(msg, args...) }
func (l *lines) WarnContext(_ context.Context, msg string, args ...any)  { l.Warn(msg, args...) }
func (l *lines) ErrorContext(_ context.Context, msg string, args ...any) { l.Error(msg, args...) }

// TestCanaryAppScan drives a QR login to its end, with a refused scan, a
// wrong poll secret and a replayed ticket on the way; no QR ID, poll
// secret, ticket or app access token may reach the log or the audit
// trail, in any encoding.
func TestCanaryAppScan(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	logs := &lines{}
	c.log = logs
	ctx := t.Context()
	ch := start(t, c, "ar-canary")
	const rawToken, otherToken = "app-access-token-9f8e7d6c5b4a", "app-access-token-0a1b2c3d4e5f"
	tok := token(f, rawToken, "p_alice", "grant-c", "gjj:loa:3", "pwd")
	bob := token(f, otherToken, "p_bob", "grant-d", "gjj:loa:3", "pwd")
	var errs []error
	code, body := call(t, c, tok, ch.ID, "scan")
	wantCode(t, "scan", code, body, http.StatusOK, "")
	code, _ = call(t, c, bob, ch.ID, "confirm")
	if code == http.StatusOK {
		t.Fatal("another person confirmed")
	}
	code, body = call(t, c, tok, ch.ID, "confirm")
	wantCode(t, "confirm", code, body, http.StatusOK, "")
	st, err := c.Status(ctx, ch.ID, ch.PollSecret, false)
	if err != nil || st.Ticket == "" {
		t.Fatalf("status %+v %v", st, err)
	}
	_, err = c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: "wrong-" + ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-canary"})
	errs = append(errs, err)
	if _, err = c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-canary"}); err != nil {
		t.Fatalf("redeem: %v", err)
	}
	_, err = c.Redeem(ctx, connectors.Redemption{ID: ch.ID, PollSecret: ch.PollSecret, Ticket: st.Ticket, AuthRequestID: "ar-canary"})
	errs = append(errs, err)
	trail := f.AuditTrail()
	if len(trail) < 3 {
		t.Fatalf("only %d audit events", len(trail))
	}
	haystack := fmt.Sprintf("%s\n%+v\n%v", logs.b.String(), trail, errs)
	redacttest.AssertNoCanary(t, haystack, ch.ID, ch.PollSecret, st.Ticket, rawToken, otherToken)
}
