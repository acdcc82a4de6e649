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

// hostOf gathers the capabilities from deps, or says which one the host
// did not give.
func hostOf(deps connectors.Deps, id string) (host, error) {
	err := deps.Require(Type, id, connectors.NeedAudit, connectors.NeedQR, connectors.NeedCounters, connectors.NeedValues,
		connectors.NeedTokens, connectors.NeedClients, connectors.NeedAccounts, connectors.NeedIDHashKey)
	return host{deps.Audit, deps.QR, deps.Counters, deps.Values, deps.Tokens, deps.Clients, deps.Accounts}, err
}
