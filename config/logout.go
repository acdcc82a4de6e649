package config

import "time"

// Logout configures the logout messages the broker sends relying parties.
type Logout struct {
	// BackchannelRetryFor is how long a back-channel logout token is
	// retried (with exponential backoff) while its relying party does not
	// accept it; default 24h.
	BackchannelRetryFor time.Duration `yaml:"backchannel_retry_for"`
}

func (l Logout) validate(ps *Problems) {
	positive(ps, "logout.backchannel_retry_for", l.BackchannelRetryFor)
}

// validateLogout checks the client's logout URIs like redirect URIs of a
// web client (https, or http on a loopback host), whatever its type: the
// broker POSTs to the one and a browser frames the other.
func (c Client) validateLogout(path string, ps *Problems) {
	for _, f := range []struct {
		name, uri       string
		sessionRequired bool
	}{
		{"backchannel_logout", c.BackchannelLogoutURI, c.BackchannelLogoutSessionRequired},
		{"frontchannel_logout", c.FrontchannelLogoutURI, c.FrontchannelLogoutSessionRequired},
	} {
		switch {
		case f.uri != "":
			validateRedirectURI(f.uri, "web", key(path, f.name+"_uri"), ps)
		case f.sessionRequired:
			ps.add(key(path, f.name+"_session_required"), "needs %s_uri", f.name)
		}
	}
}
