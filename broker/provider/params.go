package provider

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
)

// RFC 6749 §3.1 and §3.2: request parameters "MUST NOT be included more
// than once". The library reads the first value of a repeated parameter
// and carries on; the broker refuses the request instead, once for every
// endpoint that takes OAuth parameters, in the query or the form body.

// paramEndpoints are the endpoints whose parameters must be single.
var paramEndpoints = []string{"/authorize", "/oauth/token", "/oauth/introspect", "/revoke", PAREndpoint}

// multiValued are the parameters their specifications let a client repeat:
// RFC 8707 resource indicators and RFC 8693 audiences.
var multiValued = []string{"resource", "audience"}

// repeatedParameter names the first (alphabetically) parameter the request
// repeats, counting the query and a form body together; "" when none. A
// body that does not parse is left to the library to refuse.
func repeatedParameter(r *http.Request) string {
	if err := r.ParseForm(); err != nil {
		return ""
	}
	var names []string
	for name, values := range r.Form {
		if len(values) > 1 && !slices.Contains(multiValued, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

// refuseRepeated answers a request that repeats a parameter and reports
// whether it did.
func (p *Provider) refuseRepeated(w http.ResponseWriter, r *http.Request) bool {
	if !slices.Contains(paramEndpoints, r.URL.Path) {
		return false
	}
	name := repeatedParameter(r)
	if name == "" {
		return false
	}
	desc := "parameter " + name + " is repeated; send each parameter once (RFC 6749 §3.1)"
	if r.URL.Path == "/authorize" {
		p.authorizeRepeated(w, r, name, desc)
		return true
	}
	w.Header().Set("Cache-Control", "no-store")
	tokenError(w, http.StatusBadRequest, "invalid_request", desc)
	return true
}

// authorizeRepeated sends the error to the client's redirect URI when the
// request names one client and one of its registered redirect URIs
// exactly (RFC 6749 §4.1.2.1); otherwise it may not redirect and shows the
// error page.
func (p *Provider) authorizeRepeated(w http.ResponseWriter, r *http.Request, name, desc string) {
	f := r.Form
	clientID, redirect := f.Get("client_id"), f.Get("redirect_uri")
	if len(f["client_id"]) == 1 && len(f["redirect_uri"]) == 1 {
		c, err := p.storage.clients.Client(r.Context(), clientID)
		if err == nil && slices.Contains(c.RedirectURIs, redirect) {
			if u, err := url.Parse(redirect); err == nil {
				q := u.Query()
				q.Set("error", "invalid_request")
				q.Set("error_description", desc)
				if len(f["state"]) == 1 {
					q.Set("state", f.Get("state"))
				}
				q.Set("iss", p.opts.Issuer) // RFC 9207
				u.RawQuery = q.Encode()
				http.Redirect(w, r, u.String(), http.StatusFound)
				return
			}
		}
	}
	p.storage.log.InfoContext(r.Context(), "authorization request repeats a parameter", "parameter", name, "client", clientID)
	if p.opts.Login != nil {
		p.opts.Login.ErrorPage(w, r, http.StatusBadRequest, "invalid_request")
		return
	}
	b, _ := json.Marshal(map[string]string{"error": "invalid_request", "error_description": desc})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(b)
}
