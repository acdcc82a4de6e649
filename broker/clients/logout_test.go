package clients_test

import (
	"testing"

	"github.com/gjjid/gjjid/broker/clients"
)

// TestLogoutURIValidation: logout URIs follow the redirect URI rules,
// https or http on a loopback IP literal for any application type.
func TestLogoutURIValidation(t *testing.T) {
	t.Parallel()
	back := func(uri string, session bool) clients.Metadata {
		return with(webClient(), func(m *clients.Metadata) { m.BackchannelLogoutURI, m.BackchannelLogoutSessionRequired = uri, session })
	}
	front := func(uri string, session bool) clients.Metadata {
		return with(webClient(), func(m *clients.Metadata) { m.FrontchannelLogoutURI, m.FrontchannelLogoutSessionRequired = uri, session })
	}
	tests := []struct {
		name  string
		m     clients.Metadata
		field string // "" accepted
	}{
		{"back-channel https", back("https://dk.example.cn/oidc/backchannel", true), ""},
		{"back-channel http loopback", back("http://127.0.0.1:8080/backchannel", false), ""},
		{"back-channel http refused", back("http://dk.example.cn/backchannel", false), "backchannel_logout_uri"},
		{"back-channel localhost refused", back("http://localhost/backchannel", false), "backchannel_logout_uri"},
		{"back-channel fragment refused", back("https://dk.example.cn/bc#x", false), "backchannel_logout_uri"},
		{"back-channel custom scheme refused", back("cn.gov.gjj.app:/bc", false), "backchannel_logout_uri"},
		{"back-channel relative refused", back("/bc", false), "backchannel_logout_uri"},
		{"back-channel session without URI refused", back("", true), "backchannel_logout_uri"},
		{"front-channel https with query", front("https://wt.example.cn/logout?from=sso", true), ""},
		{"front-channel http refused", front("http://wt.example.cn/logout", false), "frontchannel_logout_uri"},
		{"front-channel wildcard refused", front("https://*.example.cn/logout", false), "frontchannel_logout_uri"},
		{"front-channel session without URI refused", front("", true), "frontchannel_logout_uri"},
	}
	s := newService(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := s.Create(t.Context(), tc.m, clients.CreateOptions{By: clients.Registration})
			fes := clients.FieldErrors(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.BackchannelLogoutURI != tc.m.BackchannelLogoutURI || c.FrontchannelLogoutURI != tc.m.FrontchannelLogoutURI ||
					c.BackchannelLogoutSessionRequired != tc.m.BackchannelLogoutSessionRequired ||
					c.FrontchannelLogoutSessionRequired != tc.m.FrontchannelLogoutSessionRequired {
					t.Fatalf("stored %+v, want the logout metadata of %+v", c, tc.m)
				}
				if got := clients.MetadataOf(c); got.BackchannelLogoutURI != c.BackchannelLogoutURI || got.FrontchannelLogoutSessionRequired != c.FrontchannelLogoutSessionRequired {
					t.Fatalf("MetadataOf lost the logout metadata: %+v", got)
				}
				return
			}
			if len(fes) != 1 || fes[0].Field != tc.field || fes[0].Code != clients.InvalidClientMetadata {
				t.Fatalf("errors %v, want one invalid_client_metadata for %s", err, tc.field)
			}
		})
	}
}
