// Package staff holds the fund's staff roles: which broker role may do
// what, and the service that grants and revokes them. Staff are persons
// (they sign in like anybody else); a role is what sets them apart, and
// it is checked at the time of each call, so a revoked role takes effect
// on the next one.
package staff

import "slices"

// The broker roles. Each is also the OAuth scope a staff token carries to
// use it with the admin API.
const (
	RoleAdmin   = "gjjid:admin"   // everything
	RoleCounter = "gjjid:counter" // units, persons, agents, certificate bindings, unlock, password reset
	RoleAudit   = "gjjid:audit"   // read-only: the audit trail and dashboards
)

// Roles lists every role, strongest first.
var Roles = []string{RoleAdmin, RoleCounter, RoleAudit}

// Valid reports whether role is a broker role.
func Valid(role string) bool { return slices.Contains(Roles, role) }

// Area is a group of administration functions a role does or does not
// reach.
type Area string

// The areas of the admin API and the console.
const (
	AreaClients  Area = "clients"  // business systems (clients) and their secrets, registration
	AreaKeys     Area = "keys"     // signing keys
	AreaStaff    Area = "staff"    // who holds which role
	AreaAccounts Area = "accounts" // units, persons, agents, certificate and other links, revocation
	AreaAudit    Area = "audit"    // the audit trail and dashboards (read)
)

// reach is the role matrix: the areas each role reaches.
var reach = map[string][]Area{
	RoleAdmin:   {AreaClients, AreaKeys, AreaStaff, AreaAccounts, AreaAudit},
	RoleCounter: {AreaAccounts},
	RoleAudit:   {AreaAudit},
}

// Allows reports whether any of roles reaches area.
func Allows(roles []string, area Area) bool {
	for _, r := range roles {
		if slices.Contains(reach[r], area) {
			return true
		}
	}
	return false
}
