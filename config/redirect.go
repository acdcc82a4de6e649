package config

import "github.com/gjjid/gjjid/broker/clients/redirecturi"

// validateRedirectURI checks a registered redirect (or post-logout
// redirect) URI by the rule the admin API, the staff console and dynamic
// registration apply too (package redirecturi): https, http only on
// 127.0.0.1, [::1] or localhost, private-use schemes for native clients.
func validateRedirectURI(raw, appType, path string, ps *Problems) {
	if msg := redirecturi.Problem(raw, appType == "native"); msg != "" {
		ps.add(path, "%s", msg)
	}
}
