// Package password is the agent (经办人) login: a resident ID number or a
// mobile number plus the six-digit agent password. It locks a login after
// too many consecutive failures, whether or not an account has it, and
// answers unknown, disabled and wrong alike so that nobody learns from it
// whether an account exists.
//
// Per-IP rate limits are the broker's job; accounts and password hashes
// are the Directory's.
package password

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Type is the registry type of this connector.
const Type = "password"

// AMR is the RFC 8176 method this connector reports.
const AMR = "pwd"

var _ connectors.PasswordLogin = (*Connector)(nil)

// Connector is an opened password connector.
type Connector struct {
	id, name string
	cfg      Config
	dir      Directory
	counters Counters
	lockKey  []byte // HMAC key naming lockout counters
	log      connectors.Logger
}

// Factory returns the registry factory. The account directory comes from
// main because it is a service (it hashes with the broker's secrets), not
// storage; the failure counters come from deps.Store, which must implement
// Counters.
func Factory(dir Directory) connectors.Factory {
	return func(spec connectors.Spec, deps connectors.Deps) (connectors.Connector, error) {
		c, err := Open(spec, deps, dir)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return c, nil
	}
}

// Open validates spec.Config and opens the connector.
func Open(spec connectors.Spec, deps connectors.Deps, dir Directory) (*Connector, error) {
	path := spec.Path
	if path == "" {
		path = "config"
	}
	cfg, err := parseConfig(&spec.Config, path)
	if err != nil {
		return nil, err
	}
	if dir == nil {
		return nil, fmt.Errorf("password connector %q: no account directory (main must pass accounts.Directory to password.Factory)", spec.ID)
	}
	counters, ok := deps.Store.(Counters)
	if !ok {
		return nil, fmt.Errorf("password connector %q: the store (%T) has no failure counters (Incr, Count, Reset)", spec.ID, deps.Store)
	}
	if len(deps.Secrets.IDHashKey) == 0 {
		return nil, fmt.Errorf("password connector %q: secrets.id_hash_key is required to name lockout counters", spec.ID)
	}
	log := deps.Logger
	if log == nil {
		log = nopLogger{}
	}
	return &Connector{
		id:       spec.ID,
		name:     spec.Name,
		cfg:      cfg,
		dir:      dir,
		counters: counters,
		lockKey:  deps.Secrets.IDHashKey,
		log:      log,
	}, nil
}

// ID is the configured connector ID.
func (c *Connector) ID() string { return c.id }

// Type is "password".
func (c *Connector) Type() string { return Type }

// DisplayName is the configured name or, without one, a default label.
func (c *Connector) DisplayName(lang string) string {
	if c.name != "" {
		return c.name
	}
	if lang == "en" {
		return "ID number or mobile and password"
	}
	return "证件号码/手机号 + 密码"
}

// Login checks an ID number or mobile and the agent password.
//
// A login is locked once it has failed MaxFailures times in a row, each
// failure (re)starting a Lockout-long window; while locked even the right
// password is refused, and the lock ends Lockout after the last counted
// failure (attempts on a locked login are not counted, so they cannot
// prolong it). The attempt is counted before the password is checked, so
// parallel guesses cannot get past the limit. Success resets the count.
//
// Errors are *connectors.LoginError (invalid_credentials, locked,
// invalid_login) except store and directory failures, which are returned
// wrapped so the broker answers with a server error: the lockout fails
// closed.
func (c *Connector) Login(ctx context.Context, cr connectors.Credentials) (connectors.Identity, error) {
	login, masked, err := normalizeLogin(cr.User)
	if err != nil {
		c.log.Info("password login refused", "connector", c.id, "login", masked, "reason", "malformed_login", "remote_ip", cr.RemoteIP, "err", err)
		return connectors.Identity{}, invalidLogin(err)
	}
	key := c.counterKey(login)
	limit := int64(c.cfg.MaxFailures)

	n, err := c.counters.Count(ctx, key)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("password: read failure count: %w", err)
	}
	if n >= limit {
		c.log.Info("password login refused", "connector", c.id, "login", masked, "reason", "locked", "remote_ip", cr.RemoteIP)
		return connectors.Identity{}, locked(c.cfg.Lockout)
	}
	if n, err = c.counters.Incr(ctx, key, c.cfg.Lockout); err != nil {
		return connectors.Identity{}, fmt.Errorf("password: count attempt: %w", err)
	}
	if n > limit { // lost a race against parallel attempts
		c.log.Info("password login refused", "connector", c.id, "login", masked, "reason", "locked", "remote_ip", cr.RemoteIP)
		return connectors.Identity{}, locked(c.cfg.Lockout)
	}

	fail := func(reason, personID string) (connectors.Identity, error) {
		c.log.Info("password login failed", "connector", c.id, "login", masked, "reason", reason, "person_id", personID, "failures", n, "remote_ip", cr.RemoteIP)
		if n == limit {
			c.log.Warn("password login locked", "connector", c.id, "login", masked, "person_id", personID, "failures", n, "lockout", c.cfg.Lockout.String(), "remote_ip", cr.RemoteIP)
		}
		return connectors.Identity{}, invalidCredentials(errors.New(reason))
	}

	acct, err := c.dir.FindByLogin(ctx, login)
	switch {
	case errors.Is(err, ErrUnknownAccount):
		c.dir.DummyVerify(cr.Secret)
		return fail("unknown_account", "")
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("password: find account %s: %w", masked, err)
	case acct.Disabled || acct.PasswordHash == "":
		c.dir.DummyVerify(cr.Secret)
		reason := "disabled"
		if !acct.Disabled {
			reason = "no_password"
		}
		return fail(reason, acct.PersonID)
	}
	ok, err := c.dir.VerifyPassword(acct.PasswordHash, cr.Secret)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("password: verify password of person %s: %w", acct.PersonID, err)
	}
	if !ok {
		return fail("wrong_password", acct.PersonID)
	}
	if err := c.counters.Reset(ctx, key); err != nil {
		return connectors.Identity{}, fmt.Errorf("password: reset failure count: %w", err)
	}
	return connectors.Identity{
		ConnectorID: c.id,
		Subject:     acct.PersonID,
		Kind:        connectors.KindPerson,
		Name:        acct.Name,
		AMR:         []string{AMR},
		ACR:         c.cfg.ACR,
	}, nil
}

// normalizeLogin decides by shape whether user is a mobile (11 digits,
// optional +86) or a resident ID number and returns it normalised, together
// with a masked form that is safe to log.
func normalizeLogin(user string) (login, masked string, err error) {
	if m, err := ids.Mobile(user); err == nil {
		return m, ids.MaskMobile(m), nil
	}
	id, err := ids.ResidentID(user)
	if err != nil {
		if n := utf8.RuneCountInString(user); n > 32 {
			return "", fmt.Sprintf("(%d characters)", n), err // no wall of stars
		}
		return "", ids.MaskID(strings.TrimSpace(user)), err
	}
	return id, ids.MaskID(id), nil
}

// counterKey names the failure counter of a normalised login by a keyed
// hash, so the store never holds ID numbers or mobiles and the names
// cannot be reversed by trying every birth date. It does not depend on the
// connector ID: one login has one count.
func counterKey(key []byte, login string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gjjid/password/lockout\x00"))
	m.Write([]byte(login))
	return "pwdfail:" + hex.EncodeToString(m.Sum(nil))
}

func (c *Connector) counterKey(login string) string { return counterKey(c.lockKey, login) }

type nopLogger struct{}

func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}
