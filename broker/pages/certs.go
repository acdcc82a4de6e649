package pages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/admin"
	"github.com/gjjid/gjjid/broker/audit"
	"github.com/gjjid/gjjid/broker/ops"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Values is the short-lived key-value storage the certificate binding
// keeps its one-time challenges in (the broker's store).
type Values interface {
	SetValue(ctx context.Context, key string, value []byte, ttl time.Duration) error
	TakeValue(ctx context.Context, key string) ([]byte, error)
}

// bindChallengeTTL is how long a binding challenge may be signed, as at
// the certificate login: long enough to type a USB key's PIN.
const bindChallengeTTL = 2 * time.Minute

// bindChallenge is what the broker remembers of a binding challenge: for
// which page session, unit and connector it was issued.
type bindChallenge struct {
	Session   string `json:"s"` // SHA-256 of the session's CSRF seed
	Unit      string `json:"u"`
	Connector string `json:"c"`
}

func bindChallengeKey(ch string) string {
	h := sha256.Sum256([]byte(ch))
	return "pages:cert-bind:" + hex.EncodeToString(h[:])
}

func sessionHash(s *session) string {
	h := sha256.Sum256([]byte(s.CSRFSeed))
	return hex.EncodeToString(h[:])
}

// registerCertificates adds 网厅绑定CA证书: a unit binds a (renewed)
// certificate online by proving it holds the key — the certificate login's
// challenge signature, checked by the same connector — and unbinds one.
func (p *Pages) registerCertificates(e *echo.Echo) {
	e.GET("/unit/certificates/bind", p.signedIn(p.unitAdmitted(p.showBind)))
	e.POST("/unit/certificates/bind", p.guard(p.unitAdmitted(p.bindCertificate)))
	e.POST("/unit/certificates/unbind", p.guard(p.unitAdmitted(p.unbindCertificate)))
}

// certConnector is the certificate connector a binding is for: the one
// named, else the first that takes challenge signatures.
func (p *Pages) certConnector(id string) connectors.CertificateLogin {
	for _, cn := range p.o.Certificates {
		if cn.AcceptsChallenge() && (id == "" || cn.ID() == id) {
			return cn
		}
	}
	return nil
}

type certRow struct{ Connector, Subject, Label, Created, By string }

// unitCertificates lists the certificate links of the unit.
func (p *Pages) unitCertificates(ctx context.Context, unit string) ([]certRow, error) {
	links, err := p.o.Accounts.LinksOf(ctx, unit)
	if err != nil {
		return nil, err
	}
	var out []certRow
	for _, l := range links {
		if l.Kind != store.LinkUnit || !p.isCertConnector(l.Connector) {
			continue
		}
		out = append(out, certRow{Connector: l.Connector, Subject: l.Subject, Label: l.Label, Created: l.CreatedAt.In(chinaTime).Format("2006-01-02 15:04"), By: l.CreatedBy})
	}
	return out, nil
}

func (p *Pages) isCertConnector(id string) bool {
	for _, cn := range p.o.Certificates {
		if cn.ID() == id {
			return true
		}
	}
	return false
}

func (p *Pages) showBind(c echo.Context, s *session, who admin.UnitActor) error {
	if acr := p.o.Config.StepUp.BindCertificate; !p.fresh(s, acr) {
		return p.signin.start(c, "/unit/certificates/bind", stepUp{ACR: acr, MaxAge: p.o.Config.StepUp.MaxAge}, nil)
	}
	return p.renderBind(c, http.StatusOK, s, "")
}

func (p *Pages) renderBind(c echo.Context, status int, s *session, msg string) error {
	lang := p.lang(c)
	cn := p.certConnector("")
	if cn == nil || p.o.Values == nil {
		return p.fail(c, http.StatusNotFound, "err_no_connector", nil)
	}
	ch := secrets.Random(32)
	rec, _ := json.Marshal(bindChallenge{Session: sessionHash(s), Unit: s.Unit, Connector: cn.ID()})
	if err := p.o.Values.SetValue(c.Request().Context(), bindChallengeKey(ch), rec, bindChallengeTTL); err != nil {
		return p.storeFail(c, err)
	}
	if co, ok := cn.(interface{ ComponentOrigins() []string }); ok {
		// The CA's local component (a loopback service) may be reached
		// from this page only, as from the certificate login page.
		ops.AllowConnect(c.Response().Header(), co.ComponentOrigins()...)
	}
	f := p.frame(c, s, lang, web.Text(lang, "pg_bind_title"))
	f.Error = msg
	return p.render(c, status, "pg_bind", struct {
		frame
		Challenge, Connector string
		SignLabel            string // cert_signer's submit button
		DemoSigner           bool
	}{f, ch, cn.ID(), "pg_bind_submit", p.o.DemoSigner})
}

// bindCertificate binds a certificate to the signed-in unit. The proof
// must answer a challenge issued to this page session for this unit (one
// use: a replayed proof is refused), pass the certificate connector's
// checks (chain to a configured CA, validity, revocation, the signature)
// and name this unit (credit code, or its 组织机构代码). A pasted
// certificate without a signature proves nothing and is refused.
func (p *Pages) bindCertificate(c echo.Context, s *session, who admin.UnitActor) error {
	if acr := p.o.Config.StepUp.BindCertificate; !p.fresh(s, acr) {
		return p.signin.start(c, "/unit/certificates/bind", stepUp{ACR: acr, MaxAge: p.o.Config.StepUp.MaxAge}, nil)
	}
	ctx := c.Request().Context()
	lang := p.lang(c)
	deny := func(reason string, cause error) error {
		if cause != nil {
			p.log.InfoContext(ctx, "certificate binding refused", "unit", who.Unit, "reason", reason, "err", cause)
		}
		p.record(c, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: reason, Action: "links.create",
			Actor: who.ID, ActorUnit: who.Unit, Unit: who.Unit, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
		return p.renderBind(c, http.StatusBadRequest, s, web.Text(lang, "pg_cert_"+reason))
	}
	ch := c.FormValue("challenge")
	var rec bindChallenge
	raw, err := p.o.Values.TakeValue(ctx, bindChallengeKey(ch))
	switch {
	case ch == "" || errors.Is(err, store.ErrNotFound):
		return deny("bad_challenge", nil)
	case err != nil:
		return p.storeFail(c, err)
	case json.Unmarshal(raw, &rec) != nil || rec.Session != sessionHash(s) || rec.Unit != who.Unit:
		return deny("bad_challenge", nil)
	}
	cn := p.certConnector(rec.Connector)
	if cn == nil {
		return deny("bad_challenge", nil)
	}
	if strings.TrimSpace(c.FormValue("signature")) == "" {
		return deny("no_proof", nil)
	}
	id, err := cn.Authenticate(ctx, connectors.Evidence{Certificate: c.FormValue("certificate"), Signature: c.FormValue("signature"),
		Format: c.FormValue("format"), Challenge: ch})
	if err != nil {
		if le, ok := connectors.AsLoginError(err); ok {
			p.record(c, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "certificate_" + le.Code, Action: "links.create",
				Actor: who.ID, ActorUnit: who.Unit, Unit: who.Unit, Connector: cn.ID(), Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
			return p.renderBind(c, http.StatusBadRequest, s, le.Text(lang))
		}
		return p.storeFail(c, err)
	}
	org, _ := id.Claims["org_code"].(string)
	if id.UnitID != who.Unit && (org == "" || org != ids.OrgCodeFromCredit(who.Unit)) {
		return deny("other_unit", fmt.Errorf("certificate names %q / %q", id.UnitID, org))
	}
	l, err := p.o.Accounts.CreateLink(ctx, accountsLink(cn.ID(), id, who, boundCertLabel(ctx, cn, c.FormValue("certificate"), id.Name)))
	if errors.Is(err, store.ErrConflict) {
		return deny("already_bound", nil)
	}
	if err != nil {
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: audit.LinkCreate, Action: "links.create", Actor: who.ID, ActorUnit: who.Unit, Principal: who.Unit, Unit: who.Unit,
		Connector: cn.ID(), Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
		After: map[string]any{"connector": l.Connector, "subject": l.Subject, "kind": l.Kind, "unit_id": l.UnitID, "label": l.Label}})
	return c.Redirect(http.StatusSeeOther, "/unit?done=bound")
}

// boundCertLabel describes a certificate bound online for the unit's
// list, as the connector reads it (the pages decode no certificates
// themselves): holder, issuer, serial and validity. A connector that
// cannot inspect certificates leaves the holder's name alone.
func boundCertLabel(ctx context.Context, cn connectors.CertificateLogin, posted, holder string) string {
	ci, ok := cn.(connectors.CertificateInspector)
	if !ok {
		return holder
	}
	info, err := ci.InspectCertificate(ctx, []byte(posted))
	if err != nil {
		return holder
	}
	return certLabel(holder, info)
}

// certLabel is what a unit's certificate list shows of a bound
// certificate, bound at the counter or online: holder, issuer, serial,
// validity (the link keeps only this text and the subject).
func certLabel(holder string, info connectors.CertificateInfo) string {
	return fmt.Sprintf("%s · %s · %s · %s–%s", holder, info.Issuer, info.Serial,
		info.NotBefore.In(chinaTime).Format("2006-01-02"), info.NotAfter.In(chinaTime).Format("2006-01-02"))
}

// unbindCertificate removes one of the unit's certificate links; another
// unit's is refused, audited and left.
func (p *Pages) unbindCertificate(c echo.Context, s *session, who admin.UnitActor) error {
	ctx := c.Request().Context()
	l, err := p.o.Accounts.GetLink(ctx, c.FormValue("connector"), c.FormValue("subject"))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return p.storeFail(c, err)
	}
	lang := p.lang(c)
	if l == nil || l.Kind != store.LinkUnit || l.UnitID != who.Unit {
		p.record(c, audit.Event{Type: audit.AccessDenied, Outcome: audit.Denied, Reason: "not_unit_certificate", Action: "links.delete",
			Actor: who.ID, ActorUnit: who.Unit, Unit: who.Unit, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()})
		return p.renderUnit(c, http.StatusForbidden, s, who, lang, p.agentForm(lang, s), web.Text(lang, "pg_cert_not_unit_certificate"), "")
	}
	if _, err := p.o.Accounts.Unlink(ctx, l.Connector, l.Subject); err != nil {
		return p.storeFail(c, err)
	}
	p.record(c, audit.Event{Type: audit.LinkDelete, Action: "links.delete", Actor: who.ID, ActorUnit: who.Unit, Principal: who.Unit, Unit: who.Unit,
		Connector: l.Connector, Client: ClientID, IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
		Before: map[string]any{"connector": l.Connector, "subject": l.Subject, "kind": l.Kind, "unit_id": l.UnitID, "label": l.Label}})
	return c.Redirect(http.StatusSeeOther, "/unit?done=unbound")
}

func accountsLink(connector string, id connectors.Identity, who admin.UnitActor, label string) accounts.NewLink {
	return accounts.NewLink{Connector: connector, Subject: id.Subject, Kind: store.LinkUnit, UnitID: who.Unit, Label: label,
		CreatedBy: who.ID + " online"}
}
