package config

import (
	"net/url"
	"strings"
)

// validateRedirectURI checks a registered redirect (or post-logout
// redirect) URI. They are compared exactly at run time, so none may hold a
// wildcard.
//
//   - Web clients: https, or http on a loopback host for development.
//   - Native clients (RFC 8252 §7): http on a loopback IP, any port at run
//     time (§7.3); a private-use scheme in reverse-domain form (§7.1), such
//     as cn.gov.gjj.desktop:/callback; or a claimed https URL (§7.2).
func validateRedirectURI(raw, appType, path string, ps *Problems) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		ps.add(path, "must be an absolute URL, got %q", raw)
		return
	}
	if strings.Contains(raw, "#") {
		ps.add(path, "must not have a fragment (RFC 6749 §3.1.2)")
	}
	if strings.Contains(raw, "*") {
		ps.add(path, "must not contain a wildcard '*': redirect URIs are matched exactly")
	}
	native := appType == "native"
	switch u.Scheme {
	case "https", "http":
		switch {
		case u.Host == "":
			ps.add(path, "must be an absolute URL with a host, got %q", raw)
		case u.Scheme == "https" || isLoopback(u.Hostname()):
		case native:
			ps.add(path, "must use https, or http only on a loopback host such as http://127.0.0.1/callback (RFC 8252 §7.3)")
		default:
			ps.add(path, "must use https (http is allowed only for http://127.0.0.1, http://[::1] or http://localhost)")
		}
	default:
		switch {
		case !native:
			ps.add(path, "must use https (http is allowed only for http://127.0.0.1, http://[::1] or http://localhost); custom schemes need application_type: native")
		case !strings.Contains(u.Scheme, "."):
			ps.add(path, "a private-use scheme must be a reverse domain name containing '.', e.g. cn.gov.gjj.desktop:/callback (RFC 8252 §7.1)")
		}
	}
}
