package login

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
)

// Cookie names. The binding cookie ties an auth request to the browser that
// started it; the session cookie is the SSO session.
const (
	BindingCookie = "gjjid_b"
)

// cookies issues and reads the broker's cookies. Values are random; the
// store only sees their SHA-256.
type cookies struct {
	key         []byte // HMAC key for CSRF tokens
	secure      bool
	sessionName string
}

func (c *cookies) set(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	}
	if maxAge < 0 {
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}

// browserID returns the hash of the binding cookie, creating it if absent.
func (c *cookies) browserID(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(BindingCookie); err == nil && len(ck.Value) >= 32 {
		return secrets.Hash(ck.Value)
	}
	v := secrets.Random(32)
	c.set(w, BindingCookie, v, 0)
	// Later handlers in this request must see the same browser.
	r.AddCookie(&http.Cookie{Name: BindingCookie, Value: v})
	return secrets.Hash(v)
}

// existingBrowserID returns the hash of the binding cookie or "".
func (c *cookies) existingBrowserID(r *http.Request) string {
	if ck, err := r.Cookie(BindingCookie); err == nil && len(ck.Value) >= 32 {
		return secrets.Hash(ck.Value)
	}
	return ""
}

// sessionID returns the hash of the SSO session cookie or "".
func (c *cookies) sessionID(r *http.Request) string {
	if ck, err := r.Cookie(c.sessionName); err == nil && len(ck.Value) >= 32 {
		return secrets.Hash(ck.Value)
	}
	return ""
}

// csrf binds a form to this browser and this auth request; the browser
// cookie is HttpOnly and SameSite=Lax, so another site can neither read nor
// forge the token.
func (c *cookies) csrf(browserID, authRequestID string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("csrf\x00" + browserID + "\x00" + authRequestID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (c *cookies) checkCSRF(token, browserID, authRequestID string) bool {
	if browserID == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(token), []byte(c.csrf(browserID, authRequestID)))
}
