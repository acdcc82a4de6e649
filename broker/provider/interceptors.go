package provider

import (
	"net/http"
	"net/url"
	"strings"
)

// statusWriter lets an interceptor change the status line and headers of a
// response the library writes, at the moment it writes them.
type statusWriter struct {
	http.ResponseWriter
	onHeader func(w http.ResponseWriter, status int) (newStatus int, replaced bool)
	wrote    bool
	dropBody bool
}

func (w *statusWriter) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote = true
	if w.onHeader != nil {
		var replaced bool
		status, replaced = w.onHeader(w.ResponseWriter, status)
		w.dropBody = replaced
		if replaced {
			return
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.dropBody {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// unavailableBody is what clients see while the store is unreachable.
var unavailableBody = []byte(`{"error":"temporarily_unavailable","error_description":"gjjid cannot reach its session store; try again shortly"}` + "\n")

// retryAfter is the Retry-After of every 503 a store outage causes.
const retryAfter = "5"

// writeUnavailable answers 503 temporarily_unavailable with Retry-After,
// dropping whatever the failed answer had set: a challenge
// (WWW-Authenticate) would tell the client its credentials are wrong, a
// Location would redirect half-done.
func writeUnavailable(w http.ResponseWriter) {
	h := w.Header()
	h.Del("Location")
	h.Del("WWW-Authenticate")
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", retryAfter)
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(unavailableBody)
}

// faultInterceptor answers 503 whenever the store was unreachable while
// serving the request, so clients and load balancers can tell an outage
// from a bug or a bad request, and nothing is redirected half-done. It is
// the outermost wrapper of every protocol endpoint (Provider.ServeHTTP),
// the broker's own grants included: whatever a handler made of the
// failure (500, invalid_grant, a 401 invalid_client because the client
// could not be loaded, an error redirect to the client), the truth is an
// outage, and a store failure must never look like bad credentials.
func faultInterceptor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := &fault{}
		sw := &statusWriter{ResponseWriter: w, onHeader: func(w http.ResponseWriter, status int) (int, bool) {
			if f.unavailable.Load() {
				writeUnavailable(w)
				return http.StatusServiceUnavailable, true
			}
			return status, false
		}}
		next.ServeHTTP(sw, r.WithContext(withFault(r.Context(), f)))
	})
}

// noStoreInterceptor: RFC 6749 §5.1 and RFC 7662 §2.2 forbid caching
// token, introspection and userinfo responses; the library sets nothing.
func noStoreInterceptor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth/token", "/oauth/introspect", "/userinfo", "/revoke":
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
		}
		next.ServeHTTP(w, r)
	})
}

// rawTokenInterceptor keeps the presented token where the storage can read
// its claims (the library passes only its ID).
func rawTokenInterceptor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tok string
		switch r.URL.Path {
		case "/oauth/introspect", "/revoke":
			if err := r.ParseForm(); err == nil {
				tok = r.PostForm.Get("token")
			}
		case "/userinfo":
			tok = presentedBearer(r)
		}
		if tok != "" {
			r = r.WithContext(withRawToken(r.Context(), tok))
		}
		next.ServeHTTP(w, r)
	})
}

// issInterceptor adds `iss` to every authorization response sent to a
// client's redirect_uri, success or error (RFC 9207 §2). Redirects to the
// broker's own login page are left alone.
func (p *Provider) issInterceptor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/authorize" && r.URL.Path != "/authorize/callback" {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, onHeader: func(w http.ResponseWriter, status int) (int, bool) {
			if status != http.StatusFound && status != http.StatusSeeOther {
				return status, false
			}
			loc := w.Header().Get("Location")
			u, err := url.Parse(loc)
			if err != nil || !u.IsAbs() || strings.HasPrefix(loc, p.opts.Issuer+"/") {
				return status, false
			}
			q := u.Query()
			if !q.Has("iss") {
				q.Set("iss", p.opts.Issuer)
				u.RawQuery = q.Encode()
				w.Header().Set("Location", u.String())
			}
			return status, false
		}}
		next.ServeHTTP(sw, r)
	})
}

// authorizeErrorInterceptor replaces the library's plain-text 400 at
// /authorize (unknown client, unregistered redirect_uri: errors that must
// not be redirected) with the broker's localized error page.
func (p *Provider) authorizeErrorInterceptor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/authorize" {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, onHeader: func(w http.ResponseWriter, status int) (int, bool) {
			if status != http.StatusBadRequest || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
				return status, false
			}
			p.opts.Login.ErrorPage(w, r, status, "invalid_authorize")
			return status, true
		}}
		next.ServeHTTP(sw, r)
	})
}

// authorizeParam is a parameter of an authorization request the library
// does not parse, from the query or (POST) the form.
func authorizeParam(r *http.Request, name string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err == nil {
			return r.PostForm.Get(name)
		}
	}
	return ""
}

// browserInterceptor identifies the browser on /authorize (setting the
// binding cookie when absent) and refuses /authorize/callback from any
// browser other than the one that started the request: the auth request ID
// in the URL is otherwise a bearer handle.
func (p *Provider) browserInterceptor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			b := p.opts.Login.Browser(w, r)
			ctx := WithBrowser(r.Context(), b)
			if h := authorizeParam(r, "idp_hint"); h != "" {
				ctx = withIDPHint(ctx, h)
			}
			if j := authorizeParam(r, "dpop_jkt"); j != "" {
				ctx = withDPoPJKTParam(ctx, j)
			}
			r = r.WithContext(ctx)
		case "/end_session":
			r = r.WithContext(WithBrowser(r.Context(), p.opts.Login.Browser(w, r)))
			p.opts.Login.EndSession(w)
		case "/authorize/callback":
			b := p.opts.Login.Browser(w, r)
			ar, err := p.storage.st.GetAuthRequest(r.Context(), r.URL.Query().Get("id"))
			if err == nil && (ar.BrowserID == "" || ar.BrowserID != b.ID) {
				p.opts.Login.ErrorPage(w, r, http.StatusBadRequest, "browser_mismatch")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// corsPublic allows any origin to read public metadata without credentials.
func corsPublic(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
}
