package sms

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
)

// Provider health.
//
// A person who asks for a code is answered before the text goes out (the
// send is asynchronous, so the answer and its timing do not tell a
// registered mobile from another). The answer must still not promise a
// text while the provider is failing, so SendCode asks providerFailing
// first — before and independent of the account lookup, so every mobile
// gets the same answer — and, while the provider fails, answers
// sms_unavailable to everyone.
//
// The state is two counters per window of unavailable_window in the
// store, shared by every broker instance and expiring by themselves:
// requests that passed the send limits (counted for every mobile alike,
// before the lookup, so a registered mobile costs the same store
// operations as another) and sends that failed (counted in the
// background, after one retry). The provider counts as failing
// while the current and the previous window together hold at least
// unavailable_after failures making up at least unavailable_percent of
// the requests. Nothing is sent while it fails, so it recovers when the
// failures age out of the windows (one to two windows after the last);
// the next send then probes the provider again.

// healthKeys are the request and failure counters of the current and the
// previous window.
func (c *Connector) healthKeys(now time.Time) (requests, failed [2]string) {
	w := now.UnixNano() / int64(c.cfg.UnavailableWindow)
	for i, b := range []int64{w, w - 1} {
		sfx := c.ID() + ":" + strconv.FormatInt(b, 10)
		requests[i], failed[i] = "smshealth:req:"+sfx, "smshealth:fail:"+sfx
	}
	return requests, failed
}

// providerFailing reports whether the provider failed too often lately.
func (c *Connector) providerFailing(ctx context.Context) (bool, error) {
	reqKeys, failKeys := c.healthKeys(c.now())
	var requests, failed int64
	for i := range 2 {
		n, err := c.store.Count(ctx, failKeys[i])
		if err != nil {
			return false, fmt.Errorf("sms: read provider health: %w", err)
		}
		failed += n
	}
	if failed < int64(c.cfg.UnavailableAfter) {
		return false, nil
	}
	for i := range 2 {
		n, err := c.store.Count(ctx, reqKeys[i])
		if err != nil {
			return false, fmt.Errorf("sms: read provider health: %w", err)
		}
		requests += n
	}
	return failed*100 >= int64(c.cfg.UnavailablePercent)*max(requests, failed), nil
}

// sendWithRetry sends the text, once more after a provider failure, and
// counts the outcome. Flow control for one mobile (a rate_limited
// LoginError) is the provider working: neither retried nor counted as a
// failure.
func (c *Connector) sendWithRetry(ctx context.Context, mobile, code, personID, ip string) error {
	err := c.sender.Send(ctx, mobile, code)
	if _, limited := connectors.AsLoginError(err); err != nil && !limited && ctx.Err() == nil {
		c.log.WarnContext(ctx, "sms send failed, retrying once", "connector", c.ID(), "person_id", personID, "err", err)
		err = c.sender.Send(ctx, mobile, code)
	}
	if _, limited := connectors.AsLoginError(err); limited {
		return err
	}
	if err != nil {
		ctx = context.WithoutCancel(ctx) // the send may have used up its time
		c.countHealth(ctx, false)
		c.reportFailure(ctx, err, personID, ip)
	}
	return err
}

// countHealth adds a request (SendCode, for every mobile) or a failed send
// to the current window.
func (c *Connector) countHealth(ctx context.Context, request bool) {
	reqKeys, failKeys := c.healthKeys(c.now())
	key := failKeys[0]
	if request {
		key = reqKeys[0]
	}
	if _, err := c.store.Incr(ctx, key, 2*c.cfg.UnavailableWindow+time.Minute); err != nil {
		c.log.ErrorContext(ctx, "sms provider health not counted", "connector", c.ID(), "err", err)
	}
}

// failureCode is the provider's error code, or what kind of failure it
// was: a small, fixed set of metric labels.
func failureCode(err error) string {
	var ue *redact.UpstreamError
	switch {
	case errors.As(err, &ue) && ue.Code != "":
		return ue.Code
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "transport"
	}
}

func (c *Connector) reportFailure(ctx context.Context, err error, personID, ip string) {
	code := failureCode(err)
	if c.reporter != nil {
		c.reporter.SMSSendFailure(c.ID(), code)
	}
	if c.auditor == nil {
		return
	}
	details := map[string]string{"code": code}
	var ue *redact.UpstreamError
	if errors.As(err, &ue) && ue.RequestID != "" {
		details["request_id"] = ue.RequestID
	}
	ev := connectors.AuditEvent{Type: connectors.AuditSMSProviderFailure, Outcome: connectors.AuditFailure, Reason: "provider_failure",
		Connector: c.ID(), PersonID: personID, IP: ip, Details: details}
	if aerr := c.auditor.Audit(ctx, ev); aerr != nil {
		c.log.ErrorContext(ctx, "audit event not recorded", "connector", c.ID(), "type", ev.Type, "err", aerr)
	}
}
