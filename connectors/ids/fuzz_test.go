package ids

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzIdentifiers: the validators never panic, what they accept is
// normalised (validating it again gives the same value), and masking never
// returns the full number.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"510107199003071236", "11010519491231002x", "91510100MA61ABCD1T", "+86 138 0013 8000", "", "５１０１０７１９９００３０７１２３６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ResidentID(s); err == nil {
			if again, err := ResidentID(n); err != nil || again != n {
				t.Fatalf("ResidentID(%q) = %q, not stable: %q %v", s, n, again, err)
			}
			if MaskID(n) == n {
				t.Fatalf("MaskID left %q unmasked", n)
			}
		}
		if n, err := CreditCode(s); err == nil {
			if again, err := CreditCode(n); err != nil || again != n {
				t.Fatalf("CreditCode(%q) = %q, not stable", s, n)
			}
		}
		if n, err := Mobile(s); err == nil {
			if again, err := Mobile(n); err != nil || again != n {
				t.Fatalf("Mobile(%q) = %q, not stable", s, n)
			}
			if MaskMobile(n) == n {
				t.Fatalf("MaskMobile left %q unmasked", n)
			}
		}
	})
}

// FuzzDocument: Document never panics for any type, and what it accepts is
// normalised (ASCII upper-case letters and digits; validating it again as
// the same type gives the same value).
func FuzzDocument(f *testing.F) {
	for _, s := range []string{"510107199003071236", "H12345678", "m1234567890", "12345678(01)", "12345678（01）", "911156199001010010", "91184019850615002x", "USA110019900101", " e1234 5678 ", "ABCDEFGHIJKLMNOP1", "Ｈ１２３４５６７８", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range DocTypes {
			n, err := Document(typ, s)
			if err != nil {
				continue
			}
			for i := 0; i < len(n); i++ {
				if c := n[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
					t.Fatalf("Document(%s, %q) = %q, not upper-case letters and digits", typ, s, n)
				}
			}
			if again, err := Document(typ, n); err != nil || again != n {
				t.Fatalf("Document(%s, %q) = %q, not stable: %q %v", typ, s, n, again, err)
			}
		}
		if _, err := Document(s, "E12345678"); err == nil && !slices.Contains(DocTypes, s) {
			t.Fatalf("Document accepted the type %q", s)
		}
	})
}

// FuzzCertSubjects: CertIssuerSerial and CertFingerprint never panic; an
// accepted issuer canonicalises to a DN that canonicalises to itself and,
// with the serial of the subject, gives the same subject again; errors name
// the issuer or the serial number. An accepted fingerprint validates to
// itself.
func FuzzCertSubjects(f *testing.F) {
	for _, s := range [][2]string{
		{"CN=Test CA,O=Example,C=CN", "4096"},
		{"cn = Test CA, o = Example, c = CN", "0x1000"},
		{`emailAddress=ca@example.com,CN=Test CA+serialNumber=42,OU=A,O=Example\, Inc.,ST=\E5\9B\9B\E5\B7\9D,C=CN,DC=example`, "00:ff:11:22"},
		{"0.9.2342.19200300.100.1.25=#1303636f6d,1.2.3.4=#0201ff,CN=#0c03612c62", "4096 (0x1000)"},
		{`issuer=CN=\ x \ +OID.2.5.4.5=\#1`, "serial=1000"},
		{"sha256 Fingerprint=" + strings.Repeat("AB:", 31) + "AB", ""},
		{"", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, dn, serial string) {
		subject, err := CertIssuerSerial(dn, serial)
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "issuer") && !strings.Contains(msg, "serial") {
				t.Fatalf("CertIssuerSerial error %q names neither part", msg)
			}
		} else {
			c, err := canonicalDN(dn)
			if err != nil {
				t.Fatalf("CertIssuerSerial(%q, %q) accepted, canonicalDN: %v", dn, serial, err)
			}
			serialHex := subject[strings.LastIndexByte(subject, ':')+1:]
			if len(c) <= maxIssuerDN {
				if again, err := canonicalDN(c); err != nil || again != c {
					t.Fatalf("canonicalDN(%q) = %q, not stable: %q %v", dn, c, again, err)
				}
				if again, err := CertIssuerSerial(c, "0x"+serialHex); err != nil || again != subject {
					t.Fatalf("CertIssuerSerial(%q, %q) = %q, not stable: %q %v", dn, serial, subject, again, err)
				}
			}
			n, _ := new(big.Int).SetString(serialHex, 16)
			if again, err := CertIssuerSerialOf(dn, n); err != nil || again != subject {
				t.Fatalf("CertIssuerSerialOf(%q, 0x%s) = %q, %v; want %q", dn, serialHex, again, err, subject)
			}
		}
		if fp, err := CertFingerprint(dn); err == nil {
			if again, err := CertFingerprint(fp); err != nil || again != fp {
				t.Fatalf("CertFingerprint(%q) = %q, not stable", dn, fp)
			}
		}
	})
}

// FuzzIssuerValueGoAndOpenssl: an issuer attribute value gives the same
// canonical DN whether printed by pkix.RDNSequence.String (what the
// certificate connector sees) or escaped as openssl -nameopt RFC2253 does
// (what an operator copies into the admin API).
func FuzzIssuerValueGoAndOpenssl(f *testing.F) {
	for _, s := range []string{"Test CA", "Example, Inc.", "四川", " lead", "trail ", "#1", "a+b;c<d>e\"f\\g=h", "tab\tand\nnewline", "\x00", "", " ", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if !utf8.ValidString(v) {
			return // values of parsed certificates are UTF-8
		}
		goDN := pkix.RDNSequence{
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "CN"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: v}},
		}.String()
		opensslDN := "CN=" + opensslEscape(v) + ",C=CN"
		a, errA := canonicalDN(goDN)
		b, errB := canonicalDN(opensslDN)
		if errA != nil || errB != nil || a != b {
			t.Fatalf("value %q: Go %q → %q, %v; openssl %q → %q, %v", v, goDN, a, errA, opensslDN, b, errB)
		}
	})
}

// opensslEscape escapes a value as openssl's -nameopt RFC2253 does
// (crypto/asn1/a_strex.c: ESC_2253 | ESC_CTRL | ESC_MSB | UTF8_CONVERT).
func opensslEscape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%02X`, c)
		case strings.IndexByte(`,+"\<>;`, c) >= 0,
			c == '#' && i == 0,
			c == ' ' && (i == 0 || i == len(v)-1):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
