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
	"fmt"
	"net/http"
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

// Options are the services main hands to the connector.
type Options struct {
	// Directory finds the account of a mobile (accounts.Directory).
	Directory Directory
	// IsNotFound reports whether an error of Store.GetValue or TakeValue
	// means "no such key". A connector may not import the broker's store,
	// so main passes func(err error) bool { return errors.Is(err,
	// store.ErrNotFound) }. Any other error is a server error: the login
	// fails closed.
	IsNotFound func(error) bool
	// HTTPClient, when set, sends the aliyun sender's requests (its
	// timeout still applies per request). Nil: a client of its own.
	HTTPClient *http.Client
}

// sender delivers a code to a mobile.
type sender interface {
	Send(ctx context.Context, mobile, code string) error
}

// Connector is an opened SMS connector.
type Connector struct {
	id, name   string
	nameEN     string
	cfg        Config
	dir        Directory
	store      Store
	isNotFound func(error) bool
	key        []byte // HMAC key of store keys and code MACs
	log        connectors.Logger
	sender     sender
	now        func() time.Time
	sends      sync.WaitGroup     // texts on their way (tests wait for them)
	auditor    connectors.Auditor // nil: provider failures are only logged
	reporter   FailureReporter    // nil: no metric
}

// Factory returns the registry factory; see Options.
func Factory(o Options) connectors.Factory { return connectors.FactoryOf(Open, o) }

// Open validates spec.Config and opens the connector. deps.Store must
// implement Store, deps.Secrets.IDHashKey must be set.
func Open(spec connectors.Spec, deps connectors.Deps, o Options) (*Connector, error) {
	path := spec.Path
	if path == "" {
		path = "config"
	}
	cfg, err := parseConfig(&spec.Config, path)
	if err != nil {
		return nil, err
	}
	if o.Directory == nil {
		return nil, fmt.Errorf("sms connector %q: no account directory (main must pass accounts.Directory in sms.Options)", spec.ID)
	}
	if o.IsNotFound == nil {
		return nil, fmt.Errorf("sms connector %q: no IsNotFound (main must pass errors.Is(err, store.ErrNotFound) in sms.Options)", spec.ID)
	}
	st, ok := deps.Store.(Store)
	if !ok {
		return nil, fmt.Errorf("sms connector %q: the store (%T) has no short-lived values and counters (SetValue, AddValue, GetValue, TakeValue, Incr, Count)", spec.ID, deps.Store)
	}
	if len(deps.Secrets.IDHashKey) == 0 {
		return nil, fmt.Errorf("sms connector %q: secrets.id_hash_key is required to name codes and counters", spec.ID)
	}
	log := deps.Logger
	if log == nil {
		log = nopLogger{}
	}
	c := &Connector{
		id:         spec.ID,
		name:       spec.Name,
		nameEN:     spec.NameEN,
		cfg:        cfg,
		dir:        o.Directory,
		store:      st,
		isNotFound: o.IsNotFound,
		key:        deps.Secrets.IDHashKey,
		log:        log,
		now:        time.Now,
	}
	c.wireReports(deps.Broker)
	switch cfg.Sender.Type {
	case SenderLog:
		c.sender = logSender{id: spec.ID, log: log}
		log.Warn("sms connector writes codes to the log (sender.type log): for development only, never in production",
			"connector", spec.ID)
	case SenderAliyun:
		c.sender = newAliyun(*cfg.Sender.Aliyun, o.HTTPClient)
	}
	return c, nil
}

// ID is the configured connector ID.
func (c *Connector) ID() string { return c.id }

// Type is "sms".
func (c *Connector) Type() string { return Type }

// ACR is the configured assurance level of these logins.
func (c *Connector) ACR() string { return c.cfg.ACR }

// DisplayName is the configured name or, without one, a default label.
func (c *Connector) DisplayName(lang string) string {
	return connectors.Label(lang, c.name, c.nameEN, "短信验证码登录", "Sign in with a text message code")
}

type nopLogger struct{}

func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}
