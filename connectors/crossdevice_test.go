package connectors_test

import (
	"testing"

	"github.com/gjjid/gjjid/connectors"
)

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
