package config

import (
	"strings"
	"time"
)

// ApplyDefaults fills every unset (zero) setting with its default. It is
// idempotent. Per-client token lifetimes stay zero, meaning "use tokens.*".
func (c *Config) ApplyDefaults() {
	setDefault(&c.Listen.Addr, "127.0.0.1:5556")
	setDefault(&c.Listen.ShutdownTimeout, 15*time.Second)

	setDefault(&c.Store.Type, "memory")
	setDefault(&c.Store.Redis.KeyPrefix, "gjjid:")
	setDefault(&c.Store.Redis.Timeout, 2*time.Second)
	c.Store.Database.applyDefaults()

	setDefault(&c.Audit.Retention, 180*24*time.Hour)
	setDefault(&c.DPoP.ProofLifetime, 60*time.Second)
	setDefault(&c.PAR.RequestURILifetime, 60*time.Second)

	setDefault(&c.Keys.Algorithm, "ES256")
	setDefault(&c.Keys.RotationPeriod, 720*time.Hour)
	setDefault(&c.Keys.PublishAhead, 24*time.Hour)
	setDefault(&c.Keys.CheckInterval, time.Minute)

	setDefault(&c.Tokens.AccessTokenLifetime, 15*time.Minute)
	setDefault(&c.Tokens.IDTokenLifetime, time.Hour)
	setDefault(&c.Tokens.RefreshTokenLifetime, 720*time.Hour)
	setDefault(&c.Tokens.CodeLifetime, 60*time.Second)
	setDefault(&c.Tokens.AuthRequestLifetime, 10*time.Minute)

	setDefault(&c.Sessions.Lifetime, 8*time.Hour)
	setDefault(&c.Sessions.CookieName, "gjjid_session")
	if c.Sessions.CookieSecure == nil {
		secure := strings.HasPrefix(c.Issuer, "https://")
		c.Sessions.CookieSecure = &secure
	}

	setDefault(&c.Login.DefaultLocale, "zh-CN")
	setDefault(&c.Login.IPRateLimit, 30)
	c.Pages.applyDefaults()
	c.Staff.applyDefaults()

	setDefault(&c.Logout.BackchannelRetryFor, 24*time.Hour)

	setDefault(&c.Log.Level, "info")
	setDefault(&c.Log.Format, "json")
	c.Tracing.applyDefaults()

	for i := range c.Clients {
		cl := &c.Clients[i]
		setDefault(&cl.ApplicationType, "web")
		if cl.Public {
			setDefault(&cl.AuthMethod, "none")
		} else {
			setDefault(&cl.AuthMethod, "client_secret_basic")
		}
		if len(cl.GrantTypes) == 0 {
			cl.GrantTypes = []string{"authorization_code"}
		}
	}

	if c.Seed != nil {
		for i := range c.Seed.Persons {
			p := &c.Seed.Persons[i]
			setDefault(&p.IDType, "resident_id")
			if len(p.Roles) == 0 {
				p.Roles = []string{"operator"}
			}
		}
	}
}

// setDefault sets *v to def when *v is the zero value.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
