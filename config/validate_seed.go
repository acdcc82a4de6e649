package config

import (
	"unicode/utf8"

	"github.com/gjjid/gjjid/broker/agentpassword"
)

// validate checks the seed's shape. Check digits (GB 32100 for unit ids,
// GB 11643 for resident ID numbers) are checked where accounts are created.
func (s Seed) validate(ps *Problems) {
	units := make(map[string]string) // unit id -> path of its first use
	for i, u := range s.Units {
		path := key(index("seed.units", i), "id")
		switch {
		case utf8.RuneCountInString(u.ID) != 18:
			ps.add(path, "must be an 18-character unified social credit code (统一社会信用代码), got %q", u.ID)
		case units[u.ID] != "":
			ps.add(path, "duplicate unit id %q (also %s)", u.ID, units[u.ID])
		default:
			units[u.ID] = index("seed.units", i)
		}
	}
	for i, p := range s.Persons {
		path := index("seed.persons", i)
		if p.IDNumber == "" {
			ps.add(key(path, "id_number"), "required")
		}
		// The rule the accounts service applies when serve seeds: a
		// password it refuses must fail the check, not the start.
		if err := agentpassword.Check(p.Password, p.IDNumber, p.Mobile); err != nil {
			ps.add(key(path, "password"), "%v", err)
		}
		for j, u := range p.Units {
			if units[u] == "" {
				ps.add(index(key(path, "units"), j), "unknown unit %q: list it under seed.units", u)
			}
		}
	}
}
