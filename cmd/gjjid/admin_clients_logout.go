package main

import "github.com/gjjid/gjjid/broker/clients"

// applyLogout writes the logout flags the command line set into m.
func (f *clientFlags) applyLogout(m *clients.Metadata, set map[string]bool) {
	if set["backchannel-logout-uri"] {
		m.BackchannelLogoutURI = f.backchannel
	}
	if set["backchannel-logout-session-required"] {
		m.BackchannelLogoutSessionRequired = f.backchannelSession
	}
	if set["frontchannel-logout-uri"] {
		m.FrontchannelLogoutURI = f.frontchannel
	}
	if set["frontchannel-logout-session-required"] {
		m.FrontchannelLogoutSessionRequired = f.frontchannelSession
	}
}
