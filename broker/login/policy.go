package login

import (
	"slices"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// Assurance levels, weakest first. A connector declares the level its
// logins reach; a client's acr_values asks for at least one of them.
const (
	ACRLow         = "gjj:loa:1" // password, SMS code
	ACRSubstantial = "gjj:loa:2" // app confirmation, verified provincial login
	ACRHigh        = "gjj:loa:3" // unit certificate on a hardware key
)

// ACRLevels lists the levels in order.
var ACRLevels = []string{ACRLow, ACRSubstantial, ACRHigh}

func acrRank(acr string) int { return slices.Index(ACRLevels, acr) }

// minACR is the weakest level the request accepts (OIDC Core §3.1.2.1:
// acr_values are voluntary; unknown values are ignored). -1 means any.
func minACR(values []string) int {
	m := -1
	for _, v := range values {
		if r := acrRank(v); r >= 0 && (m < 0 || r < m) {
			m = r
		}
	}
	return m
}

// acrSatisfies reports whether have meets the request's acr_values.
func acrSatisfies(have string, values []string) bool {
	m := minACR(values)
	return m < 0 || acrRank(have) >= m
}

// sessionSatisfies decides whether an existing SSO session may answer r
// without asking the user again: not after prompt=login, within max_age,
// strong enough, and through a connector the client allows.
func sessionSatisfies(s *store.Session, r *store.AuthRequest, allowed func(idp string) bool, now time.Time) bool {
	if s == nil || !now.Before(s.ExpiresAt) {
		return false
	}
	if slices.Contains(r.Prompt, "login") || slices.Contains(r.Prompt, "select_account") {
		return false
	}
	if r.MaxAge != nil && now.Sub(s.Auth.AuthTime) > time.Duration(*r.MaxAge)*time.Second {
		return false
	}
	if !acrSatisfies(s.Auth.ACR, r.ACRValues) {
		return false
	}
	return allowed(s.Auth.IDP)
}
