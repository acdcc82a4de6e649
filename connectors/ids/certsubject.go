package ids

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The canonical link subjects of a certificate bound at the counter. The
// admin API that binds a certificate and the certificate connector that
// looks the binding up both derive them with the functions below, so the
// two sides produce byte-identical strings:
//
//	sha256:<64 lower-case hex digits>                       (fingerprint)
//	issuer-serial:<sha256 of the canonical issuer DN, hex>:<serial, hex>
const (
	fingerprintPrefix  = "sha256:"
	issuerSerialPrefix = "issuer-serial:"
)

// maxIssuerDN bounds the issuer DN text; real ones are a few hundred bytes.
const maxIssuerDN = 16 << 10

// maxSerialBytes is the RFC 5280 §4.1.2.2 limit on serial numbers. It is
// applied to the magnitude: a 20-byte serial whose DER encoding needs a
// leading zero byte is accepted.
const maxSerialBytes = 20

// CertFingerprint validates a certificate's SHA-256 fingerprint and returns
// its link subject, "sha256:" and 64 lower-case hex digits. It accepts the
// 64 hex digits in either case, optionally as pairs separated by colons or
// spaces, optionally prefixed by "sha256:" or by "sha256 Fingerprint=" (as
// openssl x509 -noout -fingerprint -sha256 prints it), in any case.
func CertFingerprint(s string) (string, error) {
	const what = "ids: certificate fingerprint"
	t := strings.TrimSpace(s)
	for _, p := range []string{"sha256 fingerprint=", "sha256:"} {
		if hasPrefixFold(t, p) {
			t = t[len(p):]
			break
		}
	}
	parts := strings.FieldsFunc(t, func(r rune) bool { return r == ':' || unicode.IsSpace(r) })
	digits := strings.Join(parts, "")
	for i := 0; i < len(digits); i++ {
		if !isHex(digits[i]) {
			return "", fmt.Errorf("%s: %w: only hex digits, and colons or spaces between pairs of them, are allowed", what, ErrCharacter)
		}
	}
	if len(parts) > 1 {
		for _, p := range parts {
			if len(p) != 2 {
				return "", fmt.Errorf("%s: %w: colons or spaces must separate pairs of hex digits", what, ErrSyntax)
			}
		}
	}
	if len(digits) != 2*sha256.Size {
		return "", fmt.Errorf("%s: %w: has %d hex digits, want 64 (SHA-256)", what, ErrLength, len(digits))
	}
	return fingerprintPrefix + strings.ToLower(digits), nil
}

// CertFingerprintOf returns the fingerprint link subject of a DER-encoded
// certificate: "sha256:" and the hex SHA-256 of der.
func CertFingerprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	return fingerprintPrefix + hex.EncodeToString(sum[:])
}

// CertIssuerSerial returns the link subject of the certificate with the
// given issuer DN and serial number:
// "issuer-serial:" + hex(SHA-256(canonical DN)) + ":" + the serial in
// lower-case hex without leading zeros.
//
// issuerDN is an RFC 4514 string, most specific RDN first, as
// `openssl x509 -noout -issuer -nameopt RFC2253` prints it (an "issuer="
// prefix is dropped) or as pkix.RDNSequence.String does; openssl's default
// output without -nameopt RFC2253 lists the RDNs the other way round and
// yields a different subject. The canonical DN is the RDNs joined by ",":
// spaces around RDNs, "+" and "=" are dropped; attribute types are
// upper-cased, with OIDs and long names mapped to the short names CN, C, O,
// OU, L, ST, STREET, SERIALNUMBER, POSTALCODE, DC, UID, EMAILADDRESS and a
// few more; the attributes of a multi-valued RDN are sorted (they form a
// set, which openssl and Go print in opposite orders). Values are kept
// exactly, case and inner spaces included, but their escaping is
// normalised to the one pkix.RDNSequence.String uses: escapes are decoded
// (openssl writes non-ASCII as \XX hex bytes), "#" hex DER values of string
// types are decoded to the string (Go prints the attribute types it does not
// name, e.g. DC, that way), and the result is re-escaped ("\," "\+" "\""
// "\\" "\<" "\>" "\;", a leading "#", a leading or trailing space; ASCII
// control characters and bytes that are not UTF-8 as \XX).
//
// serial is decimal digits, hex with a 0x prefix, hex pairs separated by
// colons (as openssl x509 -text prints long serials), openssl's
// "4096 (0x1000)" for short ones, or "serial=" and hex (as
// openssl x509 -noout -serial prints it); leading zeros are ignored. It must
// be positive and at most 20 bytes long (RFC 5280).
//
// Errors say whether the issuer or the serial number is wrong, without
// repeating either.
func CertIssuerSerial(issuerDN, serial string) (string, error) {
	dn, err := canonicalDN(issuerDN)
	if err != nil {
		return "", err
	}
	n, err := parseSerial(serial)
	if err != nil {
		return "", err
	}
	return issuerSerialSubject(dn, n), nil
}

// CertIssuerSerialOf is CertIssuerSerial for a parsed certificate: issuerDN
// as pkix.Name.String or pkix.RDNSequence.String prints it, and the serial
// number. Note that pkix.Name.String does not print every issuer as openssl
// does: it lists the attributes in a fixed order, merges repeated types
// (two OUs) into one multi-valued RDN and moves the types it does not name
// to the end. CertIssuerSerialOfCert prints the issuer as it is encoded.
func CertIssuerSerialOf(issuerDN string, serial *big.Int) (string, error) {
	dn, err := canonicalDN(issuerDN)
	if err != nil {
		return "", err
	}
	if err := checkSerial(serial); err != nil {
		return "", err
	}
	return issuerSerialSubject(dn, serial), nil
}

// CertIssuerSerialOfCert is CertIssuerSerialOf for cert, with the issuer
// read from its encoding (cert.RawIssuer) in its order and structure, as
// openssl prints it.
func CertIssuerSerialOfCert(cert *x509.Certificate) (string, error) {
	if cert == nil {
		return "", fmt.Errorf("ids: certificate issuer: %w: no certificate", ErrSyntax)
	}
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(cert.RawIssuer, &rdns); err != nil || len(rest) > 0 {
		return "", fmt.Errorf("ids: certificate issuer: %w: the encoded issuer name cannot be parsed", ErrSyntax)
	}
	return CertIssuerSerialOf(rdns.String(), cert.SerialNumber)
}

func issuerSerialSubject(canonicalDN string, serial *big.Int) string {
	sum := sha256.Sum256([]byte(canonicalDN))
	return issuerSerialPrefix + hex.EncodeToString(sum[:]) + ":" + serial.Text(16)
}

// dnChar is a byte of a DN after unescaping; escaped bytes are literal
// value bytes, never separators or insignificant spaces.
type dnChar struct {
	b   byte
	esc bool
}

// canonicalDN returns the canonical form of an RFC 4514 DN (see
// CertIssuerSerial).
func canonicalDN(s string) (string, error) {
	const what = "ids: certificate issuer"
	if len(s) > maxIssuerDN {
		return "", fmt.Errorf("%s: %w: longer than %d bytes", what, ErrLength, maxIssuerDN)
	}
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	s = strings.TrimPrefix(s, "issuer=")
	cs, err := unescapeDN(s)
	if err != nil {
		return "", err
	}
	for len(cs) > 0 && !cs[len(cs)-1].esc && isSpaceByte(cs[len(cs)-1].b) {
		cs = cs[:len(cs)-1]
	}
	if len(cs) == 0 {
		return "", fmt.Errorf("%s: %w: empty", what, ErrLength)
	}
	var rdns []string
	for r, rdn := range splitDN(cs, ',') {
		var avas []string
		for _, ava := range splitDN(rdn, '+') {
			a, err := canonicalAVA(trimDN(ava))
			if err != nil {
				return "", fmt.Errorf("%s: RDN %d: %w", what, r+1, err)
			}
			avas = append(avas, a)
		}
		slices.Sort(avas)
		rdns = append(rdns, strings.Join(avas, "+"))
	}
	return strings.Join(rdns, ","), nil
}

// unescapeDN decodes the RFC 4514 escapes of s: a backslash followed by one
// of the special characters or by two hex digits.
func unescapeDN(s string) ([]dnChar, error) {
	cs := make([]dnChar, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			cs = append(cs, dnChar{b: c})
			continue
		}
		switch {
		case i+1 < len(s) && strings.IndexByte(`"+,;<>\ #=`, s[i+1]) >= 0:
			cs = append(cs, dnChar{b: s[i+1], esc: true})
			i++
		case i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			cs = append(cs, dnChar{b: hexValue(s[i+1])<<4 | hexValue(s[i+2]), esc: true})
			i += 2
		default:
			return nil, fmt.Errorf("ids: certificate issuer: %w: a backslash must be followed by one of \" + , ; < > \\ space # = or by two hex digits", ErrSyntax)
		}
	}
	return cs, nil
}

// splitDN splits cs at the unescaped sep.
func splitDN(cs []dnChar, sep byte) [][]dnChar {
	var parts [][]dnChar
	start := 0
	for i, c := range cs {
		if c.b == sep && !c.esc {
			parts = append(parts, cs[start:i])
			start = i + 1
		}
	}
	return append(parts, cs[start:])
}

// trimDN drops unescaped spaces at both ends of cs.
func trimDN(cs []dnChar) []dnChar {
	for len(cs) > 0 && cs[0].b == ' ' && !cs[0].esc {
		cs = cs[1:]
	}
	for len(cs) > 0 && cs[len(cs)-1].b == ' ' && !cs[len(cs)-1].esc {
		cs = cs[:len(cs)-1]
	}
	return cs
}

// canonicalAVA returns TYPE=value of one attribute; cs is trimmed.
func canonicalAVA(cs []dnChar) (string, error) {
	if len(cs) == 0 {
		return "", fmt.Errorf("%w: empty (two separators in a row, or one at an end)", ErrSyntax)
	}
	eq := slices.IndexFunc(cs, func(c dnChar) bool { return c.b == '=' && !c.esc })
	if eq < 0 {
		return "", fmt.Errorf("%w: an attribute has no =", ErrSyntax)
	}
	typ := make([]byte, 0, eq)
	for _, c := range trimDN(cs[:eq]) {
		if c.esc {
			return "", fmt.Errorf("%w: an attribute type must not contain escapes", ErrSyntax)
		}
		typ = append(typ, c.b)
	}
	t, ok := attributeType(string(typ))
	if !ok {
		return "", fmt.Errorf("%w: an attribute type is neither a name nor a dotted OID", ErrSyntax)
	}
	v, err := attributeValue(trimDN(cs[eq+1:]))
	if err != nil {
		return "", err
	}
	return t + "=" + v, nil
}

// attributeNames maps the OIDs of common DN attribute types, and the upper-
// cased long names and aliases tools print, to the short names used in
// canonical DNs: those of RFC 4514 and of openssl, upper-cased.
var attributeNames = map[string]string{
	// OIDs
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "TITLE",
	"2.5.4.17":                   "POSTALCODE",
	"2.5.4.42":                   "GN",
	"2.5.4.46":                   "DNQUALIFIER",
	"2.5.4.97":                   "ORGANIZATIONIDENTIFIER",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "EMAILADDRESS",
	// long names and aliases
	"COMMONNAME":             "CN",
	"SURNAME":                "SN",
	"COUNTRYNAME":            "C",
	"LOCALITYNAME":           "L",
	"STATEORPROVINCENAME":    "ST",
	"S":                      "ST",
	"STREETADDRESS":          "STREET",
	"ORGANIZATIONNAME":       "O",
	"ORGANIZATIONALUNITNAME": "OU",
	"T":                      "TITLE",
	"GIVENNAME":              "GN",
	"USERID":                 "UID",
	"DOMAINCOMPONENT":        "DC",
	"E":                      "EMAILADDRESS",
	"EMAIL":                  "EMAILADDRESS",
}

// attributeType returns the canonical form of an attribute type: a name
// (letter, then letters, digits and hyphens) upper-cased, or a dotted OID
// (optionally prefixed "OID."), each mapped through attributeNames.
func attributeType(t string) (string, bool) {
	if len(t) > 4 && strings.EqualFold(t[:4], "OID.") && isDigit(t[4]) {
		t = t[4:]
	}
	if t == "" {
		return "", false
	}
	if isDigit(t[0]) {
		arcs := strings.Split(t, ".")
		if len(arcs) < 2 {
			return "", false
		}
		for _, a := range arcs {
			if a == "" || (a[0] == '0' && len(a) > 1) || digitsFrom(a, 0) != 0 {
				return "", false
			}
		}
	} else {
		for i := 0; i < len(t); i++ {
			c := t[i] | 0x20 // lower-case letters; digits and '-' unchanged
			if !(c >= 'a' && c <= 'z') && (i == 0 || !isDigit(t[i]) && t[i] != '-') {
				return "", false
			}
		}
		t = strings.ToUpper(t)
	}
	if n, ok := attributeNames[t]; ok {
		return n, true
	}
	return t, true
}

// attributeValue returns the canonical form of an attribute value; cs is
// trimmed.
func attributeValue(cs []dnChar) (string, error) {
	if len(cs) > 0 && cs[0].b == '#' && !cs[0].esc {
		der := make([]byte, 0, len(cs)/2)
		rest := cs[1:]
		if len(rest) == 0 || len(rest)%2 != 0 {
			return "", fmt.Errorf("%w: a value starting with # must be an even number of hex digits (DER)", ErrSyntax)
		}
		for i := 0; i < len(rest); i += 2 {
			if rest[i].esc || rest[i+1].esc || !isHex(rest[i].b) || !isHex(rest[i+1].b) {
				return "", fmt.Errorf("%w: a value starting with # must be an even number of hex digits (DER)", ErrSyntax)
			}
			der = append(der, hexValue(rest[i].b)<<4|hexValue(rest[i+1].b))
		}
		var v any
		if rest, err := asn1.Unmarshal(der, &v); err == nil && len(rest) == 0 {
			if s, ok := v.(string); ok {
				return escapeDNValue([]byte(s)), nil
			}
		}
		return "#" + hex.EncodeToString(der), nil
	}
	raw := make([]byte, len(cs))
	for i, c := range cs {
		if !c.esc && strings.IndexByte(`";<>`, c.b) >= 0 {
			return "", fmt.Errorf("%w: the characters \" ; < > in a value must be escaped with a backslash", ErrSyntax)
		}
		raw[i] = c.b
	}
	return escapeDNValue(raw), nil
}

// escapeDNValue escapes a value as pkix.RDNSequence.String does, except
// that ASCII control characters and bytes that are not UTF-8 become \XX
// (Go prints them as they are or as U+FFFD), so that canonical DNs are
// printable and canonicalise to themselves.
func escapeDNValue(v []byte) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRune(v[i:])
		switch {
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, `\%02X`, v[i])
		case strings.ContainsRune(`,+"\<>;`, r),
			r == ' ' && (i == 0 || i == len(v)-1),
			r == '#' && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.Write(v[i : i+size])
		}
		i += size
	}
	return b.String()
}

// parseSerial parses a serial number in the forms CertIssuerSerial accepts.
func parseSerial(s string) (*big.Int, error) {
	const what = "ids: certificate serial number"
	t := strings.TrimSpace(s)
	var n *big.Int
	var err error
	switch {
	case t == "":
		return nil, fmt.Errorf("%s: %w: empty", what, ErrLength)
	case hasPrefixFold(t, "serial="):
		n, err = parseSerialDigits(t[len("serial="):], 16)
	case hasPrefixFold(t, "0x"):
		n, err = parseSerialDigits(t[2:], 16)
	case strings.Contains(t, ":"):
		pairs := strings.Split(t, ":")
		for _, p := range pairs {
			if len(p) != 2 {
				return nil, fmt.Errorf("%s: %w: colons must separate pairs of hex digits", what, ErrSyntax)
			}
		}
		n, err = parseSerialDigits(strings.Join(pairs, ""), 16)
	case strings.HasSuffix(t, ")") && strings.Contains(t, "(0x"):
		// openssl x509 -text: "4096 (0x1000)".
		dec, hx, _ := strings.Cut(strings.TrimSuffix(t, ")"), "(0x")
		a, errA := parseSerialDigits(strings.TrimSpace(dec), 10)
		b, errB := parseSerialDigits(hx, 16)
		if errA != nil {
			return nil, errA
		}
		if errB != nil {
			return nil, errB
		}
		if a.Cmp(b) != 0 {
			return nil, fmt.Errorf("%s: %w: the decimal and the hex number differ", what, ErrSyntax)
		}
		n = a
	case t[0] == '-':
		return nil, fmt.Errorf("%s: %w: must be positive (RFC 5280)", what, ErrRange)
	default:
		n, err = parseSerialDigits(t, 10)
	}
	if err != nil {
		return nil, err
	}
	if err := checkSerial(n); err != nil {
		return nil, err
	}
	return n, nil
}

// parseSerialDigits parses digits in base 10 or 16, refusing more digits
// than a 20-byte number can have.
func parseSerialDigits(digits string, base int) (*big.Int, error) {
	const what = "ids: certificate serial number"
	if digits == "" {
		return nil, fmt.Errorf("%s: %w: has no digits", what, ErrLength)
	}
	for i := 0; i < len(digits); i++ {
		switch c := digits[i]; {
		case base == 16 && !isHex(c):
			return nil, fmt.Errorf("%s: %w: only hex digits may follow 0x or serial=, or stand between colons", what, ErrCharacter)
		case base == 10 && isHex(c) && !isDigit(c):
			return nil, fmt.Errorf("%s: %w: a number without 0x prefix or colons is decimal; write hex as 0x… or as colon-separated pairs", what, ErrCharacter)
		case base == 10 && !isDigit(c):
			return nil, fmt.Errorf("%s: %w: only decimal digits, 0x and hex digits, or colon-separated hex pairs are allowed", what, ErrCharacter)
		}
	}
	digits = strings.TrimLeft(digits, "0")
	limit := 2 * maxSerialBytes // hex digits
	if base == 10 {
		limit = 49 // 2^160 has 49 decimal digits
	}
	if len(digits) > limit {
		return nil, fmt.Errorf("%s: %w: longer than %d bytes (RFC 5280)", what, ErrLength, maxSerialBytes)
	}
	n, _ := new(big.Int).SetString("0"+digits, base)
	return n, nil
}

// checkSerial applies the RFC 5280 §4.1.2.2 limits.
func checkSerial(n *big.Int) error {
	const what = "ids: certificate serial number"
	switch {
	case n == nil:
		return fmt.Errorf("%s: %w: missing", what, ErrRange)
	case n.Sign() <= 0:
		return fmt.Errorf("%s: %w: must be positive (RFC 5280)", what, ErrRange)
	case n.BitLen() > 8*maxSerialBytes:
		return fmt.Errorf("%s: %w: longer than %d bytes (RFC 5280)", what, ErrLength, maxSerialBytes)
	}
	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }

func hexValue(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
