package storetest

import (
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

var authRequestTests = []test{
	{"CreateGetDelete", testAuthRequestCreateGetDelete},
	{"CompleteOnce", testAuthRequestCompleteOnce},
	{"ConcurrentCompletionsOneWins", testAuthRequestConcurrentCompletions},
	{"CompleteUnknownIsNotFound", testAuthRequestCompleteUnknown},
}

func newAuthRequest() *store.AuthRequest {
	maxAge := int64(600)
	return &store.AuthRequest{
		ID:                  newID("ar"),
		ClientID:            "rp-web",
		RedirectURI:         "https://rp.example/callback",
		State:               "state-1",
		Nonce:               "nonce-1",
		Scopes:              []string{"openid", "profile"},
		ResponseType:        "code",
		ResponseMode:        "query",
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		Prompt:              []string{"login"},
		MaxAge:              &maxAge,
		ACRValues:           []string{"urn:gjjid:acr:2"},
		UILocales:           []string{"zh-CN", "en"},
		LoginHint:           "hint",
		IDPHint:             "alipay",
		BrowserID:           newID("browser"),
		CreatedAt:           now(),
	}
}

func newAuthentication() store.Authentication {
	return store.Authentication{
		Subject:   newID("sub"),
		AuthTime:  now(),
		AMR:       []string{"pwd", "sms"},
		ACR:       "urn:gjjid:acr:2",
		IDP:       "password",
		UnitID:    "91110000000000000X",
		SessionID: newID("sid"),
	}
}

func testAuthRequestCreateGetDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newAuthRequest()
	must(t, "create", s.CreateAuthRequest(ctx, r, time.Hour))
	got, err := s.GetAuthRequest(ctx, r.ID)
	must(t, "get", err)
	sameJSON(t, "get", got, r)
	if got.Auth != nil {
		t.Fatalf("new request has Auth %+v", got.Auth)
	}

	_, err = s.GetAuthRequest(ctx, newID("ar"))
	wantErr(t, "get unknown", err, store.ErrNotFound)

	must(t, "delete", s.DeleteAuthRequest(ctx, r.ID))
	_, err = s.GetAuthRequest(ctx, r.ID)
	wantErr(t, "get deleted", err, store.ErrNotFound)
	must(t, "delete again", s.DeleteAuthRequest(ctx, r.ID))
}

func testAuthRequestCompleteOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newAuthRequest()
	must(t, "create", s.CreateAuthRequest(ctx, r, time.Hour))
	a := newAuthentication()
	must(t, "complete", s.CompleteAuthRequest(ctx, r.ID, a))

	got, err := s.GetAuthRequest(ctx, r.ID)
	must(t, "get", err)
	want := *r
	want.Auth = &a
	sameJSON(t, "completed request", got, &want)

	wantErr(t, "complete again", s.CompleteAuthRequest(ctx, r.ID, newAuthentication()), store.ErrConflict)
	got, err = s.GetAuthRequest(ctx, r.ID)
	must(t, "get after second completion", err)
	sameJSON(t, "request after second completion", got, &want)
}

func testAuthRequestConcurrentCompletions(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := newAuthRequest()
	must(t, "create", s.CreateAuthRequest(ctx, r, time.Hour))
	auths := make([]store.Authentication, contenders)
	for i := range auths {
		auths[i] = newAuthentication()
	}
	errs := concurrently(contenders, func(i int) error {
		return s.CompleteAuthRequest(ctx, r.ID, auths[i])
	})
	w := oneWinner(t, "complete", errs, store.ErrConflict)
	got, err := s.GetAuthRequest(ctx, r.ID)
	must(t, "get", err)
	sameJSON(t, "the winner's authentication", got.Auth, auths[w])
}

func testAuthRequestCompleteUnknown(t *testing.T, s store.Store) {
	err := s.CompleteAuthRequest(t.Context(), newID("ar"), newAuthentication())
	wantErr(t, "complete unknown", err, store.ErrNotFound)
}
