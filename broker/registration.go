package broker

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/registration"
)

// registrationEndpoint is the RFC 7591 endpoint discovery advertises; ""
// while registration is off.
func (b *Broker) registrationEndpoint() string {
	if !b.Config.Registration.Enabled {
		return ""
	}
	return registration.Endpoint(b.Config.Issuer)
}

// mountRegistration serves RFC 7591/7592 dynamic registration when the
// configuration enables it, next to the provider under the issuer's path.
func (b *Broker) mountRegistration(e *echo.Echo) {
	r := b.Config.Registration
	if !r.Enabled {
		return
	}
	var rec audit.Recorder
	if b.Audit != nil { // a nil *audit.Log must not become a non-nil Recorder
		rec = b.Audit
	}
	h := registration.New(registration.Options{Issuer: b.Config.Issuer, InitialAccessTokens: r.InitialAccessTokens,
		Clients: b.Clients, Audit: rec, Logger: b.log})
	h.Register(e, issuerPath(b.Config.Issuer))
}

// issuerPath is the issuer's path without a trailing slash ("" for none),
// under which the provider's routes live.
func issuerPath(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return ""
	}
	return "/" + strings.Trim(u.Path, "/")
}
