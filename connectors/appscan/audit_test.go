package appscan

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

// TestAppStepsAreAudited drives the app's steps, allowed and refused, and
// checks each leaves one audit event saying who, for which relying party
// and browser, from where, and why a refusal.
func TestAppStepsAreAudited(t *testing.T) {
	t.Parallel()
	c, f := openTest(t, "")
	alice := token(f, "tok-a", "p_alice", "grant-a", "gjj:loa:3", "pwd")
	bob := token(f, "tok-b", "p_bob", "grant-b", "gjj:loa:3", "pwd")
	first, second := start(t, c, "ar-1"), start(t, c, "ar-2")

	steps := []struct {
		token, qr, action string
		wantType          string
		wantOutcome       string
		wantReason        string
		wantPerson        string
	}{
		{alice, first.ID, "scan", connectors.AuditQRScan, connectors.AuditSuccess, "", "p_alice"},
		{bob, first.ID, "scan", connectors.AuditQRScan, connectors.AuditDenied, "access_denied", "p_bob"},
		{bob, first.ID, "confirm", connectors.AuditQRConfirm, connectors.AuditDenied, "access_denied", "p_bob"},
		{alice, first.ID, "confirm", connectors.AuditQRConfirm, connectors.AuditSuccess, "", "p_alice"},
		{alice, first.ID, "confirm", connectors.AuditQRConfirm, connectors.AuditDenied, "wrong_state", "p_alice"},
		{alice, second.ID, "cancel", connectors.AuditQRCancel, connectors.AuditDenied, "not_scanned", "p_alice"},
		{alice, second.ID, "scan", connectors.AuditQRScan, connectors.AuditSuccess, "", "p_alice"},
		{alice, second.ID, "cancel", connectors.AuditQRCancel, connectors.AuditSuccess, "", "p_alice"},
	}
	for i, st := range steps {
		// The broker passes the caller's IP it determined (trusted proxies
		// considered); the connector must record that one, not the peer's.
		req := httptest.NewRequest(http.MethodPost, apiPrefix+st.qr+"/"+st.action, nil)
		req = req.WithContext(connectors.WithRemoteIP(req.Context(), "198.51.100.9"))
		req.Header.Set("Authorization", "Bearer "+st.token)
		req.Header.Set("User-Agent", "GJJApp/5.2 (iPhone)")
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, req)
		if (rec.Code == http.StatusOK) != (st.wantOutcome == connectors.AuditSuccess) {
			t.Fatalf("step %d %s: status %d %s", i, st.action, rec.Code, rec.Body)
		}
		trail := f.AuditTrail()
		if len(trail) != i+1 {
			t.Fatalf("step %d %s: %d events audited, want %d: %+v", i, st.action, len(trail), i+1, trail)
		}
		e := trail[i]
		if e.Type != st.wantType || e.Outcome != st.wantOutcome || e.Reason != st.wantReason || e.PersonID != st.wantPerson ||
			e.Connector != "appscan" || e.ClientID != "portal" || e.IP != "198.51.100.9" || e.UserAgent != "GJJApp/5.2 (iPhone)" ||
			e.Details["qr"] != short(st.qr) || e.Details["browser_ip"] != "203.0.113.7" || e.Details["app_client"] != "gjj-app" {
			t.Fatalf("step %d %s by %s: audited %+v", i, st.action, st.wantPerson, e)
		}
	}

	// Without a broker-set IP the peer's address is recorded; an unknown
	// QR code is a refused step with no relying party; a bad token is no
	// one's step and leaves no event.
	code, _ := call(t, c, alice, "NOSUCHQRCODEATALL", "scan")
	if code != http.StatusNotFound {
		t.Fatalf("unknown QR: status %d", code)
	}
	e := f.AuditTrail()[len(steps)]
	if e.Type != connectors.AuditQRScan || e.Outcome != connectors.AuditDenied || e.Reason != "not_found" || e.ClientID != "" || e.IP != "192.0.2.1" {
		t.Fatalf("unknown QR audited as %+v", e)
	}
	if code, _ := call(t, c, "not-a-token", first.ID, "confirm"); code != http.StatusUnauthorized || len(f.AuditTrail()) != len(steps)+1 {
		t.Fatalf("bad token: status %d, %d events", code, len(f.AuditTrail()))
	}
}
