package x509

import (
	gox509 "crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// Reasons a certificate is refused before revocation is asked.
var (
	errExpired     = errors.New("certificate has expired")
	errNotYetValid = errors.New("certificate is not yet valid")
	errKeyUsage    = errors.New("certificate may not sign (key usage)")
	errUntrusted   = errors.New("certificate does not chain to a configured CA")
)

// anchors are one CA's trust anchors and intermediates, kept in both
// libraries' pools: crypto/x509 verifies RSA and ECDSA chains, smx509
// chains with any SM2 certificate (it reads every algorithm).
type anchors struct {
	roots, inter     *gox509.CertPool
	smRoots, smInter *smx509.CertPool
	hasStd, hasSM    bool
}

func newAnchors() *anchors {
	return &anchors{roots: gox509.NewCertPool(), inter: gox509.NewCertPool(), smRoots: smx509.NewCertPool(), smInter: smx509.NewCertPool()}
}

func (a *anchors) addRoot(c *cert) {
	a.smRoots.AddCert(c.smx())
	a.hasSM = true
	if !c.sm {
		a.roots.AddCert(c.Certificate)
		a.hasStd = true
	}
}

func (a *anchors) addIntermediate(c *cert) {
	a.smInter.AddCert(c.smx())
	if !c.sm {
		a.inter.AddCert(c.Certificate)
	}
}

// checkLeaf checks the leaf on its own: validity period and key usage
// (digitalSignature where the extension is present: an SM2 pair's
// encryption certificate must not log in).
func checkLeaf(c *cert, now time.Time) error {
	switch {
	case now.Before(c.NotBefore):
		return errNotYetValid
	case now.After(c.NotAfter):
		return errExpired
	case c.KeyUsage != 0 && c.KeyUsage&gox509.KeyUsageDigitalSignature == 0:
		return errKeyUsage
	}
	return nil
}

// verifyChain builds a chain from leaf through the presented and
// configured intermediates to one of a's roots, valid at now, with
// clientAuth allowed wherever a certificate lists extended key usages. It
// returns the chain, leaf first.
func (a *anchors) verifyChain(leaf *cert, presented []*cert, now time.Time) ([]*cert, error) {
	useSM := leaf.sm
	for _, c := range presented {
		useSM = useSM || c.sm
	}
	eku := []gox509.ExtKeyUsage{gox509.ExtKeyUsageClientAuth}
	if !useSM && a.hasStd {
		inter := a.inter.Clone()
		for _, c := range presented {
			inter.AddCert(c.Certificate)
		}
		chains, err := leaf.Verify(gox509.VerifyOptions{Roots: a.roots, Intermediates: inter, CurrentTime: now, KeyUsages: eku})
		if err != nil {
			return nil, classify(err)
		}
		return wrapChain(chains[0], false), nil
	}
	if !a.hasSM {
		return nil, errUntrusted
	}
	inter := a.smInter.Clone()
	for _, c := range presented {
		inter.AddCert(c.smx())
	}
	chains, err := leaf.smx().Verify(smx509.VerifyOptions{Roots: a.smRoots, Intermediates: inter, CurrentTime: now, KeyUsages: eku})
	if err != nil {
		return nil, classify(err)
	}
	out := make([]*cert, len(chains[0]))
	for i, c := range chains[0] {
		sm, _ := isSM2(c.Raw)
		out[i] = &cert{Certificate: c.ToX509(), sm: sm}
	}
	return out, nil
}

func wrapChain(chain []*gox509.Certificate, sm bool) []*cert {
	out := make([]*cert, len(chain))
	for i, c := range chain {
		out[i] = &cert{Certificate: c, sm: sm}
	}
	return out
}

// classify maps a verification error to our reasons.
func classify(err error) error {
	var inv gox509.CertificateInvalidError
	if errors.As(err, &inv) {
		switch inv.Reason {
		case gox509.Expired:
			return fmt.Errorf("%w: %v", errExpired, err)
		case gox509.IncompatibleUsage:
			return fmt.Errorf("%w: %v", errKeyUsage, err)
		}
	}
	return fmt.Errorf("%w: %v", errUntrusted, err)
}
