package login

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/ops"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
)

// Certificate login: a signature over a one-time challenge (what Chinese
// CA browser components make), or a certificate presented over mutual
// TLS, directly to the mTLS listener or through a trusted proxy.
const (
	// certChallengeTTL is how long a challenge may be signed: long enough
	// to type a USB key's PIN, short enough to be useless when copied.
	certChallengeTTL = 2 * time.Minute
	// certHandoffTTL bounds the hop from the mTLS listener back to the
	// issuer's origin.
	certHandoffTTL = 2 * time.Minute
	// ctxCertThumbprint carries the RFC 8705 x5t#S256 of an mTLS login
	// from the certificate handlers to loggedIn.
	ctxCertThumbprint = "gjjid.cert_x5t"
)

// certChallenge is what the broker remembers of an issued challenge, under
// the challenge's hash: which login attempt of which browser it is for.
type certChallenge struct {
	AuthRequestID string `json:"ar"`
	BrowserID     string `json:"b"`
	Connector     string `json:"c"`
}

// certHandoff carries an mTLS identity from the mTLS listener to the
// issuer's origin, where the browser binding is checked.
type certHandoff struct {
	AuthRequestID string              `json:"ar"`
	Connector     string              `json:"c"`
	Identity      connectors.Identity `json:"id"`
	Thumbprint    string              `json:"x5t"`
}

func certChallengeKey(ch string) string { return "cert-challenge:" + secrets.Hash(ch) }
func certHandoffKey(h string) string    { return "cert-handoff:" + secrets.Hash(h) }

// CertThumbprint is the RFC 8705 §3.1 x5t#S256 of a DER certificate.
func CertThumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// showCertificate shows the certificate page: a fresh challenge for the
// CA component to sign, and a link to the mTLS listener. A request that
// already carries a client certificate (the mTLS listener, a trusted
// proxy) logs in with it at once.
func (l *Login) showCertificate(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang string, cn connectors.CertificateLogin) error {
	if chain := clientChain(c); chain != nil && cn.AcceptsMTLS() {
		return l.certificateMTLS(c, ar, cn, chain, true)
	}
	return l.renderCertificate(c, http.StatusOK, ar, cl, lang, cn, "")
}

func (l *Login) renderCertificate(c echo.Context, status int, ar *store.AuthRequest, cl *store.Client, lang string, cn connectors.CertificateLogin, msg string) error {
	data := struct {
		page
		ConnectorName, Action, Challenge, MTLSURL, Error, BackURL string
		SignLabel                                                 string // cert_signer's submit button
		DemoSigner                                                bool
	}{page: l.base(c, ar, cl, lang), ConnectorName: cn.DisplayName(lang), Error: msg, DemoSigner: l.o.DemoSigner,
		Action: "/login/" + url.PathEscape(cn.ID()) + "?lang=" + lang, SignLabel: "submit"}
	if cn.AcceptsChallenge() {
		ch := secrets.Random(32) // 256 bits
		rec, _ := json.Marshal(certChallenge{AuthRequestID: ar.ID, BrowserID: ar.BrowserID, Connector: cn.ID()})
		if err := l.o.Store.SetValue(c.Request().Context(), certChallengeKey(ch), rec, certChallengeTTL); err != nil {
			l.fail(c, err, "")
			return nil
		}
		data.Challenge = ch
	}
	if cn.AcceptsMTLS() && l.o.CertificateURL != "" {
		data.MTLSURL = strings.TrimSuffix(l.o.CertificateURL, "/") + "/login/" + url.PathEscape(cn.ID()) + "/mtls?id=" + url.QueryEscape(ar.ID)
	}
	if usable, _ := l.usable(cl, ar); len(usable) > 1 {
		data.BackURL = URL(ar.ID) + "&lang=" + lang
	}
	if co, ok := cn.(componentOrigins); ok {
		// The CA's local component (a loopback service) may be reached
		// from this page only.
		ops.AllowConnect(c.Response().Header(), co.ComponentOrigins()...)
	}
	return l.o.Pages.Render(c.Response(), status, "certificate", data)
}

// componentOrigins is a certificate connector whose CA component listens
// on loopback origins the certificate page's script connects to.
type componentOrigins interface {
	ComponentOrigins() []string
}

// submitCertificate takes a posted certificate and signature: the
// challenge must be one this broker issued for this login attempt of this
// browser and connector, and is used up whatever the outcome.
func (l *Login) submitCertificate(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang string, cn connectors.CertificateLogin) error {
	r := c.Request()
	if ok, err := l.certRateOK(c, cn); err != nil {
		l.fail(c, err, "")
		return nil
	} else if !ok {
		return l.renderCertificate(c, http.StatusTooManyRequests, ar, cl, lang, cn, web.Text(lang, "err_rate_limited"))
	}
	ch := r.PostFormValue("challenge")
	ok, err := l.takeChallenge(c, ar, cn, ch)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	if !ok {
		l.onLogin(cn.ID(), "bad_challenge")
		return l.renderCertificate(c, http.StatusBadRequest, ar, cl, lang, cn, web.Text(lang, "err_cert_challenge"))
	}
	id, err := traced(r.Context(), l, stepFinish, cn, func(ctx context.Context) (connectors.Identity, error) {
		return cn.Authenticate(ctx, connectors.Evidence{Certificate: r.PostFormValue("certificate"),
			Signature: r.PostFormValue("signature"), Format: r.PostFormValue("format"), Challenge: ch})
	})
	if err != nil {
		l.recordFailure(c, ar, cn.ID(), "", err)
		l.onLogin(cn.ID(), loginResult(err))
		if le, ok := connectors.AsLoginError(err); ok {
			return l.renderCertificate(c, refusalStatus(le), ar, cl, lang, cn, le.Text(lang))
		}
		l.fail(c, err, "")
		return nil
	}
	l.onLogin(cn.ID(), "success")
	return l.loggedIn(c, ar, id)
}

// takeChallenge consumes ch and reports whether it was issued for this
// auth request, browser and connector.
func (l *Login) takeChallenge(c echo.Context, ar *store.AuthRequest, cn connectors.Connector, ch string) (bool, error) {
	if ch == "" || len(ch) > 256 {
		return false, nil
	}
	raw, err := l.o.Store.TakeValue(c.Request().Context(), certChallengeKey(ch))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var rec certChallenge
	if json.Unmarshal(raw, &rec) != nil {
		return false, nil
	}
	return rec.AuthRequestID == ar.ID && rec.BrowserID == ar.BrowserID && rec.BrowserID == l.ck.existingBrowserID(c.Request()) &&
		rec.Connector == cn.ID(), nil
}

// certRateOK counts the attempt against the address's login limit. A
// store failure is the store's (503), never a rate limit.
func (l *Login) certRateOK(c echo.Context, cn connectors.Connector) (bool, error) {
	n, err := l.ipAttempts(c.Request().Context(), "login", c.RealIP(), time.Minute)
	if err != nil {
		return false, err
	}
	if int(n) > l.o.IPRateLimit {
		l.onLogin(cn.ID(), "rate_limited")
		return false, nil
	}
	return true, nil
}

// mtlsStart is the mTLS listener's entry (/login/:connector/mtls?id=):
// the TLS handshake (or a trusted proxy) presented the chain. The browser
// binding is checked back on the issuer's origin (mtlsDone), since the
// listener may live on another host that never sees the broker's cookies.
func (l *Login) mtlsStart(c echo.Context) error {
	r := c.Request()
	ar, err := l.o.Store.GetAuthRequest(r.Context(), c.QueryParam("id"))
	if err != nil {
		l.fail(c, err, "invalid_request")
		return nil
	}
	cl, err := l.o.Clients.Client(r.Context(), ar.ClientID)
	if err != nil {
		l.fail(c, err, "invalid_request")
		return nil
	}
	found := l.connector(c, ar, cl)
	if found == nil {
		return nil
	}
	cn, ok := found.(connectors.CertificateLogin)
	if !ok || !cn.AcceptsMTLS() {
		l.ErrorPage(c.Response(), r, http.StatusNotFound, "no_connector")
		return nil
	}
	chain := clientChain(c)
	if chain == nil {
		l.onLogin(cn.ID(), "no_certificate")
		l.ErrorPage(c.Response(), r, http.StatusBadRequest, "no_certificate")
		return nil
	}
	return l.certificateMTLS(c, ar, cn, chain, false)
}

// certificateMTLS authenticates an mTLS chain; sameOrigin: the browser
// binding was checked on this request, so the login completes here.
func (l *Login) certificateMTLS(c echo.Context, ar *store.AuthRequest, cn connectors.CertificateLogin, chain [][]byte, sameOrigin bool) error {
	r := c.Request()
	lang := l.lang(c, ar)
	if ok, err := l.certRateOK(c, cn); err != nil {
		l.fail(c, err, "")
		return nil
	} else if !ok {
		l.ErrorPage(c.Response(), r, http.StatusTooManyRequests, "rate_limited")
		return nil
	}
	id, err := traced(r.Context(), l, stepFinish, cn, func(ctx context.Context) (connectors.Identity, error) {
		return cn.Authenticate(ctx, connectors.Evidence{Chain: chain})
	})
	if err != nil {
		l.recordFailure(c, ar, cn.ID(), "", err)
		l.onLogin(cn.ID(), loginResult(err))
		if le, ok := connectors.AsLoginError(err); ok {
			l.errorText(c, refusalStatus(le), lang, le.Text(lang))
			return nil
		}
		l.fail(c, err, "")
		return nil
	}
	x5t := CertThumbprint(chain[0])
	l.onLogin(cn.ID(), "success")
	if sameOrigin {
		c.Set(ctxCertThumbprint, x5t)
		return l.loggedIn(c, ar, id)
	}
	h := secrets.Random(32)
	rec, _ := json.Marshal(certHandoff{AuthRequestID: ar.ID, Connector: cn.ID(), Identity: id, Thumbprint: x5t})
	if err := l.o.Store.SetValue(r.Context(), certHandoffKey(h), rec, certHandoffTTL); err != nil {
		l.fail(c, err, "")
		return nil
	}
	return c.Redirect(http.StatusSeeOther, strings.TrimSuffix(l.o.Issuer, "/")+"/login/"+url.PathEscape(cn.ID())+"/mtls/done?h="+url.QueryEscape(h))
}

// mtlsDone completes an mTLS login on the issuer's origin: the handoff is
// single use and the auth request must be this browser's.
func (l *Login) mtlsDone(c echo.Context) error {
	r := c.Request()
	rec, ok := takeStep(l, c, certHandoffKey(c.QueryParam("h")), func(h *certHandoff) string { return h.Connector })
	if !ok {
		return nil
	}
	ar, cl, _ := l.request(c, rec.AuthRequestID) // checks the browser binding
	if ar == nil {
		return nil
	}
	if !l.allowedFor(cl)(rec.Connector) {
		l.ErrorPage(c.Response(), r, http.StatusNotFound, "no_connector")
		return nil
	}
	c.Set(ctxCertThumbprint, rec.Thumbprint)
	return l.loggedIn(c, ar, rec.Identity)
}

// certThumbprintOf is the x5t#S256 of this request's mTLS login, if any.
func certThumbprintOf(c echo.Context) string {
	s, _ := c.Get(ctxCertThumbprint).(string)
	return s
}
