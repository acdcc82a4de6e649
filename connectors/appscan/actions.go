package appscan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// appSession is an authenticated app user: the verified token, the person
// behind it and the name of the app login (its grant).
type appSession struct {
	token     connectors.AccessToken
	person    connectors.Account
	id        string // appSessionID(token)
	device    string // the registered device key that signed the request, if any
	ip        string // of the app's request, for the audit trail
	userAgent string
}

// apiError is an answer of the app API: RFC 6750 style error and
// description with its HTTP status.
type apiError struct {
	Status      int
	Code        string
	Description string
	Err         error // cause, for logs only
	// NoToken: the request carried no access token at all, so the
	// challenge names no error (RFC 6750 §3.1).
	NoToken bool
	// DPoP: the refusal is of a DPoP proof (a DPoP challenge).
	DPoP bool
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Description) }

// internal turns a failure of the broker's services into 503 or 500.
func internal(err error) *apiError {
	if errors.Is(err, connectors.ErrUnavailable) {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "the service is temporarily unavailable", Err: err}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "server_error", Description: "internal error", Err: err}
}

// ScanView is what the app shows before the user agrees: who asks, from
// where, and when (docs/appscan.md#qr-phishing: QR phishing is only caught by the
// user comparing this with what they are doing).
type ScanView struct {
	QRID        string    `json:"qr_id"`
	State       string    `json:"state"`
	ClientID    string    `json:"client_id"`
	ClientName  string    `json:"client_name"`
	Browser     Browser   `json:"browser"`
	RequestedAt time.Time `json:"requested_at"`
	ScannedAt   time.Time `json:"scanned_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Browser is the requesting browser as the broker saw it.
type Browser struct {
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
}

// refusal explains why a step did not apply to s, as the app API answers
// it: 410 once expired, 403 when another app session scanned it, 409 for
// any other state.
func (c *Connector) refusal(s *connectors.QRSession, a appSession, action string) *apiError {
	st := c.state(s)
	switch {
	case st == connectors.CrossDeviceExpired:
		return &apiError{Status: http.StatusGone, Code: "expired", Description: "the QR code has expired"}
	case s.AppSession != "" && s.AppSession != a.id:
		return &apiError{Status: http.StatusForbidden, Code: "access_denied", Description: "another app session scanned this QR code"}
	case st == connectors.CrossDeviceWaiting:
		return &apiError{Status: http.StatusConflict, Code: "not_scanned", Description: "scan the QR code before you " + action + " it"}
	}
	return &apiError{Status: http.StatusConflict, Code: "wrong_state", Description: "the QR code is " + st}
}

func (c *Connector) load(ctx context.Context, id string) (*connectors.QRSession, *apiError) {
	s, err := c.svc.GetQR(ctx, id)
	switch {
	case errors.Is(err, connectors.ErrNotFound):
		return nil, &apiError{Status: http.StatusNotFound, Code: "not_found", Description: "no such QR code"}
	case err != nil:
		return nil, internal(err)
	}
	return s, nil
}

// scan moves a waiting session to scanned for app session a and returns the
// request for the confirmation screen. Scanning again with the same app
// session answers the same; any other app session is refused.
func (c *Connector) scan(ctx context.Context, id string, a appSession) (_ ScanView, aerr *apiError) {
	var s *connectors.QRSession
	defer func() { c.auditStep(ctx, "scan", id, a, s, aerr) }()
	s, aerr = c.load(ctx, id)
	if aerr != nil {
		return ScanView{}, aerr
	}
	req, err := decodeRequest(s)
	if err != nil {
		return ScanView{}, &apiError{Status: http.StatusNotFound, Code: "not_found", Description: "no such QR code", Err: err}
	}
	if req.MinACR != "" && c.rank(a.token.ACR) < c.rank(req.MinACR) {
		c.log.InfoContext(ctx, "appscan scan refused", "connector", c.ID(), "qr", short(id), "reason", "acr", "person_id", a.person.PersonID)
		return ScanView{}, &apiError{Status: http.StatusForbidden, Code: "insufficient_user_authentication",
			Description: "this sign-in needs a stronger login in the app (acr " + req.MinACR + ")"}
	}
	now := c.now()
	rec, err := json.Marshal(scanRecord{Subject: a.person.PersonID, Masked: ids.MaskName(a.person.Name), AMR: a.token.AMR,
		ACR: a.token.ACR, ClientID: a.token.ClientID, At: now.Unix(), Device: a.device})
	if err != nil {
		return ScanView{}, internal(err)
	}
	cur, err := c.svc.UpdateQR(ctx, id, connectors.QRUpdate{From: []string{connectors.CrossDeviceWaiting}, To: connectors.CrossDeviceScanned,
		AppSession: a.id, AppData: rec})
	switch {
	case errors.Is(err, connectors.ErrConflict) && cur != nil:
		if c.state(cur) != connectors.CrossDeviceScanned || cur.AppSession != a.id {
			s = cur
			return ScanView{}, c.refusal(cur, a, "scan")
		}
		s = cur // scanned before by this app session: the same answer again
	case errors.Is(err, connectors.ErrNotFound):
		return ScanView{}, &apiError{Status: http.StatusGone, Code: "expired", Description: "the QR code has expired"}
	case err != nil:
		return ScanView{}, internal(err)
	default:
		s = cur
		c.log.InfoContext(ctx, "appscan scanned", "connector", c.ID(), "qr", short(id), "person_id", a.person.PersonID,
			"app_client", a.token.ClientID, "remote_ip", req.RemoteIP)
	}
	name, err := c.svc.ClientName(ctx, req.ClientID)
	if err != nil && !errors.Is(err, connectors.ErrNotFound) {
		return ScanView{}, internal(err)
	}
	if name == "" {
		name = req.ClientID
	}
	v := ScanView{QRID: id, State: connectors.CrossDeviceScanned, ClientID: req.ClientID, ClientName: name,
		Browser: Browser{IP: req.RemoteIP, UserAgent: req.UserAgent}, RequestedAt: s.ExpiresAt.Add(-c.cfg.Lifetime).UTC(), ExpiresAt: s.ExpiresAt.UTC()}
	if sc, ok := decodeScan(s); ok {
		v.ScannedAt = unixTime(sc.At)
	}
	return v, nil
}

// decide moves a scanned session to confirmed or cancelled, only for the
// app session that scanned it.
func (c *Connector) decide(ctx context.Context, id string, a appSession, to, action string) (aerr *apiError) {
	cur, err := c.svc.UpdateQR(ctx, id, connectors.QRUpdate{From: []string{connectors.CrossDeviceScanned}, To: to, AppSession: a.id})
	defer func() { c.auditStep(ctx, action, id, a, cur, aerr) }()
	switch {
	case errors.Is(err, connectors.ErrConflict) && cur != nil:
		aerr = c.refusal(cur, a, action)
		c.log.InfoContext(ctx, "appscan "+action+" refused", "connector", c.ID(), "qr", short(id), "reason", aerr.Code, "person_id", a.person.PersonID)
		return aerr
	case errors.Is(err, connectors.ErrNotFound):
		return &apiError{Status: http.StatusNotFound, Code: "not_found", Description: "no such QR code"}
	case err != nil:
		return internal(err)
	}
	c.log.InfoContext(ctx, "appscan "+to, "connector", c.ID(), "qr", short(id), "person_id", a.person.PersonID, "app_client", a.token.ClientID)
	return nil
}

// auditTypes are the audit event types of the app's steps.
var auditTypes = map[string]string{
	"scan": connectors.AuditQRScan, "confirm": connectors.AuditQRConfirm, "cancel": connectors.AuditQRCancel,
}

// auditStep puts an app user's step into the broker's audit trail: who
// (the person, by broker ID), for which relying party and browser, from
// where, and whether it was refused and why. s is the session as the step
// found or left it (nil when there is none). Server errors are outages,
// not steps. A failing trail does not fail the step, as with the broker's
// own events: it is logged.
func (c *Connector) auditStep(ctx context.Context, action, id string, a appSession, s *connectors.QRSession, aerr *apiError) {
	if aerr != nil && aerr.Status >= http.StatusInternalServerError {
		return
	}
	e := connectors.AuditEvent{Type: auditTypes[action], Outcome: connectors.AuditSuccess, Connector: c.ID(), PersonID: a.person.PersonID,
		IP: a.ip, UserAgent: a.userAgent, Details: map[string]string{"qr": short(id), "app_client": a.token.ClientID}}
	if aerr != nil {
		e.Outcome, e.Reason = connectors.AuditDenied, aerr.Code
	}
	if a.device != "" {
		e.Details["device_key"] = a.device
	}
	if s != nil {
		if req, err := decodeRequest(s); err == nil {
			e.ClientID, e.Details["browser_ip"] = req.ClientID, req.RemoteIP
		}
	}
	if err := c.svc.Audit(ctx, e); err != nil {
		c.log.ErrorContext(ctx, "appscan audit write failed", "connector", c.ID(), "type", e.Type, "err", err)
	}
}
