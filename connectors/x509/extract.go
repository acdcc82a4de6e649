package x509

import (
	gox509 "crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gjjid/gjjid/connectors/ids"
)

// Identifier types an extraction rule yields.
const (
	IDCreditCode = "credit_code" // 统一社会信用代码, GB 32100
	IDOrgCode    = "org_code"    // 组织机构代码, GB 11714 (certificates from before 2015)
	IDResident   = "resident_id" // 居民身份证号码, GB 11643
)

// Errors of extraction; their texts never repeat the value.
var (
	errNoIdentifier  = errors.New("no rule found an identifier in the certificate")
	errBadIdentifier = errors.New("identifier fails its check digit")
)

// Rule is one way to find an identifier in a certificate; exactly one of
// OID, Attribute and CN is set.
type Rule struct {
	// OID names a certificate extension whose value is the identifier,
	// normally a string inside the extension (GM/T 0015:
	// 1.2.156.10260.4.1.1 ID number, .3 registration number, .4
	// organisation code).
	OID asn1.ObjectIdentifier
	// Attribute names a subject attribute (serialNumber, OU,
	// organizationIdentifier … as an OID).
	Attribute asn1.ObjectIdentifier
	// CN matches the subject common name; capture group 1 is the
	// identifier (CFCA: `^041@N([0-9A-Z]{18})@`).
	CN *regexp.Regexp
	// Type is IDCreditCode, IDOrgCode or IDResident.
	Type string
}

// extracted is what the rules found.
type extracted struct {
	typ, value string
}

// extract applies rules in order; the first rule that finds a value
// decides: a value failing its check digit is an error, not a reason to
// try the next rule (a certificate says one thing about its holder).
func extract(c *gox509.Certificate, rules []Rule) (extracted, error) {
	for _, r := range rules {
		if vs := r.candidates(c); len(vs) > 0 {
			n, err := normalise(r.Type, vs[0])
			if err != nil {
				return extracted{}, err
			}
			return extracted{typ: r.Type, value: n}, nil
		}
	}
	return extracted{}, errNoIdentifier
}

// candidates are the raw values a rule finds, in certificate order.
func (r Rule) candidates(c *gox509.Certificate) []string {
	switch {
	case r.OID != nil:
		for _, e := range c.Extensions {
			if e.Id.Equal(r.OID) {
				if v, ok := extensionString(e.Value); ok {
					return []string{v}
				}
			}
		}
	case r.Attribute != nil:
		var out []string
		for _, a := range c.Subject.Names {
			if a.Type.Equal(r.Attribute) {
				if s, ok := a.Value.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out
	case r.CN != nil:
		if m := r.CN.FindStringSubmatch(c.Subject.CommonName); len(m) > 1 && m[1] != "" {
			return []string{m[1]}
		}
	}
	return nil
}

// extensionString reads an extension value: a DER string of any string
// type, or (some CAs) the bare bytes of a printable string.
func extensionString(v []byte) (string, bool) {
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(v, &raw); err == nil && len(rest) == 0 && raw.Class == asn1.ClassUniversal {
		switch raw.Tag {
		case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String, asn1.TagNumericString, asn1.TagOctetString:
			if utf8.Valid(raw.Bytes) {
				return string(raw.Bytes), true
			}
			return "", false
		}
	}
	if utf8.Valid(v) && len(v) <= 64 && !strings.ContainsFunc(string(v), func(r rune) bool { return r < 0x20 }) {
		return string(v), true
	}
	return "", false
}

// normalise validates v as an identifier of typ. A one-character type
// prefix some CAs put before the number (CFCA's N for credit codes and 0
// for ID numbers, GM/T 0015 values) is dropped.
func normalise(typ, v string) (string, error) {
	v = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, v))
	var check func(string) (string, error)
	want := 18
	switch typ {
	case IDCreditCode:
		check = ids.CreditCode
	case IDResident:
		check = ids.ResidentID
	case IDOrgCode:
		check, want = orgCode, 9
	default:
		return "", fmt.Errorf("unknown identifier type %q", typ)
	}
	if len(v) == want+1 && (v[0] >= 'A' && v[0] <= 'Z' || v[0] == '0') {
		v = v[1:]
	}
	n, err := check(v)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", errBadIdentifier, typ, err)
	}
	return n, nil
}

// orgCode validates a 9-character 组织机构代码 (GB 11714-1997): eight
// digits or upper-case letters and a check character,
// 11 − Σ value·weight mod 11, written X for 10 and 0 for 11.
func orgCode(v string) (string, error) {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	if len(v) != 9 {
		return "", fmt.Errorf("organisation code: %w: want 9 characters", ids.ErrLength)
	}
	sum := 0
	for i := range 8 {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			sum += int(c-'0') * weights[i]
		case c >= 'A' && c <= 'Z':
			sum += int(c-'A'+10) * weights[i]
		default:
			return "", fmt.Errorf("organisation code: %w", ids.ErrCharacter)
		}
	}
	want := byte('0' + (11-sum%11)%11)
	if (11-sum%11)%11 == 10 {
		want = 'X'
	}
	if v[8] != want {
		return "", fmt.Errorf("organisation code: %w", ids.ErrCheck)
	}
	return v, nil
}

// MatchesOrgCode reports whether an old organisation code is the one a
// credit code contains at positions 9–17 (GB 32100 §4.3).
func MatchesOrgCode(credit, org string) bool {
	o := ids.OrgCodeFromCredit(credit)
	return o != "" && o == strings.ToUpper(strings.ReplaceAll(org, "-", ""))
}
