package yamlconfig

import (
	"fmt"
	"net"
	"net/url"
)

// CheckURL accepts an absolute https URL without fragment or user info,
// and without a query unless query is true (an authorization endpoint
// may carry fixed parameters); http only on a loopback host (a local
// fake in development and tests).
func CheckURL(s string, query bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("must be an absolute URL such as https://example.cn/path, got %q", s)
	}
	if u.Fragment != "" || u.User != nil || (!query && u.RawQuery != "") {
		what := "fragment or user info"
		if !query {
			what = "query, " + what
		}
		return fmt.Errorf("must have no %s, got %q", what, s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("must be https (http only on 127.0.0.1, [::1] or localhost), got %q", s)
	}
	return fmt.Errorf("must be an https URL, got %q", s)
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
