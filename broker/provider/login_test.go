package provider

import (
	"context"
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
)

// noLogin is a Login for tests that build the provider without serving a
// login; every method answers as a login without sessions or connectors.
type noLogin struct{}

func (noLogin) URL(id string) string { return "/login?id=" + id }
func (noLogin) Silent(context.Context, *store.AuthRequest, string, string) (SilentAnswer, error) {
	return LoginRequired, nil
}
func (noLogin) Browser(http.ResponseWriter, *http.Request) Browser    { return Browser{} }
func (noLogin) EndSession(http.ResponseWriter)                        {}
func (noLogin) UpstreamLogout(context.Context, string, string) string { return "" }
func (noLogin) ErrorPage(w http.ResponseWriter, _ *http.Request, status int, _ string) {
	w.WriteHeader(status)
}
func (noLogin) SubjectTokenTypes() []string { return nil }
func (noLogin) ExchangeSubjectToken(context.Context, ExchangeRequest) (Exchanged, error) {
	return Exchanged{}, &ExchangeError{Code: "unsupported_token_type"}
}

// noKeys is a KeySource without keys (nothing is signed in these tests).
type noKeys struct{}

func (noKeys) SigningKey() (string, jose.SignatureAlgorithm, any)  { return "", "", nil }
func (noKeys) SigningKeyFor(jose.SignatureAlgorithm) (string, any) { return "", nil }
func (noKeys) PublicKeys() []PublicKey                             { return nil }
func (noKeys) JWKS() []byte                                        { return []byte(`{"keys":[]}`) }
func (noKeys) Version() int64                                      { return 0 }

// TestCallbackURLIsTheLibrarys: the login computes the callback URL from
// the issuer alone; it must be the one the library serves and would build
// itself, with and without a path in the issuer.
func TestCallbackURLIsTheLibrarys(t *testing.T) {
	t.Parallel()
	for _, issuer := range []string{"https://sso.example.gov.cn", "https://example.gov.cn/sso", "http://127.0.0.1:8080/a/b"} {
		st := memory.New()
		t.Cleanup(func() { _ = st.Close() })
		p, err := New(st, noKeys{}, nil, Options{Issuer: issuer, AllowInsecure: true, Login: noLogin{},
			Clients: NewClientCache(st, 0)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		const id = "ar/1 +x"
		want := op.AuthCallbackURL(p.op)(op.ContextWithIssuer(context.Background(), issuer), id)
		if got := CallbackURL(issuer, id); got != want {
			t.Errorf("CallbackURL(%q) = %s, library builds %s", issuer, got, want)
		}
	}
}

func TestNewRequiresLoginAndClients(t *testing.T) {
	t.Parallel()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	for name, o := range map[string]Options{
		"no login":   {Issuer: "https://sso.example.gov.cn", Clients: NewClientCache(st, 0)},
		"no clients": {Issuer: "https://sso.example.gov.cn", Login: noLogin{}},
	} {
		if _, err := New(st, noKeys{}, nil, o, nil); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
