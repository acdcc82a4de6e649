package config

import "time"

// Pages configures the broker's own pages for people: 单位登录权限管理 at
// /unit and 我的账号 at /account. They sign in through the broker's own
// code flow and keep a short session of their own.
type Pages struct {
	// IdleTimeout ends a page session unused this long; default 15m.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// Lifetime ends a page session this long after its sign-in, used or
	// not; default 8h.
	Lifetime time.Duration `yaml:"lifetime"`
	StepUp   StepUp        `yaml:"step_up"`
}

// StepUp says how fresh and how strong a sign-in sensitive changes need;
// an older or weaker session is sent through a new login first.
type StepUp struct {
	// MaxAge is how long ago the sign-in may have been; default 10m.
	MaxAge time.Duration `yaml:"max_age"`
	// The assurance level (acr) each sensitive change needs; default
	// gjj:loa:2 for each.
	AddAgent        string `yaml:"add_agent"`
	ResetPassword   string `yaml:"reset_password"`
	BindCertificate string `yaml:"bind_certificate"`
}

// acrLevels are the broker's assurance levels, weakest first (the login's
// connectors declare one of them).
var acrLevels = []string{"gjj:loa:1", "gjj:loa:2", "gjj:loa:3"}

func (p *Pages) applyDefaults() {
	setDefault(&p.IdleTimeout, 15*time.Minute)
	setDefault(&p.Lifetime, 8*time.Hour)
	setDefault(&p.StepUp.MaxAge, 10*time.Minute)
	setDefault(&p.StepUp.AddAgent, "gjj:loa:2")
	setDefault(&p.StepUp.ResetPassword, "gjj:loa:2")
	setDefault(&p.StepUp.BindCertificate, "gjj:loa:2")
}

func (p Pages) validate(ps *Problems) {
	positive(ps, "pages.idle_timeout", p.IdleTimeout)
	positive(ps, "pages.lifetime", p.Lifetime)
	positive(ps, "pages.step_up.max_age", p.StepUp.MaxAge)
	if p.IdleTimeout > p.Lifetime && p.Lifetime > 0 {
		ps.add("pages.idle_timeout", "must be at most pages.lifetime (%v)", p.Lifetime)
	}
	oneOf(ps, "pages.step_up.add_agent", p.StepUp.AddAgent, acrLevels...)
	oneOf(ps, "pages.step_up.reset_password", p.StepUp.ResetPassword, acrLevels...)
	oneOf(ps, "pages.step_up.bind_certificate", p.StepUp.BindCertificate, acrLevels...)
}
