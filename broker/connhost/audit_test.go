package connhost

import (
	"context"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/connectors"
)

type recordedEvents []audit.Event

func (r *recordedEvents) Record(_ context.Context, e audit.Event) error {
	*r = append(*r, e)
	return nil
}

// TestConnectorAudit: connectors may record only their own event types,
// with a success or denied outcome; what they record arrives with the
// person as actor and principal.
func TestConnectorAudit(t *testing.T) {
	ok := connectors.AuditEvent{Type: connectors.AuditQRConfirm, Outcome: connectors.AuditSuccess, Connector: "appscan",
		PersonID: "p_1", ClientID: "portal", IP: "198.51.100.9", Details: map[string]string{"qr": "ABCDEF…"}}
	for _, tc := range []struct {
		name    string
		edit    func(*connectors.AuditEvent)
		wantErr string
	}{
		{name: "own step", edit: func(*connectors.AuditEvent) {}},
		{name: "refused step", edit: func(e *connectors.AuditEvent) { e.Outcome, e.Reason = connectors.AuditDenied, "access_denied" }},
		{name: "broker's type", edit: func(e *connectors.AuditEvent) { e.Type = audit.LoginSuccess }, wantErr: `may not record audit events of type "login.success"`},
		{name: "unknown outcome", edit: func(e *connectors.AuditEvent) { e.Outcome = "failure" }, wantErr: `audit outcome "failure"`},
		{name: "SMS provider failure", edit: func(e *connectors.AuditEvent) {
			e.Type, e.Outcome, e.Reason = connectors.AuditSMSProviderFailure, connectors.AuditFailure, "provider_failure"
		}},
		{name: "SMS provider failure as a success", edit: func(e *connectors.AuditEvent) { e.Type = connectors.AuditSMSProviderFailure },
			wantErr: `audit outcome "success"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec recordedEvents
			e := ok
			tc.edit(&e)
			err := New(Options{Audit: &rec}).Audit(t.Context(), e)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || len(rec) != 0 {
					t.Fatalf("err %v, %d recorded; want %q and nothing recorded", err, len(rec), tc.wantErr)
				}
				return
			}
			if err != nil || len(rec) != 1 {
				t.Fatalf("err %v, %d recorded", err, len(rec))
			}
			got := rec[0]
			if got.Type != e.Type || got.Outcome != e.Outcome || got.Reason != e.Reason || got.Actor != "person:p_1" || got.Principal != "p_1" ||
				got.Client != "portal" || got.Connector != "appscan" || got.IP != "198.51.100.9" || got.After["qr"] != "ABCDEF…" {
				t.Fatalf("recorded %+v", got)
			}
		})
	}
	if err := New(Options{}).Audit(t.Context(), ok); err == nil {
		t.Fatal("audit without a trail succeeded")
	}
}
