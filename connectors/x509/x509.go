// Package x509 is the certificate login: unit digital certificates (单位数字
// 证书) and CA certificates bound at the fund's counter, presented over
// mutual TLS or as a signature over a one-time challenge (how Chinese CA
// browser components work), RSA, ECDSA or SM2.
//
// Authenticate verifies, in this order: the evidence's syntax and size;
// the signature over the challenge (raw or PKCS #7/CMS); the leaf's
// validity period and key usage; a chain to one configured CA's roots;
// revocation (OCSP where the certificate names a responder, CRLs cached
// until nextUpdate, fail closed after a grace); then the CA's extraction
// rules find the credit code or ID number and check its check digit.
//
// The challenge itself (issuing, single use, binding to the browser's
// login attempt) is the broker's: Authenticate is given one it already
// consumed. Protocol notes: docs/connectors-certificates.md.
package x509

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// Type is the registry type of this connector.
const Type = "x509"

// RFC 8176 §2 methods: proof of possession of a hardware- or
// software-secured key.
const (
	AMRHardware = "hwk"
	AMRSoftware = "swk"
)

var (
	_ connectors.CertificateLogin = (*Connector)(nil)
	_ connectors.Assurance        = (*Connector)(nil)
	_ connectors.SecondFactor     = (*Connector)(nil)
)

// Connector is an opened certificate connector.
type Connector struct {
	id, name, nameEN string
	cfg              Config
	rev              *revocationChecker
	now              func() time.Time
	log              connectors.Logger
}

// Factory opens x509 connectors for the registry.
var Factory = connectors.FactoryOf(Open)

// Open validates spec.Config and opens the connector.
func Open(spec connectors.Spec, deps connectors.Deps) (*Connector, error) {
	log := deps.Log()
	cfg, err := parseConfig(&spec.Config, spec.Path, log.Warn)
	if err != nil {
		return nil, err
	}
	// OCSP and CRL fetches: over the host's client (a tracing one), with
	// a minute's timeout unless the host set one.
	hc := &http.Client{Timeout: time.Minute}
	if deps.HTTPClient != nil {
		c := *deps.HTTPClient
		if c.Timeout == 0 {
			c.Timeout = time.Minute
		}
		hc = &c
	}
	now := deps.Clock()
	return &Connector{id: spec.ID, name: spec.Name, nameEN: spec.NameEN, cfg: cfg, now: now, log: log,
		rev: newRevocationChecker(hc, now)}, nil
}

func (c *Connector) ID() string   { return c.id }
func (c *Connector) Type() string { return Type }

// DisplayName is the button label.
func (c *Connector) DisplayName(lang string) string {
	if lang == "en" && c.nameEN != "" {
		return c.nameEN
	}
	if c.name != "" {
		return c.name
	}
	if lang == "en" {
		return "Certificate"
	}
	return "数字证书登录"
}

// ACR is the strongest level the connector's logins reach: the configured
// level (default the broker's highest) when a CA holds hardware keys, else
// that of its software-key CAs.
func (c *Connector) ACR() string {
	for i := range c.cfg.CAs {
		if !c.cfg.CAs[i].Software {
			return c.cfg.ACR
		}
	}
	return softwareACR(c.cfg.ACR)
}

// SecondFactor is the configured second step ("" or "password").
func (c *Connector) SecondFactor() string { return c.cfg.SecondFactor }

// softwareACR caps a configured level at SoftwareACR (the levels'
// names sort by strength: gjj:loa:1 < gjj:loa:2 < gjj:loa:3).
func softwareACR(configured string) string {
	return min(configured, SoftwareACR)
}

// AcceptsMTLS reports whether mTLS-presented certificates are accepted.
func (c *Connector) AcceptsMTLS() bool { return c.cfg.MTLS }

// ComponentOrigins are the loopback origins of the CA's local component
// the certificate page may connect to (its CSP connect-src).
func (c *Connector) ComponentOrigins() []string { return slices.Clone(c.cfg.ComponentOrigins) }

// AcceptsChallenge reports whether challenge-signatures are accepted.
func (c *Connector) AcceptsChallenge() bool { return c.cfg.Challenge }

// Authenticate verifies the evidence and returns the certificate's
// identity: Subject is the fingerprint link subject, AltSubjects the
// issuer + serial one (a counter binding may use either).
func (c *Connector) Authenticate(ctx context.Context, e connectors.Evidence) (connectors.Identity, error) {
	ev, err := parseEvidence(e, c.cfg.MaxChain)
	if err != nil {
		return connectors.Identity{}, loginError("bad_evidence", err)
	}
	if ev.mtls && !c.cfg.MTLS || !ev.mtls && !c.cfg.Challenge {
		return connectors.Identity{}, loginError("method_disabled", errors.New("presentation not enabled for this connector"))
	}
	if !ev.mtls {
		if ev.cms != nil {
			err = ev.cms.verify(ev.leaf, ev.challenge)
		} else {
			err = verifyRaw(ev.leaf, ev.challenge, ev.raw)
		}
		if err != nil {
			return connectors.Identity{}, loginError("bad_signature", err)
		}
	}
	now := c.now()
	if err := checkLeaf(ev.leaf, now); err != nil {
		return connectors.Identity{}, loginError(reasonCode(err), err)
	}
	var (
		chain []*cert
		ca    *CA
		first error
	)
	for i := range c.cfg.CAs {
		ch, err := c.cfg.CAs[i].anchors.verifyChain(ev.leaf, ev.intermediates, now)
		if err == nil {
			chain, ca = ch, &c.cfg.CAs[i]
			break
		}
		if first == nil || !errors.Is(err, errUntrusted) {
			first = err
		}
	}
	if chain == nil {
		return connectors.Identity{}, loginError(reasonCode(first), first)
	}
	if len(chain) < 2 {
		return connectors.Identity{}, loginError("untrusted", fmt.Errorf("%w: a root certificate cannot log in", errUntrusted))
	}
	if err := c.rev.check(ctx, ca.Revocation, ev.leaf, chain[1]); err != nil {
		if !errors.Is(err, errRevoked) {
			c.log.WarnContext(ctx, "x509: revocation status unavailable; login refused", "connector", c.id, "ca", ca.Name, "err", err)
		}
		return connectors.Identity{}, loginError(reasonCode(err), err)
	}
	return c.identity(ev.leaf, ca)
}

// identity builds the Identity of a verified leaf.
func (c *Connector) identity(leaf *cert, ca *CA) (connectors.Identity, error) {
	id := connectors.Identity{ConnectorID: c.id, Subject: ids.CertFingerprintOf(leaf.Raw), Kind: ca.Kind,
		Name: holderName(leaf), AMR: []string{AMRHardware}, ACR: c.cfg.ACR, LinkPolicy: c.cfg.LinkPolicy,
		Claims: map[string]any{"ca": ca.Name, "cert_serial": hex.EncodeToString(leaf.SerialNumber.Bytes())}}
	if ca.Software {
		id.AMR, id.ACR = []string{AMRSoftware}, softwareACR(c.cfg.ACR)
	}
	if is, err := ids.CertIssuerSerialOfCert(leaf.Certificate); err == nil {
		id.AltSubjects = []string{is}
	}
	if len(ca.Rules) == 0 {
		return id, nil // bound: the counter's binding names the principal
	}
	x, err := extract(leaf.Certificate, ca.Rules)
	if err != nil {
		if errors.Is(err, errNoIdentifier) && c.cfg.LinkPolicy == connectors.LinkBound {
			return id, nil
		}
		return connectors.Identity{}, loginError(reasonCode(err), err)
	}
	switch x.typ {
	case IDCreditCode:
		id.UnitID = x.value
		id.Claims["credit_code"] = x.value
	case IDOrgCode:
		id.Claims["org_code"] = x.value
	case IDResident:
		id.Claims["id_type"], id.Claims["id_number"] = IDResident, x.value
	}
	return id, nil
}

// holderName is the organisation, else the name inside a CFCA-style
// packed CN (type@identifier@name@sequence), else the CN.
func holderName(c *cert) string {
	if len(c.Subject.Organization) > 0 && c.Subject.Organization[0] != "" {
		return c.Subject.Organization[0]
	}
	if parts := strings.Split(c.Subject.CommonName, "@"); len(parts) >= 3 {
		return parts[2]
	}
	return c.Subject.CommonName
}

var _ connectors.CRLReporter = (*Connector)(nil)

// CRLs reports the CRLs this connector has fetched, for the broker's
// stale-CRL metric.
func (c *Connector) CRLs() []connectors.CRLStatus { return c.rev.status() }
