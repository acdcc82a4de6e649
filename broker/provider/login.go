package provider

import (
	"context"
	"net/http"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/gjjid/gjjid/broker/store"
)

// Login is the login's side of the authorization flow as the provider sees
// it: where /authorize sends the browser, what a browser's SSO session
// answers, the pages and cookies the provider cannot render itself, and the
// logins that arrive as RFC 8693 subject tokens. The login package
// implements it; the provider never sees connectors or sessions otherwise.
type Login interface {
	// URL is where /authorize sends the browser to log in.
	URL(authRequestID string) string
	// Silent reports whether the browser's SSO session satisfies r without
	// user interaction (prompt=none): Silently, LoginRequired, or
	// ChooseAccount when the person must pick the unit to act for.
	Silent(ctx context.Context, r *store.AuthRequest, sessionID, hintSubject string) (SilentAnswer, error)
	// Browser identifies the browser, setting its binding cookie if absent.
	Browser(w http.ResponseWriter, r *http.Request) Browser
	// EndSession clears the browser's session cookie at /end_session.
	EndSession(w http.ResponseWriter)
	// UpstreamLogout is told the SSO session end_session ended and where
	// the browser goes next; a non-empty answer is the upstream's logout
	// URL to send the browser to first (the login brings it back to next).
	UpstreamLogout(ctx context.Context, sessionID, next string) string
	// ErrorPage renders a human-facing error (never a redirect).
	ErrorPage(w http.ResponseWriter, r *http.Request, status int, code string)
	// SubjectTokenTypes lists the RFC 8693 subject token types
	// ExchangeSubjectToken redeems (upstream credentials such as a WeChat
	// mini program's js_code; tokenexchange.go); none: no token exchange.
	SubjectTokenTypes() []string
	// ExchangeSubjectToken logs in with a subject token; an *ExchangeError
	// is a refusal the client sees.
	ExchangeSubjectToken(ctx context.Context, r ExchangeRequest) (Exchanged, error)
}

// CallbackURL is where the login sends the browser once it completed an
// auth request: the library's /authorize/callback under issuer, absolute.
// It depends on the issuer alone, so the login computes it without the
// provider (the provider's test holds it to the library's own).
func CallbackURL(issuer, authRequestID string) string {
	return op.DefaultEndpoints.Authorization.Absolute(issuer) + "/callback?id=" + url.QueryEscape(authRequestID)
}
