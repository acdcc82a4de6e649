// Package redirecturi is the one rule for registered redirect and
// post-logout redirect URIs, used alike by the configuration file, the
// admin API, the staff console and dynamic registration (a leaf package so
// config and broker/clients can both import it).
//
// The rule: https everywhere; http only on a loopback host — 127.0.0.1,
// [::1] or localhost — for any client type, which is what developers of
// Keycloak and Dex clients expect for local work; private-use schemes in
// reverse-domain form (RFC 8252 §7.1) for native clients only. URIs are
// compared exactly at run time, so none may hold a wildcard or fragment.
package redirecturi

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// MaxLength bounds a URI.
const MaxLength = 2000

// LoopbackHost reports whether host (without port or brackets) is one of
// the loopback names http is allowed on.
func LoopbackHost(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}

// Problem says what is wrong with raw as a redirect URI of a native or web
// client, or "" when it is acceptable.
func Problem(raw string, native bool) string {
	switch {
	case raw == "":
		return "must not be empty"
	case len(raw) > MaxLength:
		return "must be at most " + strconv.Itoa(MaxLength) + " characters"
	case strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		return "must not contain spaces or control characters"
	case strings.Contains(raw, "#"):
		return "must not have a fragment (RFC 6749 §3.1.2)"
	case strings.Contains(raw, "*"):
		return "must not contain a wildcard '*': redirect URIs are matched exactly"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "must be an absolute URL, got " + strconv.Quote(raw)
	}
	if u.User != nil {
		return "must not contain user info (user:password@)"
	}
	switch u.Scheme {
	case "https", "http":
		switch {
		case u.Host == "" || u.Hostname() == "":
			return "must be an absolute URL with a host, got " + strconv.Quote(raw)
		case u.Scheme == "https" || LoopbackHost(u.Hostname()):
			return ""
		}
		return "must use https, or http only on a loopback host (http://127.0.0.1, http://[::1] or http://localhost)"
	default:
		switch {
		case !native:
			return "must use https, or http only on a loopback host (http://127.0.0.1, http://[::1] or http://localhost); custom schemes need application_type: native"
		case !strings.Contains(u.Scheme, "."):
			return "a private-use scheme must be a reverse domain name containing '.', e.g. cn.gov.gjj.desktop:/callback (RFC 8252 §7.1)"
		}
		return ""
	}
}
