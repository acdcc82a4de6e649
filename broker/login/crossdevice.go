package login

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"image"
	_ "image/png" // the QR code's size for the page
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// The browser's side of cross-device logins (connectors.CrossDevice): the
// QR page, its live status (Server-Sent Events in crossdevice_stream.go,
// long polls here), the QR image and the completion with the one-time
// ticket. Everything under /login/<connector>/qr/<id>/ is authorised by the
// poll-secret cookie, which only this browser holds and which is scoped to
// that path; the completion in addition by the browser binding and CSRF
// token of the authorization request, like every login form.

// qrCookie holds the poll secret of one QR session. Its Path is the
// session's own prefix, so several tabs keep their secrets apart and no
// other request carries it; SameSite=Strict, since only the page's own
// requests need it.
const qrCookie = "gjjid_qr"

// qrCookieSlack keeps the cookie a little past the session's expiry, so
// the page still learns that it expired.
const qrCookieSlack = time.Minute

func (l *Login) registerCrossDevice(e *echo.Echo) {
	e.GET("/login/:connector/qr/:qr/events", l.qrEvents)
	e.GET("/login/:connector/qr/:qr/poll", l.qrPoll)
	e.GET("/login/:connector/qr/:qr/image.png", l.qrImage)
	e.POST("/login/:connector/qr/:qr/complete", l.qrComplete)
}

// qrBase is the path prefix of one session's browser endpoints.
func qrBase(connector, id string) string {
	return "/login/" + url.PathEscape(connector) + "/qr/" + url.PathEscape(id)
}

// qrPage is the data of qr.html.
type qrPage struct {
	page
	ConnectorName, Error                                  string
	QRID, Content                                         string
	Image                                                 template.URL // data: URL of the PNG
	ImageSize                                             int
	ImageURL, EventsURL, PollURL, CompleteURL, RefreshURL string
	BackURL                                               string
}

// showCrossDevice starts a challenge and shows its QR code; msg is an
// error from an earlier attempt.
func (l *Login) showCrossDevice(c echo.Context, ar *store.AuthRequest, cl *store.Client, lang string, cd connectors.CrossDevice, msg string) error {
	r := c.Request()
	usable, _ := l.usable(cl, ar)
	p := qrPage{page: l.base(c, ar, cl, lang), ConnectorName: cd.DisplayName(lang), Error: msg,
		RefreshURL: "/login/" + url.PathEscape(cd.ID()) + "?id=" + url.QueryEscape(ar.ID) + "&lang=" + lang}
	if len(usable) > 1 {
		p.BackURL = URL(ar.ID) + "&lang=" + lang
	}
	ch, err := traced(r.Context(), l, stepBegin, cd, func(ctx context.Context) (connectors.Challenge, error) {
		return cd.Start(ctx, connectors.CrossDeviceRequest{AuthRequestID: ar.ID, ClientID: ar.ClientID,
			ACRValues: ar.ACRValues, RemoteIP: c.RealIP(), UserAgent: r.UserAgent()})
	})
	if err != nil {
		le := l.refusal(c, cd.ID(), "qr_", err)
		if le == nil {
			return nil
		}
		p.Error = le.Text(lang)
		status := http.StatusOK
		if le.Code == "rate_limited" {
			status = http.StatusTooManyRequests
		}
		return l.o.Pages.Render(c.Response(), status, "qr", p)
	}
	base := qrBase(cd.ID(), ch.ID)
	http.SetCookie(c.Response(), &http.Cookie{Name: qrCookie, Value: ch.PollSecret, Path: base + "/", HttpOnly: true,
		Secure: l.o.CookieSecure, SameSite: http.SameSiteStrictMode, MaxAge: int((time.Until(ch.ExpiresAt) + qrCookieSlack).Seconds())})
	q := "?id=" + url.QueryEscape(ar.ID)
	p.QRID, p.Content = ch.ID, ch.Content
	p.Image = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(ch.Image))
	p.ImageSize = 240
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(ch.Image)); err == nil {
		p.ImageSize = cfg.Width
	}
	p.ImageURL, p.EventsURL, p.PollURL, p.CompleteURL = base+"/image.png"+q, base+"/events"+q, base+"/poll"+q, base+"/complete?lang="+lang
	return l.o.Pages.Render(c.Response(), http.StatusOK, "qr", p)
}

// qrTarget finds the cross-device connector, the session ID and the poll
// secret of a browser endpoint; ok is false (and the answer written) when
// any is missing.
func (l *Login) qrTarget(c echo.Context) (cd connectors.CrossDevice, id, secret string, ok bool) {
	cd, _ = l.byID[c.Param("connector")].(connectors.CrossDevice)
	id = c.Param("qr")
	if ck, err := c.Request().Cookie(qrCookie); err == nil {
		secret = ck.Value
	}
	if cd == nil || id == "" || secret == "" {
		_ = qrError(c, http.StatusNotFound, "not_found")
		return nil, "", "", false
	}
	return cd, id, secret, true
}

// qrStatus is a status as the page's script reads it.
type qrStatus struct {
	State     string `json:"state"`
	Name      string `json:"name,omitempty"`
	Ticket    string `json:"ticket,omitempty"`
	ExpiresIn int    `json:"expires_in"`
}

func toQRStatus(s connectors.CrossDeviceStatus, now time.Time) qrStatus {
	return qrStatus{State: s.State, Name: s.Name, Ticket: s.Ticket, ExpiresIn: max(0, int(s.ExpiresAt.Sub(now).Seconds()))}
}

func qrError(c echo.Context, status int, code string) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, map[string]string{"error": code})
}

// qrStatusError answers a failed Status: 404 for an unknown session or a
// wrong secret (alike), 429 past the poll limit, 503 or 500 otherwise.
func (l *Login) qrStatusError(c echo.Context, err error) error {
	if le, ok := connectors.AsLoginError(err); ok {
		if le.Code == "rate_limited" {
			return qrError(c, http.StatusTooManyRequests, le.Code)
		}
		return qrError(c, http.StatusNotFound, "not_found")
	}
	if errors.Is(err, store.ErrUnavailable) { // the connectors contract's, as the store's
		return qrError(c, http.StatusServiceUnavailable, "unavailable")
	}
	l.log.ErrorContext(c.Request().Context(), "qr status", "err", err)
	return qrError(c, http.StatusInternalServerError, "internal")
}

// qrPoll is the long poll: it answers at once when the state differs from
// the one the page knows (?state=), otherwise when it changes, when the
// session expires or after the connector's poll timeout.
func (l *Login) qrPoll(c echo.Context) error {
	cd, id, secret, ok := l.qrTarget(c)
	if !ok {
		return nil
	}
	ctx := c.Request().Context()
	known := c.QueryParam("state")
	// Watch before the first read: no change can fall between the two.
	woken := make(chan struct{}, 1)
	stop := cd.Watch(id, func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	})
	defer stop()
	st, err := cd.Status(ctx, id, secret, true)
	if err != nil {
		return l.qrStatusError(c, err)
	}
	if st.State == known && !st.Final() {
		timer := time.NewTimer(min(cd.PollTimeout(), time.Until(st.ExpiresAt)+50*time.Millisecond))
		defer timer.Stop()
		for timedOut := false; !timedOut && st.State == known && !st.Final(); {
			select {
			case <-woken:
			case <-timer.C:
				timedOut = true
			case <-ctx.Done():
				return nil
			}
			if st, err = cd.Status(ctx, id, secret, false); err != nil {
				return l.qrStatusError(c, err)
			}
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, toQRStatus(st, time.Now()))
}

// qrImage is the QR code at its own URL, for the holder of the poll secret.
func (l *Login) qrImage(c echo.Context) error {
	cd, id, secret, ok := l.qrTarget(c)
	if !ok {
		return nil
	}
	png, err := cd.Image(c.Request().Context(), id, secret)
	if err != nil {
		return l.qrStatusError(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

// qrComplete redeems the ticket the page received with "confirmed": for
// this browser's authorization request (binding cookie and CSRF token),
// with the session's poll secret, once. The app user then logs in like any
// other identity (SSO session, unit choice, completion).
func (l *Login) qrComplete(c echo.Context) error {
	r := c.Request()
	ar, cl, lang, cn := l.formConnector(c)
	if cn == nil {
		return nil
	}
	cd, ok := cn.(connectors.CrossDevice)
	if !ok {
		l.ErrorPage(c.Response(), r, http.StatusNotFound, "no_connector")
		return nil
	}
	id := c.Param("qr")
	var secret string
	if ck, err := r.Cookie(qrCookie); err == nil {
		secret = ck.Value
	}
	ident, err := traced(r.Context(), l, stepFinish, cd, func(ctx context.Context) (connectors.Identity, error) {
		return cd.Redeem(ctx, connectors.Redemption{ID: id, PollSecret: secret, Ticket: r.PostFormValue("ticket"), AuthRequestID: ar.ID})
	})
	if err != nil {
		le := l.refusal(c, cd.ID(), "", err)
		if le == nil {
			return nil
		}
		return l.showCrossDevice(c, ar, cl, lang, cd, le.Text(lang))
	}
	http.SetCookie(c.Response(), &http.Cookie{Name: qrCookie, Value: "", Path: qrBase(cd.ID(), id) + "/", HttpOnly: true,
		Secure: l.o.CookieSecure, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if !acrSatisfies(ident.ACR, ar.ACRValues) {
		// The app session was weaker than the request demands: the scan
		// refuses such sessions, so this is a level changed in between.
		l.onLogin(cd.ID(), "weak_method")
		l.ErrorPage(c.Response(), r, http.StatusForbidden, "weak_method")
		return nil
	}
	l.onLogin(cd.ID(), "success")
	return l.loggedIn(c, ar, ident)
}
