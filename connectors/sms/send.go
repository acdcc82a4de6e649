package sms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// chinaTime is UTC+8 (no daylight saving): daily limits reset at midnight
// Beijing time, when users expect them to.
var chinaTime = time.FixedZone("CST", 8*60*60)

// record is the stored form of a live code.
type record struct {
	ID      string `json:"id"`  // random; names the code's try counter
	MAC     string `json:"mac"` // codeMAC(ID, code)
	Expires int64  `json:"exp"` // unix seconds
}

// SendCode sends a new code to a registered mobile (Credentials.User),
// replacing any earlier one.
//
// It answers alike for every well-formed mobile: the limits (one code per
// resend_interval and daily_limit codes a day per mobile, ip_hourly_limit
// codes an hour per client IP) count unknown mobiles too, a code is stored
// for an unknown or disabled account as well (one nobody is sent), and the
// text goes out in the background, so the provider's latency does not
// tell known mobiles from unknown ones. A failed send is retried once,
// then logged and counted against the provider's health; while the
// provider is failing (health.go), every request is answered
// sms_unavailable before anything else is looked up or counted.
//
// Errors are *connectors.LoginError (invalid_login, rate_limited,
// sms_unavailable) except store and directory failures, returned wrapped
// for a server error.
func (c *Connector) SendCode(ctx context.Context, cr connectors.Credentials) error {
	mobile, err := ids.Mobile(cr.User)
	if err != nil {
		c.log.InfoContext(ctx, "sms code refused", "connector", c.ID(), "mobile", maskInput(cr.User), "reason", "malformed_mobile", "remote_ip", cr.RemoteIP)
		return invalidLogin(err)
	}
	masked := ids.MaskMobile(mobile)
	failing, err := c.providerFailing(ctx)
	if err != nil {
		return err
	}
	if failing {
		c.log.WarnContext(ctx, "sms code refused", "connector", c.ID(), "mobile", masked, "reason", CodeSMSUnavailable, "remote_ip", cr.RemoteIP)
		return smsUnavailable()
	}
	if err := c.reserveSend(ctx, mobile, cr.RemoteIP); err != nil {
		if le, ok := connectors.AsLoginError(err); ok {
			c.log.InfoContext(ctx, "sms code refused", "connector", c.ID(), "mobile", masked, "reason", le.Error(), "remote_ip", cr.RemoteIP)
		}
		return err
	}
	c.countHealth(ctx, true)

	acct, err := c.dir.FindByLogin(ctx, mobile)
	reason := ""
	switch {
	case errors.Is(err, connectors.ErrUnknownAccount):
		reason = "unknown_account"
	case err != nil:
		return fmt.Errorf("sms: find account %s: %w", masked, err)
	case acct.Disabled:
		reason = "disabled"
	}
	code, err := randomCode()
	if err != nil {
		return err
	}
	id, err := randomID()
	if err != nil {
		return err
	}
	rec, _ := json.Marshal(record{ID: id, MAC: c.codeMAC(id, code), Expires: c.now().Add(c.cfg.CodeTTL).Unix()})
	if err := c.store.SetValue(ctx, c.codeKey(mobile), rec, c.cfg.CodeTTL); err != nil {
		return fmt.Errorf("sms: store code: %w", err)
	}
	if reason != "" {
		// The code just stored reaches nobody: it only makes this mobile
		// behave like a registered one.
		c.log.InfoContext(ctx, "sms code not sent", "connector", c.ID(), "mobile", masked, "reason", reason, "person_id", acct.PersonID, "remote_ip", cr.RemoteIP)
		return nil
	}
	c.dispatch(ctx, mobile, code, acct.PersonID, cr.RemoteIP)
	return nil
}

// dispatch sends the text in the background, detached from the request's
// cancellation. Sends end by themselves: the aliyun sender has a timeout.
func (c *Connector) dispatch(ctx context.Context, mobile, code, personID, ip string) {
	ctx = context.WithoutCancel(ctx)
	c.sends.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, maxTimeout)
		defer cancel()
		masked := ids.MaskMobile(mobile)
		if err := c.sendWithRetry(ctx, mobile, code, personID, ip); err != nil {
			c.log.ErrorContext(ctx, "sms code not delivered", "connector", c.ID(), "mobile", masked, "person_id", personID, "remote_ip", ip, "err", err)
			return
		}
		c.log.InfoContext(ctx, "sms code sent", "connector", c.ID(), "mobile", masked, "person_id", personID, "remote_ip", ip)
	})
}

// reserveSend applies the send limits and counts this send. Limits are
// checked before anything is counted, so refused requests do not prolong
// a wait; the counts are then checked again, so parallel requests cannot
// get past them.
func (c *Connector) reserveSend(ctx context.Context, mobile, ip string) error {
	now := c.now().In(chinaTime)
	hour := now.Truncate(time.Hour)
	nextHour := hour.Add(time.Hour).Sub(now)
	y, m, d := now.Date()
	nextDay := time.Date(y, m, d+1, 0, 0, 0, 0, chinaTime).Sub(now)
	ipKey := c.ipKey(ip, hour.Format("2006010215"))
	dayKey := c.dayKey(mobile, now.Format("20060102"))

	n, err := c.store.Count(ctx, ipKey)
	if err != nil {
		return fmt.Errorf("sms: read send count: %w", err)
	}
	if n >= int64(c.cfg.IPHourlyLimit) {
		return ipLimit(nextHour)
	}
	if n, err = c.store.Count(ctx, dayKey); err != nil {
		return fmt.Errorf("sms: read send count: %w", err)
	}
	if n >= int64(c.cfg.DailyLimit) {
		return dailyLimit()
	}
	if err := c.reserveGap(ctx, mobile); err != nil {
		return err
	}
	// The counters live a little past their window, so a clock step between
	// instances does not restart a window early.
	if n, err = c.store.Incr(ctx, ipKey, nextHour+time.Minute); err != nil {
		return fmt.Errorf("sms: count send: %w", err)
	}
	if n > int64(c.cfg.IPHourlyLimit) {
		return ipLimit(nextHour)
	}
	if n, err = c.store.Incr(ctx, dayKey, nextDay+time.Minute); err != nil {
		return fmt.Errorf("sms: count send: %w", err)
	}
	if n > int64(c.cfg.DailyLimit) {
		return dailyLimit()
	}
	return nil
}

// reserveGap takes the mobile's resend slot: a value that lives
// resend_interval and holds the time it was taken, to say how long is left.
func (c *Connector) reserveGap(ctx context.Context, mobile string) error {
	key := c.gapKey(mobile)
	now := c.now()
	stamp := []byte(strconv.FormatInt(now.UnixMilli(), 10))
	for range 2 {
		addErr := c.store.AddValue(ctx, key, stamp, c.cfg.ResendInterval)
		if addErr == nil {
			return nil
		}
		v, err := c.store.GetValue(ctx, key)
		switch {
		case err == nil:
			wait := c.cfg.ResendInterval
			if ms, perr := strconv.ParseInt(string(v), 10, 64); perr == nil {
				wait -= now.Sub(time.UnixMilli(ms))
			}
			return resendTooSoon(min(max(wait, time.Second), c.cfg.ResendInterval))
		case errors.Is(err, connectors.ErrNotFound):
			continue // expired between the two calls: try again
		default:
			return fmt.Errorf("sms: reserve resend interval: %w", errors.Join(addErr, err))
		}
	}
	return resendTooSoon(c.cfg.ResendInterval)
}

// maskInput masks what a user typed as a mobile for the log, without a
// wall of stars for a long paste.
func maskInput(s string) string {
	if n := utf8.RuneCountInString(s); n > 32 {
		return fmt.Sprintf("(%d characters)", n)
	}
	return ids.MaskMobile(strings.TrimSpace(s))
}

// randomCode is six uniformly random digits.
func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("sms: random code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sms: random id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
