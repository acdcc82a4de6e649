package broker_test

// The README's "Writing a connector" example, compiled and run: a whole
// login method is this one type, its Open and one registry line.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors"
)

// pinConnector signs agents in with their ID number and 6-digit
// password, locking a login after three wrong tries for ten minutes. It
// uses two host capabilities: Accounts and Counters.
type pinConnector struct {
	id       string
	accounts connectors.Accounts
	counters connectors.Counters
}

var _ connectors.PasswordLogin = (*pinConnector)(nil)

// openPin is the connector's connectors.Factory.
func openPin(spec connectors.Spec, deps connectors.Deps) (connectors.Connector, error) {
	if err := deps.Require("pin", spec.ID, connectors.NeedAccounts, connectors.NeedCounters); err != nil {
		return nil, err
	}
	return &pinConnector{id: spec.ID, accounts: deps.Accounts, counters: deps.Counters}, nil
}

func (c *pinConnector) ID() string                { return c.id }
func (c *pinConnector) Type() string              { return "pin" }
func (c *pinConnector) DisplayName(string) string { return "PIN" }

func (c *pinConnector) Login(ctx context.Context, cr connectors.Credentials) (connectors.Identity, error) {
	refused := &connectors.LoginError{Code: "invalid_credentials",
		Message: map[string]string{"zh-CN": "证件号码或密码错误", "en": "Wrong ID number or password"}}
	key := "pin:" + c.id + ":" + cr.User // a real connector names counters by a keyed hash
	n, err := c.counters.Incr(ctx, key, 10*time.Minute)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("pin: count: %w", err) // a server error, never a refusal
	}
	if n > 3 {
		return connectors.Identity{}, refused
	}
	acct, err := c.accounts.FindByLogin(ctx, cr.User)
	if errors.Is(err, connectors.ErrUnknownAccount) {
		c.accounts.DummyVerify(cr.Secret)
		return connectors.Identity{}, refused
	} else if err != nil {
		return connectors.Identity{}, fmt.Errorf("pin: find account: %w", err)
	}
	if ok, err := c.accounts.VerifyPassword(acct.PasswordHash, cr.Secret); err != nil || !ok || acct.Disabled {
		return connectors.Identity{}, refused
	}
	_ = c.counters.Reset(ctx, key)
	return connectors.Identity{ConnectorID: c.id, Subject: acct.PersonID, Kind: connectors.KindPerson, Name: acct.Name,
		AMR: []string{"pwd"}, ACR: "gjj:loa:1"}, nil
}

// TestExampleConnectorLogsIn: the example connector, added by one registry
// line and one config entry, signs the demo agent in through a code flow
// with the real RP libraries, and its lockout holds.
func TestExampleConnectorLogsIn(t *testing.T) {
	backendsWith(t, func(t *testing.T, start func(*testing.T, bt.Options) *bt.Broker) {
		b := start(t, bt.Options{
			Connectors: connectors.Registry{"pin": openPin},
			Edit: func(c *config.Config) {
				c.Connectors = append(c.Connectors, config.Connector{ID: "pin", Type: "pin"})
				c.Clients[0].Connectors = []string{"pin"}
			},
		})
		rp := bt.NewRP(t, b.URL)

		claims := pinLogin(t, b, rp, bt.AgentIDNumber, bt.AgentPassword)
		if claims["idp"] != "pin" || claims["unit_id"] != bt.UnitID || claims["name"] != bt.AgentName {
			t.Errorf("claims = %v, want idp pin for the demo agent's unit", claims)
		}
		if amr, _ := claims["amr"].([]any); !slices.Contains(amr, any("pwd")) {
			t.Errorf("amr = %v, want pwd", claims["amr"])
		}

		br := bt.NewBrowser(t)
		for range 3 {
			if loc, err := br.Login(b.URL, rp.NewFlow().URL, bt.Agent2IDNumber, "000000"); err != nil || loc != nil {
				t.Fatalf("wrong password: redirect %v, %v; want the form again", loc, err)
			}
		}
		f := rp.NewFlow()
		if loc, err := bt.NewBrowser(t).Login(b.URL, f.URL, bt.Agent2IDNumber, bt.Agent2Password); err != nil || loc != nil {
			t.Fatalf("right password after three wrong ones: redirect %v, %v; want the lockout", loc, err)
		}
	})
}

// pinLogin signs user in through the one form the client offers and
// returns the ID token's claims.
func pinLogin(t *testing.T, b *bt.Broker, rp *bt.RP, user, password string) map[string]any {
	t.Helper()
	_, _, claims := rp.PasswordLogin(t, bt.NewBrowser(t), b.URL, user, password)
	return claims
}
