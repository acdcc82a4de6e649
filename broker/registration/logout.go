package registration

import (
	"github.com/gjjid/gjjid/broker/clients"
	"github.com/gjjid/gjjid/broker/store"
)

// logoutMetadata are the registration parameters of OpenID Connect
// Back-Channel Logout 1.0 §2.2 and Front-Channel Logout 1.0 §2, read in
// requests and answered in client information.
type logoutMetadata struct {
	BackchannelLogoutURI              string `json:"backchannel_logout_uri,omitempty"`
	BackchannelLogoutSessionRequired  bool   `json:"backchannel_logout_session_required,omitempty"`
	FrontchannelLogoutURI             string `json:"frontchannel_logout_uri,omitempty"`
	FrontchannelLogoutSessionRequired bool   `json:"frontchannel_logout_session_required,omitempty"`
}

func (l logoutMetadata) apply(m *clients.Metadata) {
	m.BackchannelLogoutURI, m.BackchannelLogoutSessionRequired = l.BackchannelLogoutURI, l.BackchannelLogoutSessionRequired
	m.FrontchannelLogoutURI, m.FrontchannelLogoutSessionRequired = l.FrontchannelLogoutURI, l.FrontchannelLogoutSessionRequired
}

func logoutMetadataOf(c *store.Client) logoutMetadata {
	return logoutMetadata{
		BackchannelLogoutURI: c.BackchannelLogoutURI, BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
		FrontchannelLogoutURI: c.FrontchannelLogoutURI, FrontchannelLogoutSessionRequired: c.FrontchannelLogoutSessionRequired,
	}
}
