package cas_test

import (
	"testing"

	"github.com/gjjid/gjjid/connectors/cas"
	"github.com/gjjid/gjjid/connectors/cas/castest"
)

// FuzzParseResponse: no answer makes the parser panic, and an accepted
// success always names a user and a failure a code.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>u</cas:user><cas:attributes><cas:a>1</cas:a><cas:a>2</cas:a></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`,
		`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_TICKET">x</cas:authenticationFailure></cas:serviceResponse>`,
		`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`,
		`<?xml version="1.0"?><cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"/>`,
		`<a><b><c><d><e><f><g><h><i></i></h></g></f></e></d></c></b></a>`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := cas.ParseResponse(b)
		if err != nil {
			return
		}
		if r.Success && r.User == "" || !r.Success && r.FailureCode == "" {
			t.Fatalf("accepted %+v", r)
		}
		_ = r.Document()
	})
}

// FuzzParseLogoutRequest: no message makes it panic; an accepted one
// names a valid service ticket.
func FuzzParseLogoutRequest(f *testing.F) {
	f.Add([]byte(castest.LogoutRequest("ST-1-abc")))
	f.Add([]byte(`<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:SessionIndex>ST-</samlp:SessionIndex></samlp:LogoutRequest>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := cas.ParseLogoutRequest(b)
		if err == nil && !cas.ValidTicket(st) {
			t.Fatalf("accepted ticket %q", st)
		}
	})
}
