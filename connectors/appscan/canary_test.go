package appscan

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryAppScan drives a QR login to its end, with a refused scan, a
// wrong poll secret and a replayed ticket on the way; no QR ID, poll
// secret, ticket or app access token may reach the log or the audit
// trail, in any encoding.
func TestCanaryAppScan(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	logs := &connectorstest.Logs{}
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
	haystack := fmt.Sprintf("%s\n%+v\n%v", logs, trail, errs)
	redacttest.AssertNoCanary(t, haystack, ch.ID, ch.PollSecret, st.Ticket, rawToken, otherToken)
}
