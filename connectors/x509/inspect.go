package x509

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

var _ connectors.CertificateInspector = (*Connector)(nil)

// InspectCertificate checks a certificate presented at the counter (a USB
// key's .cer export in DER, PEM, or pasted base64): it must parse, be
// valid now and chain to one of the connector's CAs; the unit it names is
// found by the CA's extraction rules. PEM may carry the leaf's
// intermediates after it, as a login's evidence may. Nothing is bound here.
func (c *Connector) InspectCertificate(ctx context.Context, raw []byte) (connectors.CertificateInfo, error) {
	ders := [][]byte{raw}
	if s := string(raw); strings.Contains(s, "-----BEGIN") || !looksDER(raw) {
		var err error
		if ders, err = decodeCertificates(s, c.cfg.MaxChain); err != nil {
			return connectors.CertificateInfo{}, fmt.Errorf("x509: the certificate does not parse: %w", err)
		}
	}
	chain, err := parseDERs(ders, c.cfg.MaxChain)
	if err != nil {
		return connectors.CertificateInfo{}, fmt.Errorf("x509: the certificate does not parse: %w", err)
	}
	leaf, presented := chain[0], chain[1:]
	info := connectors.CertificateInfo{Subject: leaf.Subject.String(), Issuer: leaf.Issuer.String(),
		Serial: strings.ToUpper(leaf.SerialNumber.Text(16)), NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter,
		LinkSubject: ids.CertFingerprintOf(leaf.Raw)}
	now := c.now()
	if err := checkLeaf(leaf, now); err != nil {
		return info, fmt.Errorf("x509: %w", err)
	}
	var first error
	for i := range c.cfg.CAs {
		ca := &c.cfg.CAs[i]
		if _, err := ca.anchors.verifyChain(leaf, presented, now); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		info.CA = ca.Name
		if x, err := extract(leaf.Certificate, ca.Rules); err == nil && x.typ == IDCreditCode {
			info.UnitID = x.value
		} else if err != nil && !errors.Is(err, errNoIdentifier) {
			return info, fmt.Errorf("x509: %w", err)
		}
		return info, nil
	}
	return info, fmt.Errorf("x509: %w", first)
}

// looksDER reports whether b starts like a DER SEQUENCE.
func looksDER(b []byte) bool { return len(b) > 2 && b[0] == 0x30 }

// Errors InspectCertificate wraps, for the counter's messages.
var (
	ErrExpired   = errExpired
	ErrUntrusted = errUntrusted
)
