package login

import (
	"net/http"

	"github.com/gjjid/gjjid/connectors"
)

// The login's refusal pages answer with one family of statuses:
//
//   - 400 Bad Request: a malformed or misused request (unknown or used
//     state, a stale challenge, a form without its certificate, no unit
//     chosen);
//   - 403 Forbidden: a refusal, whether of the credentials or certificate
//     presented (RFC 9110 §15.5.4: "the server considers them insufficient
//     to grant access"), of the user at the upstream, or by policy (not
//     bound, no account, too weak a method, a cross-site form);
//   - 429 Too Many Requests: a rate limit;
//   - 502 Bad Gateway: an upstream that failed.
//
// Not 401: it requires a WWW-Authenticate challenge (RFC 9110 §15.5.2),
// which a login form is not. The same refusal answers the same status on
// every page that shows it (the form re-rendered, the challenge page, the
// mTLS listener's error page).
const (
	statusMalformed = http.StatusBadRequest
	statusRefused   = http.StatusForbidden
)

// refusalStatus is the status of a page showing a connector's refusal.
func refusalStatus(le *connectors.LoginError) int {
	switch le.Code {
	case "rate_limited":
		return http.StatusTooManyRequests
	case "upstream_unavailable":
		return http.StatusBadGateway
	}
	return statusRefused
}
