package accounts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/connhost"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/password"
)

// TestPasswordLoginThroughDirectory wires the password connector to the
// accounts service and the memory store through the connector host, as
// main does.
func TestPasswordLoginThroughDirectory(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := context.Background()
	if err := svc.Seed(ctx, seedUnits, seedPersons); err != nil {
		t.Fatal(err)
	}
	ls, _ := svc.FindByLogin(ctx, otherID)
	ls.Status = accounts.StatusDisabled
	_ = st.PutPerson(ctx, ls)

	host := connhost.New(connhost.Options{Store: st, Accounts: svc,
		Secrets: connectors.Secrets{IDHashKey: testSecrets.IDHashKey, Pepper: testSecrets.Pepper}})
	reg := connectors.Registry{password.Type: password.Factory}
	cs, errs := reg.Open([]connectors.Spec{{ID: "pwd", Type: password.Type, Path: "connectors[0].config"}}, host.Deps)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c := cs[0].(connectors.PasswordLogin)

	tests := []struct {
		user, secret, wantCode string
	}{
		{demoID, demoPW, ""},
		{"+86 " + demoMobile, demoPW, ""},
		{demoID, "802418", password.CodeInvalidCredentials},
		{"320106198508120033", demoPW, password.CodeInvalidCredentials}, // unknown
		{otherID, "135790", password.CodeInvalidCredentials},            // disabled
	}
	for _, tt := range tests {
		id, err := c.Login(ctx, connectors.Credentials{User: tt.user, Secret: tt.secret})
		if tt.wantCode == "" {
			if err != nil {
				t.Errorf("Login(%s) = %v", tt.user, err)
				continue
			}
			zs, _ := svc.FindByLogin(ctx, demoID)
			if id.Subject != zs.ID || id.Name != "张三" || id.ACR != password.DefaultACR {
				t.Errorf("Login(%s) identity = %+v", tt.user, id)
			}
			continue
		}
		if le, ok := connectors.AsLoginError(err); !ok || le.Code != tt.wantCode {
			t.Errorf("Login(%s) = %v, want %s", tt.user, err, tt.wantCode)
		}
	}
}

func TestDirectoryFindByLogin(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	p, _ := svc.CreatePerson(ctx, accounts.NewPerson{Name: "张三", IDNumber: demoID, Password: demoPW})
	d := connhost.New(connhost.Options{Store: memory.New(), Accounts: svc})
	a, err := d.FindByLogin(ctx, demoID)
	if err != nil || a.PersonID != p.ID || a.PasswordHash == "" || a.Disabled {
		t.Errorf("FindByLogin = %+v, %v", a, err)
	}
	for _, login := range []string{otherID, "not a login"} {
		if _, err := d.FindByLogin(ctx, login); !errors.Is(err, connectors.ErrUnknownAccount) {
			t.Errorf("FindByLogin(%q) = %v, want ErrUnknownAccount", login, err)
		}
	}
}
