package config

import "time"

// Staff configures the fund's staff console at /admin and staff access to
// the admin API: how strong and how recent a staff sign-in must be, how
// long a console session lasts, and who the first administrators are.
type Staff struct {
	// ACR is the assurance level a staff sign-in must reach; default
	// gjj:loa:2 (app, certificate or verified provincial login, not a bare
	// 6-digit password).
	ACR string `yaml:"acr"`
	// IdleTimeout ends a console session unused this long; default 15m.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// Lifetime ends a console session this long after its sign-in; default 8h.
	Lifetime time.Duration `yaml:"lifetime"`
	// Admins are granted gjjid:admin at every start (granting is
	// idempotent; revoking them is done here, by removing them, and in the
	// console). Each names a person who exists by then (seed or admin API).
	Admins []StaffAdmin `yaml:"admins"`
}

// StaffAdmin names a first administrator by ID document.
type StaffAdmin struct {
	IDType   string `yaml:"id_type"` // default resident_id (居民身份证)
	IDNumber string `yaml:"id_number"`
}

func (s *Staff) applyDefaults() {
	setDefault(&s.ACR, "gjj:loa:2")
	setDefault(&s.IdleTimeout, 15*time.Minute)
	setDefault(&s.Lifetime, 8*time.Hour)
	for i := range s.Admins {
		setDefault(&s.Admins[i].IDType, "resident_id")
	}
}

func (s Staff) validate(ps *Problems) {
	oneOf(ps, "staff.acr", s.ACR, acrLevels...)
	positive(ps, "staff.idle_timeout", s.IdleTimeout)
	positive(ps, "staff.lifetime", s.Lifetime)
	if s.IdleTimeout > s.Lifetime && s.Lifetime > 0 {
		ps.add("staff.idle_timeout", "must be at most staff.lifetime (%v)", s.Lifetime)
	}
	seen := map[string]string{}
	for i, a := range s.Admins {
		path := index("staff.admins", i)
		switch {
		case a.IDNumber == "":
			ps.add(key(path, "id_number"), "required: the ID number of an existing person")
		case seen[a.IDType+"\x00"+a.IDNumber] != "":
			ps.add(key(path, "id_number"), "duplicate of %s", seen[a.IDType+"\x00"+a.IDNumber])
		default:
			seen[a.IDType+"\x00"+a.IDNumber] = path
		}
	}
}
