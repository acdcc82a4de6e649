package connectorstest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Fixture is one implementation of the host under contract: its Deps and
// a way to give it a person with a login and password.
type Fixture struct {
	Deps connectors.Deps
	// AddPerson makes a person with the normalised login (an ID number)
	// and password, and returns its broker person ID.
	AddPerson func(t *testing.T, name, login, password string) string
}

// Contract checks the documented semantics of every capability against
// the host newFixture makes (a fresh, empty one per call). The double runs
// it in this package's tests and the real host (broker/connhost) in its
// own, so the double cannot drift from what connectors meet in the broker.
func Contract(t *testing.T, newFixture func(t *testing.T) Fixture) {
	t.Helper()
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, f Fixture)
	}{
		{"values", func(t *testing.T, f Fixture) {
			v := f.Deps.Values
			if _, err := v.GetValue(ctx, "k"); !errors.Is(err, connectors.ErrNotFound) {
				t.Fatalf("GetValue of nothing = %v, want ErrNotFound", err)
			}
			if err := v.SetValue(ctx, "k", []byte("one"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := v.AddValue(ctx, "k", []byte("two"), time.Minute); !errors.Is(err, connectors.ErrConflict) {
				t.Fatalf("AddValue over a value = %v, want ErrConflict", err)
			}
			if got, err := v.GetValue(ctx, "k"); err != nil || string(got) != "one" {
				t.Fatalf("GetValue = %q, %v; want one", got, err)
			}
			if got, err := v.TakeValue(ctx, "k"); err != nil || string(got) != "one" {
				t.Fatalf("TakeValue = %q, %v; want one", got, err)
			}
			if _, err := v.TakeValue(ctx, "k"); !errors.Is(err, connectors.ErrNotFound) {
				t.Fatalf("second TakeValue = %v, want ErrNotFound", err)
			}
			if err := v.AddValue(ctx, "k", []byte("three"), time.Minute); err != nil {
				t.Fatalf("AddValue to a free key = %v", err)
			}
			if err := v.DeleteValue(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			if err := v.DeleteValue(ctx, "k"); err != nil {
				t.Fatalf("DeleteValue of nothing = %v, want nil", err)
			}
			if _, err := v.GetValue(ctx, "k"); !errors.Is(err, connectors.ErrNotFound) {
				t.Fatalf("GetValue after delete = %v, want ErrNotFound", err)
			}
		}},
		{"counters", func(t *testing.T, f Fixture) {
			c := f.Deps.Counters
			if n, err := c.Count(ctx, "n"); err != nil || n != 0 {
				t.Fatalf("Count of nothing = %d, %v", n, err)
			}
			for want := int64(1); want <= 3; want++ {
				if n, err := c.Incr(ctx, "n", time.Minute); err != nil || n != want {
					t.Fatalf("Incr = %d, %v; want %d", n, err, want)
				}
			}
			if n, err := c.Count(ctx, "n"); err != nil || n != 3 {
				t.Fatalf("Count = %d, %v; want 3", n, err)
			}
			if err := c.Reset(ctx, "n"); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Count(ctx, "n"); err != nil || n != 0 {
				t.Fatalf("Count after Reset = %d, %v; want 0", n, err)
			}
		}},
		{"qr sessions", func(t *testing.T, f Fixture) {
			q := f.Deps.QR
			exp := time.Now().Add(time.Minute)
			s := &connectors.QRSession{ID: "qr1", State: connectors.CrossDeviceWaiting, ExpiresAt: exp, PollHash: "ph", Data: []byte("d")}
			if err := q.CreateQR(ctx, s, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := q.CreateQR(ctx, s, time.Minute); !errors.Is(err, connectors.ErrConflict) {
				t.Fatalf("CreateQR twice = %v, want ErrConflict", err)
			}
			if _, err := q.GetQR(ctx, "nope"); !errors.Is(err, connectors.ErrNotFound) {
				t.Fatalf("GetQR of nothing = %v, want ErrNotFound", err)
			}
			if _, err := q.PollQR(ctx, "qr1", "wrong"); !errors.Is(err, connectors.ErrConflict) {
				t.Fatalf("PollQR with another hash = %v, want ErrConflict", err)
			}
			if got, err := q.PollQR(ctx, "qr1", "ph"); err != nil || got.Polls != 1 {
				t.Fatalf("PollQR = %+v, %v; want 1 poll", got, err)
			}
			var woken atomic.Int32
			stop := q.WatchQR("qr1", func() { woken.Add(1) })
			defer stop()
			scan := connectors.QRUpdate{From: []string{connectors.CrossDeviceWaiting}, To: connectors.CrossDeviceScanned,
				AppSession: "app1", AppData: []byte("a")}
			if got, err := q.UpdateQR(ctx, "qr1", scan); err != nil || got.State != connectors.CrossDeviceScanned || got.AppSession != "app1" {
				t.Fatalf("scan = %+v, %v", got, err)
			}
			if got, err := q.UpdateQR(ctx, "qr1", scan); !errors.Is(err, connectors.ErrConflict) || got == nil || got.State != connectors.CrossDeviceScanned {
				t.Fatalf("second scan = %+v, %v; want the current session and ErrConflict", got, err)
			}
			other := connectors.QRUpdate{From: []string{connectors.CrossDeviceScanned}, To: connectors.CrossDeviceConfirmed, AppSession: "app2"}
			if _, err := q.UpdateQR(ctx, "qr1", other); !errors.Is(err, connectors.ErrConflict) {
				t.Fatalf("confirm by another app session = %v, want ErrConflict", err)
			}
			confirm := connectors.QRUpdate{From: []string{connectors.CrossDeviceScanned}, To: connectors.CrossDeviceConfirmed,
				AppSession: "app1", NewTicketHash: "t1"}
			if got, err := q.UpdateQR(ctx, "qr1", confirm); err != nil || got.TicketHash != "t1" {
				t.Fatalf("confirm = %+v, %v", got, err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for woken.Load() < 2 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if n := woken.Load(); n < 2 {
				t.Fatalf("watcher woken %d times for two state changes", n)
			}
			consume := connectors.QRUpdate{From: []string{connectors.CrossDeviceConfirmed}, To: connectors.CrossDeviceConsumed,
				PollHash: "ph", TicketHash: "wrong"}
			if _, err := q.UpdateQR(ctx, "qr1", consume); !errors.Is(err, connectors.ErrConflict) {
				t.Fatalf("consume with a wrong ticket = %v, want ErrConflict", err)
			}
			consume.TicketHash = "t1"
			if got, err := q.UpdateQR(ctx, "qr1", consume); err != nil || got.State != connectors.CrossDeviceConsumed {
				t.Fatalf("consume = %+v, %v", got, err)
			}
		}},
		{"accounts", func(t *testing.T, f Fixture) {
			a := f.Deps.Accounts
			const login = "11010519491231002X"
			id := f.AddPerson(t, "张三", login, "246810")
			acct, err := a.FindByLogin(ctx, login)
			if err != nil || acct.PersonID != id || acct.Name != "张三" || acct.PasswordHash == "" || acct.Disabled {
				t.Fatalf("FindByLogin = %+v, %v", acct, err)
			}
			if ok, err := a.VerifyPassword(acct.PasswordHash, "246810"); err != nil || !ok {
				t.Fatalf("VerifyPassword(right) = %v, %v", ok, err)
			}
			if ok, err := a.VerifyPassword(acct.PasswordHash, "135790"); err != nil || ok {
				t.Fatalf("VerifyPassword(wrong) = %v, %v", ok, err)
			}
			if _, err := a.FindByLogin(ctx, "13800138000"); !errors.Is(err, connectors.ErrUnknownAccount) {
				t.Fatalf("FindByLogin(unknown) = %v, want ErrUnknownAccount", err)
			}
			if p, err := a.Person(ctx, id); err != nil || p.PersonID != id || p.PasswordHash != "" {
				t.Fatalf("Person = %+v, %v; want no password hash", p, err)
			}
			if _, err := a.Person(ctx, "no-such-person"); !errors.Is(err, connectors.ErrUnknownAccount) {
				t.Fatalf("Person(unknown) = %v, want ErrUnknownAccount", err)
			}
			if err := a.UpgradePassword(ctx, id, acct.PasswordHash, "246810"); err != nil {
				t.Fatalf("UpgradePassword of a current hash = %v", err)
			}
			if again, err := a.FindByLogin(ctx, login); err != nil || again.PasswordHash != acct.PasswordHash {
				t.Fatalf("a current hash changed on UpgradePassword: %v", err)
			}
			a.DummyVerify("246810")
		}},
		{"tokens and clients", func(t *testing.T, f Fixture) {
			if _, err := f.Deps.Tokens.VerifyAccessToken(ctx, "not.a.token"); !errors.Is(err, connectors.ErrInvalidToken) {
				t.Fatalf("VerifyAccessToken(garbage) = %v, want ErrInvalidToken", err)
			}
			for _, tc := range []struct {
				authorization string
				want          error
			}{
				{"", connectors.ErrNoToken},
				{"Basic dXNlcjpwdw==", connectors.ErrNoToken},
				{"Bearer not.a.token", connectors.ErrInvalidToken},
			} {
				r := httptest.NewRequest(http.MethodGet, "/api/app/v1/qr/x", nil)
				if tc.authorization != "" {
					r.Header.Set("Authorization", tc.authorization)
				}
				if _, err := f.Deps.Tokens.VerifyRequestToken(ctx, r); !errors.Is(err, tc.want) {
					t.Fatalf("VerifyRequestToken(Authorization: %q) = %v, want %v", tc.authorization, err, tc.want)
				}
			}
			if _, err := f.Deps.Clients.ClientName(ctx, "no-such-client"); !errors.Is(err, connectors.ErrNotFound) {
				t.Fatalf("ClientName(unknown) = %v, want ErrNotFound", err)
			}
		}},
		{"audit", func(t *testing.T, f Fixture) {
			e := connectors.AuditEvent{Type: connectors.AuditQRScan, Outcome: connectors.AuditSuccess, Connector: "app", PersonID: "p1"}
			if err := f.Deps.Audit.Audit(ctx, e); err != nil {
				t.Fatalf("Audit(qr.scan) = %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, newFixture(t)) })
	}
}
