package appscan

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// The app API. Every call carries the app user's own access token
// (Authorization: Bearer), issued by the broker to one of app_clients;
// scan, confirm and cancel may also be signed with a registered device key
// (device.go), and must be with require_device_signature.
//
//	POST /api/v1/qr/{id}/scan     → 200 ScanView
//	POST /api/v1/qr/{id}/confirm  → 200 {"qr_id", "state": "confirmed"}
//	POST /api/v1/qr/{id}/cancel   → 200 {"qr_id", "state": "cancelled"}
//	POST /api/v1/qr/devices       {"public_key": base64 SPKI} → 201 {"device_key_id", "expires_at"}
//	DELETE /api/v1/qr/devices/{device_key_id} → 204 (the caller's own key; 404 for any other)
//
// Errors are {"error", "error_description"}: 401 invalid_token (with
// WWW-Authenticate: Bearer), 403, 404, 409 (wrong state), 410 (expired),
// 429, 503.
const apiPrefix = "/api/v1/qr/"

func (c *Connector) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+apiPrefix+"{id}/scan", c.apiScan)
	mux.HandleFunc("POST "+apiPrefix+"{id}/confirm", c.apiDecide(connectors.CrossDeviceConfirmed, "confirm"))
	mux.HandleFunc("POST "+apiPrefix+"{id}/cancel", c.apiDecide(connectors.CrossDeviceCancelled, "cancel"))
	mux.HandleFunc("POST "+apiPrefix+"devices", c.apiRegisterDevice)
	mux.HandleFunc("DELETE "+apiPrefix+"devices/{kid}", c.apiDeleteDevice)
	mux.HandleFunc(apiPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "not_found", Description: "no such endpoint"})
	})
	if c.cfg.DevAppPage {
		mux.HandleFunc("GET "+devPath, c.devPage)
		mux.HandleFunc("POST "+devPath+"/{action}", c.devAction)
	}
	return mux
}

func (c *Connector) apiScan(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, aerr := c.authenticate(r, id, "scan")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	v, aerr := c.scan(r.Context(), id, a)
	if aerr != nil {
		c.logAPIError(r.Context(), aerr)
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (c *Connector) apiDecide(to, action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		a, aerr := c.authenticate(r, id, action)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		if aerr := c.decide(r.Context(), id, a, to, action); aerr != nil {
			c.logAPIError(r.Context(), aerr)
			writeError(w, aerr)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"qr_id": id, "state": to})
	}
}

// authenticate checks the bearer token, that it belongs to the app, the
// per-user rate limit, the person and, for a QR action, the device
// signature.
func (c *Connector) authenticate(r *http.Request, qrID, action string) (appSession, *apiError) {
	ctx := r.Context()
	tok, err := c.svc.VerifyRequestToken(ctx, r)
	switch {
	case errors.Is(err, connectors.ErrNoToken):
		return appSession{}, &apiError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "an access token of the app is required (Authorization: Bearer or DPoP)", NoToken: true}
	case errors.Is(err, connectors.ErrInvalidProof):
		return appSession{}, &apiError{Status: http.StatusUnauthorized, Code: "invalid_dpop_proof", Description: "the DPoP proof is invalid for this request and token", Err: err, DPoP: true}
	case errors.Is(err, connectors.ErrInvalidToken):
		return appSession{}, &apiError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the access token is invalid, expired or revoked", Err: err}
	case err != nil:
		return appSession{}, internal(err)
	case !slices.Contains(c.cfg.AppClients, tok.ClientID):
		// Tokens of relying parties must never confirm a login: a relying
		// party holding a user's token would sign in as that user elsewhere.
		c.log.WarnContext(ctx, "appscan API refused a token of another client", "connector", c.ID(), "client", tok.ClientID)
		return appSession{}, &apiError{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the access token was not issued to the app"}
	}
	n, err := c.svc.Incr(ctx, c.appKey(tok.Subject, c.now()), 2*time.Minute)
	if err != nil {
		return appSession{}, internal(err)
	}
	if n > int64(c.cfg.AppRateLimit) {
		return appSession{}, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited", Description: "too many requests; try again in a minute"}
	}
	p, err := c.svc.Person(ctx, tok.Subject)
	switch {
	case errors.Is(err, connectors.ErrUnknownAccount) || (err == nil && p.Disabled):
		return appSession{}, &apiError{Status: http.StatusForbidden, Code: "access_denied", Description: "this app account cannot confirm sign-ins", Err: err}
	case err != nil:
		return appSession{}, internal(err)
	}
	a := appSession{token: tok, person: p, id: appSessionID(tok), ip: remoteIP(r), userAgent: r.UserAgent()}
	if action != "" {
		if a.device, err = c.verifyDevice(r, a, qrID, action); err != nil {
			var aerr *apiError
			if errors.As(err, &aerr) {
				// A known person with a bad signature: worth a trace.
				c.auditStep(ctx, action, qrID, a, nil, aerr)
				return appSession{}, aerr
			}
			return appSession{}, internal(err)
		}
	}
	return a, nil
}

func (c *Connector) logAPIError(ctx context.Context, e *apiError) {
	if e.Status >= 500 {
		c.log.ErrorContext(ctx, "appscan API", "connector", c.ID(), "status", e.Status, "err", e.Err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers e; 401 carries the RFC 6750 §3 challenge.
func writeError(w http.ResponseWriter, e *apiError) {
	switch {
	case e.Status == http.StatusUnauthorized && e.NoToken:
		w.Header().Set("WWW-Authenticate", `Bearer realm="gjjid"`)
	case e.Status == http.StatusUnauthorized && e.DPoP:
		// RFC 9449 §7.1: the DPoP challenge names the error.
		w.Header().Set("WWW-Authenticate", `DPoP error="`+e.Code+`", error_description="`+e.Description+`"`)
	case e.Status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="gjjid", error="invalid_token", error_description="`+e.Description+`"`)
	}
	switch e.Status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "60")
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

// remoteIP is the caller's IP as the broker determined it (trusted proxies
// considered), else the connection's peer.
func remoteIP(r *http.Request) string {
	if ip := connectors.RemoteIP(r.Context()); ip != "" {
		return ip
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
