package sms

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Login checks the code last sent to a mobile (Credentials.User is the
// mobile, Secret the code).
//
// Every try counts against the code before it is checked, so parallel
// guesses cannot get past max_attempts; after max_attempts wrong tries the
// code is dead and a new one must be requested. The code is compared as
// an HMAC in constant time. A right code is taken from the store in one
// step, so of two concurrent right submissions exactly one logs in.
//
// Errors are *connectors.LoginError (invalid_login, invalid_code,
// code_dead) except store and directory failures, returned wrapped for a
// server error: the login fails closed.
func (c *Connector) Login(ctx context.Context, cr connectors.Credentials) (connectors.Identity, error) {
	mobile, err := ids.Mobile(cr.User)
	if err != nil {
		c.log.InfoContext(ctx, "sms login refused", "connector", c.ID(), "mobile", maskInput(cr.User), "reason", "malformed_mobile", "remote_ip", cr.RemoteIP)
		return connectors.Identity{}, invalidLogin(err)
	}
	masked := ids.MaskMobile(mobile)
	code := strings.TrimSpace(cr.Secret)
	if !isCode(code) {
		return connectors.Identity{}, malformedCode()
	}
	fail := func(reason string, tries int64) (connectors.Identity, error) {
		c.log.InfoContext(ctx, "sms login failed", "connector", c.ID(), "mobile", masked, "reason", reason, "tries", tries, "remote_ip", cr.RemoteIP)
		return connectors.Identity{}, invalidCode(reason)
	}

	key := c.codeKey(mobile)
	raw, err := c.store.GetValue(ctx, key)
	switch {
	case err != nil && errors.Is(err, connectors.ErrNotFound):
		return fail("no_code", 0)
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("sms: read code: %w", err)
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil || rec.ID == "" || rec.MAC == "" {
		return connectors.Identity{}, fmt.Errorf("sms: stored code of %s is malformed (%d bytes)", masked, len(raw))
	}
	tries, err := c.store.Incr(ctx, triesKey(rec.ID), c.cfg.CodeTTL)
	if err != nil {
		return connectors.Identity{}, fmt.Errorf("sms: count try: %w", err)
	}
	limit := int64(c.cfg.MaxAttempts)
	if tries > limit {
		c.log.InfoContext(ctx, "sms login refused", "connector", c.ID(), "mobile", masked, "reason", "code_dead", "tries", tries, "remote_ip", cr.RemoteIP)
		return connectors.Identity{}, codeDead()
	}
	if !hmac.Equal([]byte(c.codeMAC(rec.ID, code)), []byte(rec.MAC)) {
		if tries == limit {
			c.log.WarnContext(ctx, "sms code dead after too many wrong tries", "connector", c.ID(), "mobile", masked, "tries", tries, "remote_ip", cr.RemoteIP)
			return connectors.Identity{}, codeDead()
		}
		return fail("wrong_code", tries)
	}

	// One-time: only the caller that takes the record logs in.
	taken, err := c.store.TakeValue(ctx, key)
	switch {
	case err != nil && errors.Is(err, connectors.ErrNotFound):
		return fail("code_used", tries)
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("sms: take code: %w", err)
	}
	var got record
	if err := json.Unmarshal(taken, &got); err != nil || got.ID != rec.ID {
		// A new code replaced the one checked, between reading and taking
		// it: put the new one back for its owner.
		if left := time.Unix(got.Expires, 0).Sub(c.now()); err == nil && left > 0 {
			_ = c.store.AddValue(ctx, key, taken, left)
		}
		return fail("code_replaced", tries)
	}

	acct, err := c.dir.FindByLogin(ctx, mobile)
	switch {
	case errors.Is(err, connectors.ErrUnknownAccount):
		// A right guess of a code stored for an unknown mobile.
		return fail("unknown_account", tries)
	case err != nil:
		return connectors.Identity{}, fmt.Errorf("sms: find account %s: %w", masked, err)
	case acct.Disabled:
		return fail("disabled", tries)
	}
	c.log.InfoContext(ctx, "sms login", "connector", c.ID(), "mobile", masked, "person_id", acct.PersonID, "tries", tries, "remote_ip", cr.RemoteIP)
	return connectors.Identity{
		ConnectorID: c.ID(),
		Subject:     acct.PersonID,
		Kind:        connectors.KindPerson,
		Name:        acct.Name,
		Phone:       mobile,
		AMR:         []string{AMR},
		ACR:         c.cfg.ACR,
	}, nil
}

func isCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
