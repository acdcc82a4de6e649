package connectors_test

import (
	"context"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

type counters struct{}

func (counters) Incr(context.Context, string, time.Duration) (int64, error) { return 0, nil }
func (counters) Count(context.Context, string) (int64, error)               { return 0, nil }
func (counters) Reset(context.Context, string) error                        { return nil }

// TestRequire: Open's check of its capabilities names the first one the
// host did not give, in the order asked, and passes when all are there.
func TestRequire(t *testing.T) {
	t.Parallel()
	some := connectors.Deps{Counters: counters{}, Secrets: connectors.Secrets{IDHashKey: []byte("k")}}
	for _, tc := range []struct {
		name  string
		deps  connectors.Deps
		needs []connectors.Capability
		want  string // "" : no error
	}{
		{"nothing needed", connectors.Deps{}, nil, ""},
		{"all given", some, []connectors.Capability{connectors.NeedCounters, connectors.NeedIDHashKey}, ""},
		{"first missing named", some, []connectors.Capability{connectors.NeedCounters, connectors.NeedValues, connectors.NeedQR},
			`demo connector "d1": the host gave no Values (connectors.Deps.Values)`},
		{"empty key is missing", connectors.Deps{}, []connectors.Capability{connectors.NeedIDHashKey},
			`demo connector "d1": the host gave no Secrets.IDHashKey (connectors.Deps.Secrets.IDHashKey)`},
		{"each capability checked", connectors.Deps{}, []connectors.Capability{connectors.NeedAudit}, `demo connector "d1": the host gave no Audit (connectors.Deps.Audit)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.deps.Require("demo", "d1", tc.needs...)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Require: %v, want no error", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Require: %v, want %s", err, tc.want)
			}
		})
	}
}

// TestQRUpdateApply: Apply changes only what the update sets, keeps a
// recorded app session, copies the app data, and says whether the state
// changed; Clone shares no memory with the original.
func TestQRUpdateApply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		u           connectors.QRUpdate
		want        connectors.QRSession
		wantChanged bool
	}{
		{"state", connectors.QRUpdate{To: connectors.CrossDeviceScanned},
			connectors.QRSession{State: connectors.CrossDeviceScanned, AppSession: "a1", TicketHash: "t1"}, true},
		{"a recorded app session stays", connectors.QRUpdate{AppSession: "a2"},
			connectors.QRSession{State: connectors.CrossDeviceWaiting, AppSession: "a1", TicketHash: "t1"}, false},
		{"new ticket and app data", connectors.QRUpdate{NewTicketHash: "t2", AppData: []byte("d")},
			connectors.QRSession{State: connectors.CrossDeviceWaiting, AppSession: "a1", TicketHash: "t2", AppData: []byte("d")}, false},
	} {
		s := connectors.QRSession{State: connectors.CrossDeviceWaiting, AppSession: "a1", TicketHash: "t1"}
		changed := tc.u.Apply(&s)
		if changed != tc.wantChanged || s.State != tc.want.State || s.AppSession != tc.want.AppSession ||
			s.TicketHash != tc.want.TicketHash || string(s.AppData) != string(tc.want.AppData) {
			t.Errorf("%s: %+v (changed %v), want %+v (changed %v)", tc.name, s, changed, tc.want, tc.wantChanged)
		}
		if tc.u.AppData != nil {
			tc.u.AppData[0] = 'x'
			if string(s.AppData) != string(tc.want.AppData) {
				t.Errorf("%s: the session shares the update's app data", tc.name)
			}
		}
	}
	orig := &connectors.QRSession{ID: "q", Data: []byte("ab"), AppData: []byte("cd")}
	c := orig.Clone()
	c.Data[0], c.AppData[0] = 'x', 'y'
	if string(orig.Data) != "ab" || string(orig.AppData) != "cd" || c.ID != "q" {
		t.Errorf("Clone shares memory or loses fields: original %+v, clone %+v", orig, c)
	}
}
