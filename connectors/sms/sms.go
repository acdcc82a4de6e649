// Package sms is the login with the mobile registered for a person and a
// six-digit code (验证码) sent to it by text message.
//
// SendCode answers alike whether or not the mobile belongs to an active
// account: the same limits apply, the same records are stored (a code
// nobody was sent, for an unknown mobile) and the text goes out in the
// background, so neither the answer nor its timing tells who is
// registered. Login checks a code against an HMAC of it in constant time,
// counts every try against that code, kills it after max_attempts wrong
// tries and consumes a right one exactly once.
//
// Per-IP limits on logins are the broker's job; accounts are the
// Directory's.
package sms

import (
	"context"
	"sync"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// Type is the registry type of this connector.
const Type = "sms"

// AMR is the RFC 8176 §2 method this connector reports: confirmation by
// a code sent in a text message.
const AMR = "sms"

var (
	_ connectors.PasswordLogin = (*Connector)(nil)
	_ connectors.CodeSender    = (*Connector)(nil)
	_ connectors.Assurance     = (*Connector)(nil)
)

// sender delivers a code to a mobile.
type sender interface {
	Send(ctx context.Context, mobile, code string) error
}

// Connector is an opened SMS connector.
type Connector struct {
	connectors.Base // ID, Type, DisplayName
	cfg             Config
	dir             connectors.Accounts
	store           hostStore
	key             []byte // HMAC key of store keys and code MACs
	log             connectors.Logger
	sender          sender
	now             func() time.Time
	sends           sync.WaitGroup     // texts on their way (tests wait for them)
	auditor         connectors.Auditor // nil: provider failures are only logged
	reporter        connectors.Metrics // nil: no metric
}

var (
	// Open validates spec.Config and opens the connector. It uses the
	// host's Accounts (who has a mobile), Values (live codes), Counters
	// (tries and send limits), Secrets.IDHashKey (names of both) and
	// HTTPClient (the aliyun sender's requests; nil: a client of its own).
	Open = connectors.Configured(parseConfig, open)
	// Factory opens SMS connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

func open(spec connectors.Spec, deps connectors.Deps, cfg Config) (*Connector, error) {
	if err := deps.Require(Type, spec.ID, connectors.NeedAccounts, connectors.NeedValues, connectors.NeedCounters, connectors.NeedIDHashKey); err != nil {
		return nil, err
	}
	log := deps.Log()
	c := &Connector{
		Base:  connectors.NewBase(Type, spec, "短信验证码登录", "Sign in with a text message code"),
		cfg:   cfg,
		dir:   deps.Accounts,
		store: hostStore{deps.Values, deps.Counters},
		key:   deps.Secrets.IDHashKey,
		log:   log,
		now:   deps.Clock(),
	}
	c.auditor, c.reporter = deps.Audit, deps.Metrics
	switch cfg.Sender.Type {
	case SenderLog:
		c.sender = logSender{id: spec.ID, log: log}
		log.Warn("sms connector writes codes to the log (sender.type log): for development only, never in production",
			"connector", spec.ID)
	case SenderAliyun:
		c.sender = newAliyun(*cfg.Sender.Aliyun, deps.HTTPClient)
	}
	return c, nil
}

// ACR is the configured assurance level of these logins.
func (c *Connector) ACR() string { return c.cfg.ACR }
