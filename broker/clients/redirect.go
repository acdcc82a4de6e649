package clients

import (
	"net/url"
	"strings"
	"unicode"
)

// validateURIs checks redirect (or post-logout redirect) URIs. The
// provider compares them exactly, so none may hold a wildcard.
//
//   - Web clients: https only. (The configuration file also allows http on
//     loopback for development; the APIs do not.)
//   - Native clients (RFC 8252 §7): https (§7.2 claimed URLs); http only on
//     the loopback IP literals 127.0.0.1 and [::1], any port at run time
//     (§7.3), not "localhost", which may resolve elsewhere (§8.3); or a
//     private-use scheme in reverse-domain form such as
//     cn.gov.gjj.desktop:/callback (§7.1), as the configuration allows.
func validateURIs(field, code string, uris []string, appType string, ps *problems) {
	validateList(field, uris, ps)
	for i, raw := range uris {
		if msg := redirectProblem(raw, appType == AppNative); msg != "" {
			ps.add(index(field, i), code, "%s", msg)
		}
	}
}

// redirectProblem says what is wrong with one URI, or "".
func redirectProblem(raw string, native bool) string {
	switch {
	case raw == "":
		return "must not be empty"
	case len(raw) > maxURILength:
		return "must be at most 2000 characters"
	case strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		return "must not contain spaces or control characters"
	case strings.Contains(raw, "#"):
		return "must not have a fragment (RFC 6749 §3.1.2)"
	case strings.Contains(raw, "*"):
		return "must not contain a wildcard '*': redirect URIs are matched exactly"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "must be an absolute URL, got " + quote(raw)
	}
	if u.User != nil {
		return "must not contain user info (user:password@)"
	}
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" || u.Hostname() == "" {
			return "must be an absolute URL with a host, got " + quote(raw)
		}
		if u.Scheme == "https" {
			return ""
		}
		h := u.Hostname()
		switch {
		case !native:
			return "must use https"
		case h == "127.0.0.1" || h == "::1":
			return ""
		case strings.EqualFold(h, "localhost"):
			return "must use the loopback IP literal http://127.0.0.1 or http://[::1], not localhost, which may resolve elsewhere (RFC 8252 §8.3)"
		default:
			return "must use https, or http only on http://127.0.0.1 or http://[::1] (RFC 8252 §7.3)"
		}
	default:
		switch {
		case !native:
			return "must use https; custom schemes need application_type native"
		case !strings.Contains(u.Scheme, "."):
			return "a private-use scheme must be a reverse domain name containing '.', e.g. cn.gov.gjj.desktop:/callback (RFC 8252 §7.1)"
		}
		return ""
	}
}
