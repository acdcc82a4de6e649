package ops

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// AllowFrames adds a frame-src listing exactly the origins of urls to the
// CSP set on h (by SecurityHeaders), for this response only: the
// logged-out page frames the front-channel logout URIs of the relying
// parties the user leaves, and no other origin. URLs must already be
// validated (registered logout URIs); one that does not parse, or whose
// host could end the directive, is left out.
func AllowFrames(h http.Header, urls ...string) {
	var origins []string
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(u.Host, " ;,'\"") {
			continue
		}
		if o := u.Scheme + "://" + u.Host; !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	csp := h.Get("Content-Security-Policy")
	if len(origins) == 0 || csp == "" {
		return
	}
	h.Set("Content-Security-Policy", csp+"; frame-src "+strings.Join(origins, " "))
}
