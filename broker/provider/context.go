package provider

import (
	"context"
	"sync/atomic"
)

// Browser is what interceptors learn from the request's cookies before the
// library calls the storage: which browser this is and its SSO session.
type Browser struct {
	ID        string // hash of the browser-binding cookie
	SessionID string // hash of the SSO session cookie, "" when none
}

type ctxKey int

const (
	browserKey ctxKey = iota
	rawTokenKey
	faultKey
	idpHintKey
)

// WithBrowser puts the browser into ctx.
func WithBrowser(ctx context.Context, b Browser) context.Context {
	return context.WithValue(ctx, browserKey, b)
}

// BrowserFrom returns the browser put in ctx by the interceptor.
func BrowserFrom(ctx context.Context) Browser {
	b, _ := ctx.Value(browserKey).(Browser)
	return b
}

// withRawToken keeps the presented token for introspection and revocation,
// where the library hands the storage only the token ID.
func withRawToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, rawTokenKey, token)
}

func rawTokenFrom(ctx context.Context) string {
	s, _ := ctx.Value(rawTokenKey).(string)
	return s
}

// fault records that the store was unreachable while serving a request, so
// the interceptor can turn the library's 500 into a 503.
type fault struct{ unavailable atomic.Bool }

func withFault(ctx context.Context, f *fault) context.Context {
	return context.WithValue(ctx, faultKey, f)
}

func markFault(ctx context.Context) {
	if f, ok := ctx.Value(faultKey).(*fault); ok {
		f.unavailable.Store(true)
	}
}

// withIDPHint keeps the authorize request's idp_hint (not a parameter the
// library parses) for CreateAuthRequest.
func withIDPHint(ctx context.Context, hint string) context.Context {
	return context.WithValue(ctx, idpHintKey, hint)
}

func idpHintFrom(ctx context.Context) string {
	s, _ := ctx.Value(idpHintKey).(string)
	return s
}
