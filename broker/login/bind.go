package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
	"github.com/gjjid/gjjid/connectors/sealed"
)

// Self-binding (link policy self-bind): an upstream identity nobody linked
// yet (a first Alipay or WeChat login) proves an existing person once, by
// logging in with one of the broker's own form connectors (ID number and
// agent password, or an SMS code to the registered mobile). Those
// connectors bring their lockouts and send limits; the binding page adds a
// per-IP limit. Then the link (connector, subject) → person is stored and
// the login goes on as the upstream identity.

// pendingBind is an upstream identity waiting for its binding, kept under
// the hash of a ticket only this browser holds.
type pendingBind struct {
	AuthRequestID string              `json:"ar"`
	BrowserID     string              `json:"b"`
	Identity      connectors.Identity `json:"id"`
	// Unit is set for a certificate login waiting for its second factor
	// (secondfactor.go): the unit the certificate proved. Thumbprint is
	// that login's RFC 8705 x5t#S256, for the session.
	Unit       string `json:"u,omitempty"`
	Thumbprint string `json:"x5t,omitempty"`
}

// bindTTL is how long the user has to prove who they are.
const bindTTL = 10 * time.Minute

func bindKey(ticket string) string { return "bind:" + secrets.Hash(ticket) }

// The parked identity may carry an upstream name or nickname, so the store
// keeps it sealed under a key derived from the ticket (package sealed): it
// is stored under the ticket's hash, and only the browser holding the
// ticket can read it back. No broker key is involved, so there is none to
// manage.
const bindSealPurpose = "gjjid self-bind pending identity v1"

// sealPending encrypts p for the holder of ticket.
func sealPending(ticket string, p pendingBind) ([]byte, error) {
	b, err := sealed.Seal(ticket, bindSealPurpose, p)
	if err != nil {
		return nil, fmt.Errorf("login: pending binding: %w", err)
	}
	return b, nil
}

// openPending reverses sealPending; any other ticket or a changed record
// fails.
func openPending(ticket string, b []byte) (pendingBind, error) {
	var p pendingBind
	if err := sealed.Open(ticket, bindSealPurpose, b, &p); err != nil {
		return pendingBind{}, fmt.Errorf("login: pending binding: %w", err)
	}
	return p, nil
}

// startBinding parks the identity and shows the binding page.
func (l *Login) startBinding(c echo.Context, ar *store.AuthRequest, id connectors.Identity) error {
	return l.park(c, ar, pendingBind{AuthRequestID: ar.ID, BrowserID: ar.BrowserID, Identity: id})
}

// park keeps p sealed for this browser and shows the binding page (or,
// for a second factor, the agent's password page).
func (l *Login) park(c echo.Context, ar *store.AuthRequest, p pendingBind) error {
	ticket := secrets.Random(32)
	rec, err := sealPending(ticket, p)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	if err := l.o.Store.SetValue(c.Request().Context(), bindKey(ticket), rec, bindTTL); err != nil {
		l.fail(c, err, "")
		return nil
	}
	return c.Redirect(http.StatusSeeOther, "/login/bind?id="+url.QueryEscape(ar.ID)+"&t="+url.QueryEscape(ticket))
}

// pending loads the parked identity of ticket for this auth request and
// browser, or renders the error page and returns nil.
func (l *Login) pending(c echo.Context, ar *store.AuthRequest, ticket string) *pendingBind {
	raw, err := l.o.Store.GetValue(c.Request().Context(), bindKey(ticket))
	if errors.Is(err, store.ErrNotFound) || ticket == "" {
		l.ErrorPage(c.Response(), c.Request(), http.StatusBadRequest, "invalid_state")
		return nil
	}
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	p, err := openPending(ticket, raw)
	if err != nil || p.AuthRequestID != ar.ID || p.BrowserID != ar.BrowserID {
		l.ErrorPage(c.Response(), c.Request(), http.StatusBadRequest, "invalid_state")
		return nil
	}
	return &p
}

// proofMethods are the connectors that can prove a person: every form
// connector configured, whatever the client allows (the proof is about
// the person, not about this client's sign-in methods).
func (l *Login) proofMethods() []connectors.PasswordLogin {
	var out []connectors.PasswordLogin
	for _, cn := range l.o.Connectors {
		if pl, ok := cn.(connectors.PasswordLogin); ok {
			out = append(out, pl)
		}
	}
	return out
}

func (l *Login) proofMethod(p *pendingBind, via string) connectors.PasswordLogin {
	ms := l.proofMethodsFor(p)
	for _, m := range ms {
		if m.ID() == via {
			return m
		}
	}
	if len(ms) > 0 {
		return ms[0]
	}
	return nil
}

func (l *Login) showBind(c echo.Context) error {
	ar, cl, lang := l.request(c, c.QueryParam("id"))
	if ar == nil {
		return nil
	}
	p := l.pending(c, ar, c.QueryParam("t"))
	if p == nil {
		return nil
	}
	return l.renderBind(c, http.StatusOK, ar, cl, lang, c.QueryParam("t"), p, l.proofMethod(p, c.QueryParam("via")), "", "", "")
}

func (l *Login) renderBind(c echo.Context, status int, ar *store.AuthRequest, cl *store.Client, lang, ticket string, p *pendingBind, via connectors.PasswordLogin, user, msg, notice string) error {
	if via == nil {
		l.ErrorPage(c.Response(), c.Request(), http.StatusBadRequest, "no_bind_method")
		return nil
	}
	type method struct {
		Name, URL string
		Current   bool
	}
	var methods []method
	for _, m := range l.proofMethodsFor(p) {
		methods = append(methods, method{Name: m.DisplayName(lang), Current: m.ID() == via.ID(),
			URL: "/login/bind?id=" + url.QueryEscape(ar.ID) + "&t=" + url.QueryEscape(ticket) + "&via=" + url.QueryEscape(m.ID()) + "&lang=" + lang})
	}
	upstream := p.Identity.ConnectorID
	if cn, ok := l.byID[upstream]; ok {
		upstream = cn.DisplayName(lang)
	}
	_, codeSender := via.(connectors.CodeSender)
	return l.o.Pages.Render(c.Response(), status, "bind", struct {
		page
		UpstreamName, Ticket, Via, User, Error, Notice string
		Methods                                        []method
		CodeSender, SecondFactor                       bool
	}{l.base(c, ar, cl, lang), upstream, ticket, via.ID(), user, msg, notice, methods, codeSender, p.Unit != ""})
}

// bind handles the binding form: send a code, or prove the person and link.
func (l *Login) bind(c echo.Context) error {
	r := c.Request()
	ctx := r.Context()
	ar, cl, lang := l.form(c)
	if ar == nil {
		return nil
	}
	ticket := r.PostFormValue("t")
	p := l.pending(c, ar, ticket)
	if p == nil {
		return nil
	}
	via := l.proofMethod(p, r.PostFormValue("via"))
	if via == nil {
		l.ErrorPage(c.Response(), r, http.StatusBadRequest, "no_bind_method")
		return nil
	}
	user := strings.TrimSpace(r.PostFormValue("user"))
	ip := c.RealIP()
	n, err := l.ipAttempts(ctx, "bind", ip, 10*time.Minute)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	if int(n) > l.o.IPRateLimit {
		l.onLogin(p.Identity.ConnectorID, "bind_rate_limited")
		return l.renderBind(c, http.StatusTooManyRequests, ar, cl, lang, ticket, p, via, user, web.Text(lang, "err_rate_limited"), "")
	}
	if r.PostFormValue("action") == "send" {
		cs, ok := via.(connectors.CodeSender)
		if !ok {
			l.ErrorPage(c.Response(), r, http.StatusBadRequest, "no_bind_method")
			return nil
		}
		if err := tracedErr(ctx, l, stepBegin, via, func(ctx context.Context) error {
			return cs.SendCode(ctx, connectors.Credentials{User: user, RemoteIP: ip})
		}); err != nil {
			if le, ok := connectors.AsLoginError(err); ok {
				return l.renderBind(c, refusalStatus(le), ar, cl, lang, ticket, p, via, user, le.Text(lang), "")
			}
			l.fail(c, err, "")
			return nil
		}
		return l.renderBind(c, http.StatusOK, ar, cl, lang, ticket, p, via, user, "", web.Text(lang, "code_sent"))
	}
	proof, err := traced(ctx, l, stepFinish, via, func(ctx context.Context) (connectors.Identity, error) {
		return via.Login(ctx, connectors.Credentials{User: user, Secret: r.PostFormValue("secret"), RemoteIP: ip})
	})
	if err != nil {
		l.recordFailure(c, ar, via.ID(), maskLogin(user), err)
		if le, ok := connectors.AsLoginError(err); ok {
			l.onLogin(p.Identity.ConnectorID, "bind_"+le.Code)
			return l.renderBind(c, refusalStatus(le), ar, cl, lang, ticket, p, via, user, le.Text(lang), "")
		}
		l.fail(c, err, "")
		return nil
	}
	if p.Unit != "" {
		return l.secondFactorProved(c, ar, cl, lang, ticket, p, via, user, proof)
	}
	// One binding per ticket: a second submit finds nothing.
	if _, err := l.o.Store.TakeValue(ctx, bindKey(ticket)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			l.ErrorPage(c.Response(), r, http.StatusBadRequest, "invalid_state")
			return nil
		}
		l.fail(c, err, "")
		return nil
	}
	switch err := l.o.Resolver.Link(ctx, p.Identity, proof.Subject); {
	case errors.Is(err, store.ErrConflict):
		// Linked meanwhile (a second tab): resolution below decides.
	case err != nil:
		l.fail(c, err, "")
		return nil
	default:
		l.record(c, audit.Event{Type: audit.LinkCreate, Action: "self-bind", Connector: p.Identity.ConnectorID, Client: ar.ClientID,
			Principal: proof.Subject, Subject: maskSubject(p.Identity.Subject), Actor: "person:" + proof.Subject,
			After: map[string]any{"connector": p.Identity.ConnectorID, "proved_by": via.ID(), "created_by": "self-bind"}})
	}
	l.onLogin(p.Identity.ConnectorID, "bound")
	return l.loggedIn(c, ar, p.Identity)
}

// maskLogin masks a typed login (ID number, mobile) for the audit trail.
func maskLogin(user string) string {
	if m, err := ids.Mobile(user); err == nil {
		return ids.MaskMobile(m)
	}
	return ids.MaskID(strings.ToUpper(strings.TrimSpace(user)))
}

// maskSubject shortens an upstream subject (open_id, certificate hash) for
// the audit trail: enough to tell two apart, not enough to reuse.
func maskSubject(s string) string {
	if len(s) <= 8 {
		return ids.MaskID(s)
	}
	return s[:4] + "…" + s[len(s)-4:]
}
