package clients

import "github.com/gjjid/gjjid/broker/clients/redirecturi"

// validateURIs checks redirect (or post-logout redirect) URIs by the one
// rule of package redirecturi: https, http only on 127.0.0.1, [::1] or
// localhost for any client type, private-use schemes for native clients.
func validateURIs(field, code string, uris []string, appType string, ps *problems) {
	validateList(field, uris, ps)
	for i, raw := range uris {
		if msg := redirecturi.Problem(raw, appType == AppNative); msg != "" {
			ps.add(index(field, i), code, "%s", msg)
		}
	}
}
