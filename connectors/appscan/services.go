package appscan

import "github.com/gjjid/gjjid/connectors"

// host is what the connector uses of the broker, gathered from
// connectors.Deps: QR sessions with wake-ups on every instance, counters
// (rate limits), values (device keys, used nonces), verification of the
// app user's access token, client names for the confirmation screen,
// persons, and the audit trail for the app's steps. Errors wrap the
// contract's (connectors.ErrNotFound, ErrConflict, ErrInvalidToken,
// ErrUnavailable, ErrUnknownAccount) as each capability documents.
type host struct {
	connectors.Auditor
	connectors.QRSessions
	connectors.Counters
	connectors.Values
	connectors.TokenVerifier
	connectors.ClientNames
	connectors.Accounts
}

// hostOf gathers the capabilities from deps; the name of the first one
// missing, or "".
func hostOf(deps connectors.Deps) (host, string) {
	h := host{deps.Audit, deps.QR, deps.Counters, deps.Values, deps.Tokens, deps.Clients, deps.Accounts}
	switch {
	case h.Auditor == nil:
		return h, "Audit"
	case h.QRSessions == nil:
		return h, "QR"
	case h.Counters == nil:
		return h, "Counters"
	case h.Values == nil:
		return h, "Values"
	case h.TokenVerifier == nil:
		return h, "Tokens"
	case h.ClientNames == nil:
		return h, "Clients"
	case h.Accounts == nil:
		return h, "Accounts"
	case len(deps.Secrets.IDHashKey) == 0:
		return h, "Secrets.IDHashKey"
	}
	return h, ""
}
