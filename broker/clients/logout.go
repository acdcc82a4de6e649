package clients

import (
	"strings"

	"github.com/gjjid/gjjid/broker/clients/redirecturi"

	"net/url"
)

// validateLogoutURIs checks backchannel_logout_uri and
// frontchannel_logout_uri by the rules of redirect URIs (absolute, no
// fragment, no wildcard), and: https, or http only on the loopback IP
// literals, whatever the application type; no private-use schemes, since
// the broker POSTs to the one and a browser frames the other. The
// "…_session_required" flags mean nothing without their URI.
func validateLogoutURIs(m Metadata, ps *problems) {
	for _, f := range []struct {
		field, uri      string
		sessionRequired bool
	}{
		{"backchannel_logout_uri", m.BackchannelLogoutURI, m.BackchannelLogoutSessionRequired},
		{"frontchannel_logout_uri", m.FrontchannelLogoutURI, m.FrontchannelLogoutSessionRequired},
	} {
		if f.uri == "" {
			if f.sessionRequired {
				ps.add(f.field, InvalidClientMetadata, "required when %s_session_required is true", f.field[:len(f.field)-4])
			}
			continue
		}
		if msg := logoutURIProblem(f.uri); msg != "" {
			ps.add(f.field, InvalidClientMetadata, "%s", msg)
		}
	}
}

// logoutURIProblem says what is wrong with a logout URI, or "".
func logoutURIProblem(raw string) string {
	if msg := redirecturi.Problem(raw, true); msg != "" {
		return msg
	}
	// The broker itself calls these URIs: localhost, which may resolve
	// elsewhere on the broker's host (RFC 8252 §8.3), is not accepted.
	if u, _ := url.Parse(raw); u.Scheme != "https" && (u.Scheme != "http" || strings.EqualFold(u.Hostname(), "localhost")) {
		return "must use https, or http only on http://127.0.0.1 or http://[::1]"
	}
	return ""
}
