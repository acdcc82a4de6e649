package pages

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/connectors/sealed"
)

// Cookie names. The page session is the pages' own, apart from the
// broker's SSO session: signing out here does not end SSO, and its short
// idle timeout does not shorten anyone's login elsewhere.
const (
	sessionCookie = "gjjid_pages"
	flowCookie    = "gjjid_pages_flow"
)

// session is a signed-in page session, sealed in its cookie: nothing is
// kept server-side, so every broker instance can read it and it needs no
// store. Times are Unix seconds.
type session struct {
	Subject string `json:"sub"`
	Unit    string `json:"unit,omitempty"`
	Name    string `json:"name,omitempty"`
	ACR     string `json:"acr,omitempty"`
	IDP     string `json:"idp,omitempty"`
	// SID is the SSO session this page session signed in through (the
	// ID token's sid): 我的账号 marks it among the person's sessions.
	SID      string `json:"sid,omitempty"`
	AuthTime int64  `json:"auth_time"`
	Created  int64  `json:"created"`
	Seen     int64  `json:"seen"`
	// CSRFSeed is random per session; the forms' tokens are its HMAC.
	CSRFSeed string `json:"csrf"`
	// Pending is a form a step-up interrupted, shown again once.
	Pending *pending `json:"pending,omitempty"`
}

// pending is a form's input kept across a step-up login (never a password).
type pending struct {
	Path string              `json:"path"`
	Form map[string][]string `json:"form"`
}

// sealer seals cookie values (package sealed) under a key derived from
// the broker's cookie key; the cookie name is the additional data, so a
// value cannot be moved from one cookie to another.
type sealer struct {
	box     *sealed.Box
	csrfKey []byte
}

func newSealer(cookieKey []byte) *sealer {
	box, err := sealed.NewBox(cookieKey, "gjjid pages cookie")
	if err != nil {
		panic(err) // only for a length HKDF cannot produce
	}
	ck, _ := hkdf.Key(sha256.New, cookieKey, nil, "gjjid pages csrf", 32)
	return &sealer{box: box, csrfKey: ck}
}

func (s *sealer) seal(name string, v any) (string, error) {
	b, err := s.box.Seal(v, []byte(name))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var errBadCookie = errors.New("pages: cookie does not open")

func (s *sealer) open(name, value string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || s.box.Open(b, []byte(name), v) != nil {
		return errBadCookie
	}
	return nil
}

func (p *Pages) setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: p.o.CookieSecure, SameSite: http.SameSiteLaxMode}
	switch {
	case maxAge > 0:
		ck.MaxAge = int(maxAge.Seconds())
	case maxAge < 0:
		ck.MaxAge = -1
	}
	c.SetCookie(ck)
}

// session returns the request's live page session, or nil: none, not
// opening, idle longer than pages.idle_timeout or older than
// pages.lifetime, or signed in before its subject was revoked. A live session's idle clock restarts (the cookie is
// written again).
func (p *Pages) session(c echo.Context) *session {
	return p.sessionWithin(c, p.o.Config.IdleTimeout, p.o.Config.Lifetime)
}

// sessionWithin is session with the idle timeout and lifetime of the page
// asking (the staff console's may be shorter than pages.*).
func (p *Pages) sessionWithin(c echo.Context, idle, lifetime time.Duration) *session {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var s session
	if err := p.seal.open(sessionCookie, ck.Value, &s); err != nil || s.Subject == "" {
		return nil
	}
	now := p.o.Now()
	if now.Sub(time.Unix(s.Seen, 0)) > idle || now.Sub(time.Unix(s.Created, 0)) > lifetime ||
		p.revoked(c.Request().Context(), &s) {
		p.setCookie(c, sessionCookie, "", -1)
		return nil
	}
	s.Seen = now.Unix()
	p.saveSession(c, &s)
	return &s
}

// saveSession writes s into the session cookie.
func (p *Pages) saveSession(c echo.Context, s *session) {
	v, err := p.seal.seal(sessionCookie, s)
	if err != nil {
		p.log.ErrorContext(c.Request().Context(), "seal page session", "err", err)
		return
	}
	p.setCookie(c, sessionCookie, v, p.o.Config.Lifetime)
}

// csrf is the token of every form of the session. The session cookie is
// HttpOnly and SameSite=Lax: another site can neither read the seed nor
// make the browser send it with a cross-site POST.
func (p *Pages) csrf(s *session) string {
	m := hmac.New(sha256.New, p.seal.csrfKey)
	m.Write([]byte("csrf\x00" + s.CSRFSeed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// takePending returns the form a step-up interrupted on path, once.
func (p *Pages) takePending(c echo.Context, s *session, path string) map[string][]string {
	if s.Pending == nil || s.Pending.Path != path {
		return nil
	}
	f := s.Pending.Form
	s.Pending = nil
	p.saveSession(c, s)
	return f
}
