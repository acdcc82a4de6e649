// Package password is the agent (经办人) login: a resident ID number or a
// mobile number plus the six-digit agent password. It locks a login, and
// the account behind it, after too many consecutive failures; unknown
// logins lock too, and unknown, disabled and wrong answer alike, so that
// nobody learns from it whether an account exists.
//
// Per-IP rate limits are the broker's job; accounts and password hashes
// are the host's (connectors.Accounts).
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
	connectors.Base // ID, Type, DisplayName
	cfg             Config
	dir             connectors.Accounts
	counters        connectors.Counters
	lockKey         []byte // HMAC key naming lockout counters
	log             connectors.Logger
}

var (
	// Open validates spec.Config and opens the connector. It uses the
	// host's Accounts (persons and password hashes), Counters (lockouts)
	// and Secrets.IDHashKey (names of the counters).
	Open = connectors.Configured(parseConfig, open)
	// Factory opens password connectors for the registry.
	Factory = connectors.FactoryOf(Open)
)

func open(spec connectors.Spec, deps connectors.Deps, cfg Config) (*Connector, error) {
	if err := deps.Require(Type, spec.ID, connectors.NeedAccounts, connectors.NeedCounters, connectors.NeedIDHashKey); err != nil {
		return nil, err
	}
	return &Connector{
		Base:     connectors.NewBase(Type, spec, "经办人登录", "Agent sign-in"),
		cfg:      cfg,
		dir:      deps.Accounts,
		counters: deps.Counters,
		lockKey:  deps.Secrets.IDHashKey,
		log:      deps.Log(),
	}, nil
}

// Login checks an ID number or mobile and the agent password.
//
// Failures are counted twice: per login (the normalised ID number or
// mobile, whether or not an account has it) and per account (every login of
// one person). Either count reaching MaxFailures locks; each failure
// (re)starts a Lockout-long window, attempts on a locked login or account
// are not counted (they cannot prolong the lock), and success resets both
// counts. An attempt is counted before the password is checked, so
// parallel guesses cannot get past the limit.
//
// A locked login answers "locked": that says nothing about accounts, as
// unknown logins lock alike. An account locked through its other login
// (five failures by ID number, then a try by mobile) answers as a wrong
// password would, without checking it: "locked" there would tell an
// attacker which mobile belongs to which ID number, and checking would let
// the attacker go on guessing.
//
// Errors are *connectors.LoginError (invalid_credentials, locked,
// invalid_login) except store and directory failures, which are returned
// wrapped so the broker answers with a server error: the lockout fails
// closed.
func (c *Connector) Login(ctx context.Context, cr connectors.Credentials) (connectors.Identity, error) {
	login, masked, err := normalizeLogin(cr.User)
	if err != nil {
		c.log.InfoContext(ctx, "password login refused", "connector", c.ID(), "login", masked, "reason", "malformed_login", "remote_ip", cr.RemoteIP, "err", err)
		return connectors.Identity{}, invalidLogin(err)
	}
	loginKey := c.counterKey(loginLabel, login)
	n, ok, err := c.reserve(ctx, loginKey)
	if err != nil {
		return connectors.Identity{}, err
	}
	if !ok {
		c.log.InfoContext(ctx, "password login refused", "connector", c.ID(), "login", masked, "reason", "locked", "remote_ip", cr.RemoteIP)
		return connectors.Identity{}, locked(c.cfg.Lockout)
	}

	var accountFailures int64
	fail := func(reason, personID string) (connectors.Identity, error) {
		c.log.InfoContext(ctx, "password login failed", "connector", c.ID(), "login", masked, "reason", reason, "person_id", personID,
			"failures", n, "account_failures", accountFailures, "remote_ip", cr.RemoteIP)
		limit := int64(c.cfg.MaxFailures)
		err := invalidCredentials(errors.New(reason))
		if n == limit || accountFailures == limit {
			c.log.WarnContext(ctx, "password login locked", "connector", c.ID(), "login", masked, "person_id", personID,
				"failures", n, "account_failures", accountFailures, "lockout", c.cfg.Lockout.String(), "remote_ip", cr.RemoteIP)
			err.Lockout = true
		}
		return connectors.Identity{}, err
	}

	acct, err := c.dir.FindByLogin(ctx, login)
	switch {
	case errors.Is(err, connectors.ErrUnknownAccount):
		c.dir.DummyVerify(cr.Secret)
		return fail("unknown_account", "")
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("password: find account %s: %w", masked, err)
	}
	accountKey := c.counterKey(accountLabel, acct.PersonID)
	accountFailures, ok, err = c.reserve(ctx, accountKey)
	switch {
	case err != nil:
		return connectors.Identity{}, err
	case !ok:
		c.dir.DummyVerify(cr.Secret)
		return fail("account_locked", acct.PersonID)
	case acct.Disabled:
		c.dir.DummyVerify(cr.Secret)
		return fail("disabled", acct.PersonID)
	case acct.PasswordHash == "":
		c.dir.DummyVerify(cr.Secret)
		return fail("no_password", acct.PersonID)
	}
	good, err := c.dir.VerifyPassword(acct.PasswordHash, cr.Secret)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("password: verify password of person %s: %w", acct.PersonID, err)
	}
	if !good {
		return fail("wrong_password", acct.PersonID)
	}
	// A hash imported from a former system is replaced now that the
	// password is known to match it.
	if err := c.dir.UpgradePassword(ctx, acct.PersonID, acct.PasswordHash, cr.Secret); err != nil {
		return connectors.Identity{}, fmt.Errorf("password: upgrade password hash of person %s: %w", acct.PersonID, err)
	}
	for _, k := range []string{loginKey, accountKey} {
		if err := c.counters.Reset(ctx, k); err != nil {
			return connectors.Identity{}, fmt.Errorf("password: reset failure count: %w", err)
		}
	}
	if acct.MustChangePassword {
		// A password the fund's staff reset signs nobody in; it only
		// proves who may choose the new one (ErrMustChange).
		c.log.InfoContext(ctx, "password login refused", "connector", c.ID(), "login", masked, "reason", CodeMustChange, "person_id", acct.PersonID, "remote_ip", cr.RemoteIP)
		return connectors.Identity{Subject: acct.PersonID}, mustChange()
	}
	return connectors.Identity{
		ConnectorID: c.ID(),
		Subject:     acct.PersonID,
		Kind:        connectors.KindPerson,
		Name:        acct.Name,
		AMR:         []string{AMR},
		ACR:         c.cfg.ACR,
	}, nil
}

// reserve counts an attempt on key unless key already holds MaxFailures
// failures; ok is false when it does (locked).
func (c *Connector) reserve(ctx context.Context, key string) (n int64, ok bool, err error) {
	limit := int64(c.cfg.MaxFailures)
	if n, err = c.counters.Count(ctx, key); err != nil {
		return 0, false, fmt.Errorf("password: read failure count: %w", err)
	}
	if n >= limit {
		return n, false, nil
	}
	if n, err = c.counters.Incr(ctx, key, c.cfg.Lockout); err != nil {
		return 0, false, fmt.Errorf("password: count attempt: %w", err)
	}
	return n, n <= limit, nil // n > limit: lost a race against parallel attempts
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

// Counter name labels. Neither depends on the connector ID: one login,
// one account, one count.
const (
	loginLabel   = "gjjid/password/lockout/login"
	accountLabel = "gjjid/password/lockout/account"
)

// counterKey names a failure counter by a keyed hash of a normalised login
// or a person ID, so the store never holds ID numbers or mobiles and the
// names cannot be reversed by trying every birth date.
func counterKey(key []byte, label, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return "pwdfail:" + hex.EncodeToString(m.Sum(nil))
}

func (c *Connector) counterKey(label, value string) string {
	return counterKey(c.lockKey, label, value)
}
