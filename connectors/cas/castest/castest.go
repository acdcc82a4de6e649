// Package castest is a fake CAS server (Apereo CAS Protocol 3.0.3) for
// tests and `gjjid dev`, in the style of net/http/httptest.
//
// /login signs the browser in as the chosen user (a page lists the users
// when there are several), keeps an SSO session (a cookie) and redirects
// to the service with a fresh ticket; renew=true forces a new login and
// marks the ticket. /p3/serviceValidate (attributes) and /serviceValidate
// (CAS 2.0: none) follow the spec's rules: a ticket is spent by its
// first validation, successful or not; a service differing from the one
// the ticket was issued for answers INVALID_SERVICE; renew=true refuses
// a ticket not from a fresh login. /logout ends the session, POSTs a
// logoutRequest to every service that validated a ticket of it (single
// logout) and redirects to `service`.
package castest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// User is an account of the fake: its CAS user name and attributes.
type User struct {
	Name       string
	Label      string // shown on the chooser page
	Attributes map[string][]string
}

// Server is a fake CAS server. Handler serves it; Start runs it on a
// loopback port (URL then is its base, e.g. http://127.0.0.1:1234/cas).
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	users    []User
	current  string // user of the next login without a choice
	tickets  map[string]*ticket
	sessions map[string]*session
	v2Only   bool
	override string
	echo     bool
	received []url.Values
	logins   []url.Values
	sloErrs  []error
	client   *http.Client
}

type ticket struct {
	user, service, session string
	renewed, used          bool
}

type session struct {
	user     string
	services []string // validated services, with their tickets
	tickets  []string
}

// FailEchoing makes every later validation fail with a code and text that
// quote the ticket and the request's query, as Apereo CAS quotes the
// ticket in its failure text and a careless server might in its code. Tests use it to check that nothing the client sent reaches a
// log.
func (s *Server) FailEchoing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.echo = true
}

// Received returns the query of every validation request, oldest first.
func (s *Server) Received() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.received...)
}

// New returns a fake with users; the first signs in by default.
func New(users ...User) *Server {
	s := &Server{users: users, tickets: map[string]*ticket{}, sessions: map[string]*session{},
		client: &http.Client{Timeout: 5 * time.Second}}
	if len(users) > 0 {
		s.current = users[0].Name
	}
	return s
}

// NewServer starts a fake on a loopback port; Close it when done.
func NewServer(users ...User) *Server {
	s := New(users...)
	s.srv = httptest.NewServer(s.Handler())
	s.URL = s.srv.URL + "/cas"
	return s
}

// Close stops a server NewServer started.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Handler serves the CAS endpoints under /cas/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cas/login", s.login)
	mux.HandleFunc("GET /cas/p3/serviceValidate", func(w http.ResponseWriter, r *http.Request) { s.validate(w, r, true) })
	mux.HandleFunc("GET /cas/serviceValidate", func(w http.ResponseWriter, r *http.Request) { s.validate(w, r, false) })
	mux.HandleFunc("GET /cas/logout", s.logout)
	return mux
}

// As makes later logins without a choice sign in as user name.
func (s *Server) As(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = name
}

// V2Only makes the server a CAS 2.0 one: /p3/serviceValidate answers 404.
func (s *Server) V2Only() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v2Only = true
}

// Respond makes every later validation answer body verbatim (bad-input
// tests); "" restores the real answers.
func (s *Server) Respond(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.override = body
}

// Logins are the /login requests' query parameters, oldest first.
func (s *Server) Logins() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.logins...)
}

// Tickets issued and validated so far, for tests that replay them.
func (s *Server) Tickets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.tickets))
}

// SingleLogoutErrors are the failures of single-logout POSTs so far.
func (s *Server) SingleLogoutErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.sloErrs...)
}

const cookieName = "CASTGC"

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.logins = append(s.logins, q)
	s.mu.Unlock()
	svc := q.Get("service")
	if u, err := url.Parse(svc); svc == "" || err != nil || u.Host == "" {
		http.Error(w, "CAS: service required", http.StatusBadRequest)
		return
	}
	renew := q.Get("renew") == "true"
	s.mu.Lock()
	var sess *session
	var sid string
	if ck, err := r.Cookie(cookieName); err == nil && !renew {
		if x, ok := s.sessions[ck.Value]; ok {
			sess, sid = x, ck.Value
		}
	}
	name := q.Get("as")
	if sess == nil && name == "" && len(s.users) > 1 {
		s.mu.Unlock()
		s.chooser(w, q)
		return
	}
	if sess == nil {
		if name == "" {
			name = s.current
		}
		if !s.known(name) {
			s.mu.Unlock()
			http.Error(w, "CAS: unknown user", http.StatusBadRequest)
			return
		}
		sid = "TGT-" + random()
		sess = &session{user: name}
		s.sessions[sid] = sess
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sid, Path: "/cas", HttpOnly: true})
	}
	st := "ST-" + random()
	s.tickets[st] = &ticket{user: sess.user, service: svc, session: sid, renewed: renew || name != ""}
	s.mu.Unlock()
	sep := "?"
	if strings.Contains(svc, "?") {
		sep = "&"
	}
	http.Redirect(w, r, svc+sep+"ticket="+url.QueryEscape(st), http.StatusFound)
}

func (s *Server) known(name string) bool {
	for _, u := range s.users {
		if u.Name == name {
			return true
		}
	}
	return false
}

func (s *Server) chooser(w http.ResponseWriter, q url.Values) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>CAS (fake)</title><body><h1>模拟统一身份认证平台 (CAS)</h1><ul>`)
	for _, u := range s.users {
		qq := url.Values{"service": {q.Get("service")}, "as": {u.Name}}
		if q.Get("renew") != "" {
			qq.Set("renew", q.Get("renew"))
		}
		label := u.Label
		if label == "" {
			label = u.Name
		}
		fmt.Fprintf(w, `<li><a href="/cas/login?%s">%s</a></li>`, html.EscapeString(qq.Encode()), html.EscapeString(label))
	}
	fmt.Fprint(w, `</ul></body></html>`)
}

func (s *Server) validate(w http.ResponseWriter, r *http.Request, v3 bool) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if v3 && s.v2Only {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	s.received = append(s.received, q)
	if s.echo {
		// Apereo CAS says "Ticket 'ST-…' not recognized"; this one puts
		// it into the code as well.
		text := "Ticket '" + q.Get("ticket") + "' not recognized; request was: " + r.URL.RawQuery
		fail(w, esc("INVALID_TICKET "+text), text)
		return
	}
	if s.override != "" {
		fmt.Fprint(w, s.override)
		return
	}
	svc, st := q.Get("service"), q.Get("ticket")
	if svc == "" || st == "" {
		fail(w, "INVALID_REQUEST", "service and ticket are required")
		return
	}
	if !strings.HasPrefix(st, "ST-") {
		fail(w, "INVALID_TICKET_SPEC", "not a service ticket")
		return
	}
	t, ok := s.tickets[st]
	if !ok || t.used {
		fail(w, "INVALID_TICKET", "Ticket "+st+" not recognized")
		return
	}
	t.used = true // spent by the first validation, whatever its outcome
	if t.service != svc {
		fail(w, "INVALID_SERVICE", "Ticket "+st+" does not match supplied service")
		return
	}
	if q.Get("renew") == "true" && !t.renewed {
		fail(w, "INVALID_TICKET", "Ticket "+st+" was not issued from a fresh login")
		return
	}
	if sess, ok := s.sessions[t.session]; ok {
		sess.services = append(sess.services, svc)
		sess.tickets = append(sess.tickets, st)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n  <cas:authenticationSuccess>\n    <cas:user>%s</cas:user>\n", esc(t.user))
	if v3 {
		b.WriteString("    <cas:attributes>\n")
		fmt.Fprintf(&b, "      <cas:authenticationDate>%s</cas:authenticationDate>\n", time.Now().UTC().Format(time.RFC3339))
		fmt.Fprintf(&b, "      <cas:isFromNewLogin>%t</cas:isFromNewLogin>\n", t.renewed)
		for _, u := range s.users {
			if u.Name != t.user {
				continue
			}
			keys := slices.Sorted(maps.Keys(u.Attributes))
			for _, k := range keys {
				for _, v := range u.Attributes[k] {
					fmt.Fprintf(&b, "      <cas:%s>%s</cas:%s>\n", k, esc(v), k)
				}
			}
		}
		b.WriteString("    </cas:attributes>\n")
	}
	b.WriteString("  </cas:authenticationSuccess>\n</cas:serviceResponse>\n")
	fmt.Fprint(w, b.String())
}

func fail(w http.ResponseWriter, code, text string) {
	fmt.Fprintf(w, "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n  <cas:authenticationFailure code=\"%s\">%s</cas:authenticationFailure>\n</cas:serviceResponse>\n", code, esc(text))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	var sess *session
	if ck, err := r.Cookie(cookieName); err == nil {
		s.mu.Lock()
		sess = s.sessions[ck.Value]
		delete(s.sessions, ck.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/cas", MaxAge: -1})
	if sess != nil {
		for i, svc := range sess.services {
			s.SingleLogout(svc, sess.tickets[i])
		}
	}
	if svc := r.URL.Query().Get("service"); svc != "" {
		if u, err := url.Parse(svc); err == nil && u.Host != "" {
			http.Redirect(w, r, svc, http.StatusFound)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "CAS: logged out")
}

// SingleLogout POSTs a logoutRequest for ticket to service, as CAS does
// for every service of a session that ends (Appendix C). Errors are
// recorded (CAS ignores them).
func (s *Server) SingleLogout(service, ticket string) {
	msg := LogoutRequest(ticket)
	resp, err := s.client.PostForm(service, url.Values{"logoutRequest": {msg}})
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("single logout to %s: status %d", service, resp.StatusCode)
		}
	}
	if err != nil {
		s.mu.Lock()
		s.sloErrs = append(s.sloErrs, err)
		s.mu.Unlock()
	}
}

// LogoutRequest is the SAML message of single logout for ticket.
func LogoutRequest(ticket string) string {
	return `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-` +
		random() + `" Version="2.0" IssueInstant="` + time.Now().UTC().Format(time.RFC3339) + `"><saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>` +
		esc(ticket) + `</samlp:SessionIndex></samlp:LogoutRequest>`
}

func esc(s string) string {
	var b strings.Builder
	_ = xmlEscape(&b, s)
	return b.String()
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
