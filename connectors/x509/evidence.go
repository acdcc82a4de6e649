package x509

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gjjid/gjjid/connectors"
)

// Caps on what a browser or proxy may present: a real chain is two or
// three certificates of a few KiB, a signature a few hundred bytes, a
// PKCS #7 with its certificates a few KiB.
const (
	// DefaultMaxChain is the default cap on presented certificates.
	DefaultMaxChain = 5
	// MaxCertificateField caps the posted certificate text.
	MaxCertificateField = 64 << 10
	// MaxSignatureField caps the posted signature text.
	MaxSignatureField = 64 << 10
	// MaxChallenge caps the challenge.
	MaxChallenge = 256
)

// Signature formats.
const (
	FormatRaw   = "raw"
	FormatPKCS7 = "pkcs7"
)

// errEvidence marks evidence that cannot be read; its text is safe to log.
var errEvidence = errors.New("unreadable evidence")

// evidence is Evidence parsed: the leaf, the other presented
// certificates, and for a challenge-signature what was signed and how.
type evidence struct {
	leaf          *cert
	intermediates []*cert
	mtls          bool
	challenge     []byte
	raw           []byte      // raw signature
	cms           *signedData // PKCS #7 signature
}

// parseEvidence checks sizes and syntax; it verifies nothing.
func parseEvidence(e connectors.Evidence, maxChain int) (*evidence, error) {
	if maxChain <= 0 {
		maxChain = DefaultMaxChain
	}
	if len(e.Chain) > 0 {
		certs, err := parseDERs(e.Chain, maxChain)
		if err != nil {
			return nil, err
		}
		return &evidence{leaf: certs[0], intermediates: certs[1:], mtls: true}, nil
	}
	if e.Challenge == "" || len(e.Challenge) > MaxChallenge {
		return nil, fmt.Errorf("%w: no challenge", errEvidence)
	}
	if len(e.Certificate) > MaxCertificateField || len(e.Signature) > MaxSignatureField {
		return nil, fmt.Errorf("%w: certificate or signature too large", errEvidence)
	}
	ev := &evidence{challenge: []byte(e.Challenge)}
	sig, err := decodeBase64(e.Signature)
	if err != nil || len(sig) == 0 {
		return nil, fmt.Errorf("%w: signature is not base64", errEvidence)
	}
	switch e.Format {
	case FormatPKCS7:
		if ev.cms, err = parseSignedData(sig); err != nil {
			return nil, err
		}
	case FormatRaw:
		ev.raw = sig
	case "":
		if sd, err := parseSignedData(sig); err == nil {
			ev.cms = sd
		} else {
			ev.raw = sig
		}
	default:
		return nil, fmt.Errorf("%w: format must be raw or pkcs7", errEvidence)
	}
	var ders [][]byte
	if strings.TrimSpace(e.Certificate) != "" {
		if ders, err = decodeCertificates(e.Certificate, maxChain); err != nil {
			return nil, err
		}
	}
	if ev.cms != nil {
		// A PKCS #7 names its signer and usually carries it: that is the
		// leaf unless the page posted one; the rest may be intermediates.
		for _, d := range ev.cms.certs {
			if !slices.ContainsFunc(ders, func(x []byte) bool { return bytes.Equal(x, d) }) {
				ders = append(ders, d)
			}
		}
	}
	if len(ders) == 0 {
		return nil, fmt.Errorf("%w: no certificate", errEvidence)
	}
	if len(ders) > maxChain {
		return nil, fmt.Errorf("%w: more than %d certificates", errEvidence, maxChain)
	}
	certs, err := parseDERs(ders, maxChain)
	if err != nil {
		return nil, err
	}
	ev.leaf, ev.intermediates = certs[0], certs[1:]
	if ev.cms != nil && strings.TrimSpace(e.Certificate) == "" {
		// No posted certificate: the leaf is the signer the PKCS #7 names.
		for i, c := range certs {
			if ev.cms.signedBy(c) {
				ev.leaf = c
				ev.intermediates = append(append([]*cert{}, certs[:i]...), certs[i+1:]...)
				break
			}
		}
	}
	return ev, nil
}

func parseDERs(ders [][]byte, maxChain int) ([]*cert, error) {
	if len(ders) > maxChain {
		return nil, fmt.Errorf("%w: more than %d certificates", errEvidence, maxChain)
	}
	out := make([]*cert, 0, len(ders))
	for i, d := range ders {
		c, err := parseCert(d)
		if err != nil {
			return nil, fmt.Errorf("%w: certificate %d: %w", errEvidence, i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// decodeCertificates reads PEM CERTIFICATE blocks, or one base64 DER
// certificate (what CA components export).
func decodeCertificates(s string, maxChain int) ([][]byte, error) {
	if strings.Contains(s, "-----BEGIN") {
		var out [][]byte
		rest := []byte(s)
		for len(out) <= maxChain {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type == "CERTIFICATE" {
				out = append(out, b.Bytes)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%w: no PEM CERTIFICATE block", errEvidence)
		}
		return out, nil
	}
	der, err := decodeBase64(s)
	if err != nil || len(der) == 0 {
		return nil, fmt.Errorf("%w: certificate is neither PEM nor base64 DER", errEvidence)
	}
	return [][]byte{der}, nil
}

// decodeBase64 accepts standard or URL-safe base64, padded or not, with
// line breaks (CA components wrap at 64 or 76 characters).
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
