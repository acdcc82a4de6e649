package logout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/store"
)

// claimBatch is how many deliveries one claim takes.
const claimBatch = 16

// Run delivers queued logout tokens until ctx ends: those this instance
// queued at once, the others' and the retries when they are due. Every
// instance runs it; the store's leases keep two from sending the same
// delivery. A delivery in flight when ctx ends stays leased and is
// retried by any instance once the lease runs out.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		s.drain(ctx)
		select {
		case <-ctx.Done():
			s.wg.Wait()
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// drain claims and delivers due deliveries until none is left.
func (s *Service) drain(ctx context.Context) {
	for ctx.Err() == nil {
		ds, err := s.o.Store.ClaimLogouts(ctx, s.o.Now(), s.lease, claimBatch)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "claim back-channel logouts", "err", err)
			}
			return
		}
		for _, d := range ds {
			select {
			case s.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			s.wg.Go(func() {
				defer func() { <-s.sem }()
				s.deliver(ctx, d)
			})
		}
		if len(ds) < claimBatch {
			break
		}
	}
	s.wg.Wait()
	if n, err := s.o.Store.PendingLogouts(ctx); err == nil {
		s.metrics.pending.Set(float64(n))
	}
}

// deliver posts one logout token and records the outcome. The outcome is
// recorded even while the instance shuts down (ctx ended), so that what
// was sent is not sent again; a post that shutting down interrupted hands
// the delivery back at once for any instance to send.
func (s *Service) deliver(ctx context.Context, d *store.LogoutDelivery) {
	book, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	c, err := s.o.Clients.Client(ctx, d.ClientID)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && c.BackchannelLogoutURI == "":
		s.finish(book, d, resultDropped, "client no longer registers a backchannel_logout_uri")
		return
	case err != nil && ctx.Err() != nil:
		s.release(book, d)
		return
	case err != nil:
		s.retry(book, d, fmt.Errorf("load client: %w", err))
		return
	}
	err = s.post(ctx, d, c)
	switch {
	case err == nil:
		s.finish(book, d, resultSent, "")
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		s.release(book, d)
	default:
		s.retry(book, d, err)
	}
}

// release hands a claimed delivery back, due now, without counting an
// attempt: this instance is shutting down.
func (s *Service) release(ctx context.Context, d *store.LogoutDelivery) {
	if err := s.o.Store.RetryLogout(ctx, d, s.o.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.ErrorContext(ctx, "hand back back-channel logout", "client", d.ClientID, "err", err)
	}
}

// post sends the logout token as §2.5 asks: a form POST with
// logout_token; the relying party answers 200 (any 2xx is taken).
func (s *Service) post(ctx context.Context, d *store.LogoutDelivery, c *store.Client) error {
	tok, err := s.token(d, c, s.o.Now())
	if err != nil {
		return fmt.Errorf("sign logout token: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BackchannelLogoutURI,
		strings.NewReader(url.Values{"logout_token": {tok}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.o.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("relying party answered %s", resp.Status)
	}
	return nil
}

// retry schedules the next attempt, or drops the delivery when that would
// fall after its deadline.
func (s *Service) retry(ctx context.Context, d *store.LogoutDelivery, cause error) {
	d.Attempts++
	d.LastError = cause.Error()
	next := s.o.Now().Add(s.backoff(d.Attempts))
	if next.After(d.Deadline) {
		s.finish(ctx, d, resultDropped, cause.Error())
		return
	}
	s.metrics.deliveries.WithLabelValues(resultFailed).Inc()
	s.log.WarnContext(ctx, "back-channel logout failed; will retry", "client", d.ClientID, "attempt", d.Attempts, "retry_at", next, "err", cause)
	if err := s.o.Store.RetryLogout(ctx, d, next); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.ErrorContext(ctx, "schedule back-channel logout retry", "client", d.ClientID, "err", err)
	}
}

// backoff is the wait before attempt n+1: base·2^(n-1), at most maxWait.
func (s *Service) backoff(n int) time.Duration {
	d := s.base
	for i := 1; i < n && d < s.maxWait; i++ {
		d *= 2
	}
	return min(d, s.maxWait)
}

// finish removes the delivery for good and records why.
func (s *Service) finish(ctx context.Context, d *store.LogoutDelivery, result, why string) {
	if err := s.o.Store.FinishLogout(ctx, d.ID, s.o.RetryFor+time.Hour); err != nil {
		// It stays queued and leased: sent again after the lease, which
		// only a store outage at this instant causes.
		s.log.ErrorContext(ctx, "finish back-channel logout", "client", d.ClientID, "err", err)
	}
	s.metrics.deliveries.WithLabelValues(result).Inc()
	e := audit.Event{Type: audit.BackchannelLogout, Action: "logout.deliver", Outcome: audit.Success, Reason: d.Reason,
		Client: d.ClientID, Principal: d.Subject, After: map[string]any{"jti": d.ID, "attempts": d.Attempts + 1}}
	if result == resultSent {
		s.log.InfoContext(ctx, "back-channel logout sent", "client", d.ClientID, "reason", d.Reason, "attempts", d.Attempts+1)
	} else {
		e.Outcome, e.After["error"] = audit.Failure, why
		e.After["attempts"] = d.Attempts
		s.log.WarnContext(ctx, "back-channel logout dropped", "client", d.ClientID, "reason", d.Reason, "attempts", d.Attempts, "err", why)
	}
	s.audit(ctx, e)
}
