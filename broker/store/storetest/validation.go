package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var validationTests = []test{
	{"EmptyIDsAndDeadRecordsRefused", testValidation},
}

var pingTests = []test{
	{"Reachable", func(t *testing.T, s store.Store) { must(t, "ping", s.Ping(t.Context())) }},
}

// Writes that could never be read back (no key, or already expired) are
// programming errors: they fail rather than pretend to succeed.
func testValidation(t *testing.T, s store.Store) {
	past := time.Now().Add(-time.Minute)
	emptyRT := newRefreshToken("")
	expiredRT := newRefreshToken(newID("family"))
	expiredRT.ExpiresAt = past
	expiredSession := newSession()
	expiredSession.ExpiresAt = past
	noIDPerson := newPerson()
	noIDPerson.ID = ""
	noIDClient := newClient("")

	tests := []struct {
		name  string
		write func(t *testing.T) error
	}{
		{"auth request without ID", func(t *testing.T) error {
			r := newAuthRequest()
			r.ID = ""
			return s.CreateAuthRequest(t.Context(), r, time.Hour)
		}},
		{"auth request without lifetime", func(t *testing.T) error {
			return s.CreateAuthRequest(t.Context(), newAuthRequest(), 0)
		}},
		{"code without hash", func(t *testing.T) error { return s.SaveCode(t.Context(), "", newID("ar"), time.Minute) }},
		{"code with negative lifetime", func(t *testing.T) error {
			return s.SaveCode(t.Context(), newID("code"), newID("ar"), -time.Second)
		}},
		{"tombstone without lifetime", func(t *testing.T) error {
			code := newID("code")
			must(t, "save", s.SaveCode(t.Context(), code, newID("ar"), time.Minute))
			_, err := s.ConsumeCode(t.Context(), code, 0)
			return err
		}},
		{"refresh family without ID", func(t *testing.T) error { return s.CreateRefreshToken(t.Context(), newID("rt"), emptyRT) }},
		{"refresh token already expired", func(t *testing.T) error { return s.CreateRefreshToken(t.Context(), newID("rt"), expiredRT) }},
		{"rotation to an expired member", func(t *testing.T) error {
			f, h, rt := newFamily(t, s)
			return s.RotateRefreshToken(t.Context(), f, tok(h, rt), newID("rt"), expiredRT)
		}},
		{"session already expired", func(t *testing.T) error { return s.CreateSession(t.Context(), expiredSession) }},
		{"counter without lifetime", func(t *testing.T) error {
			_, err := s.Incr(t.Context(), newID("rate"), 0)
			return err
		}},
		{"client without ID", func(t *testing.T) error { return s.PutClient(t.Context(), noIDClient) }},
		{"unit without ID", func(t *testing.T) error { return s.PutUnit(t.Context(), &store.Unit{Name: "x"}) }},
		{"person without ID", func(t *testing.T) error { return s.PutPerson(t.Context(), noIDPerson) }},
		{"agent without unit", func(t *testing.T) error {
			return s.PutAgent(t.Context(), &store.Agent{PersonID: newID("p")})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write(t)
			if err == nil {
				t.Fatal("accepted")
			}
			if errors.Is(err, store.ErrUnavailable) {
				t.Fatalf("refused as unavailable: %v", err)
			}
		})
	}
	// The refused records left nothing behind.
	findPersons(t, s, noIDPerson.IDHash, noIDPerson.MobileHash, nil)
	if _, err := s.GetClient(t.Context(), ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get client with empty ID: %v, want ErrNotFound", err)
	}
}
