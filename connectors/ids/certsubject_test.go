package ids

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// sha256("abc"), FIPS 180-2 appendix B.1.
const abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

// hexPairs writes hex digits as pairs joined by sep.
func hexPairs(h, sep string) string { return hexGroups(h, 2, sep) }

// hexGroups writes hex digits in groups of n joined by sep.
func hexGroups(h string, n int, sep string) string {
	var groups []string
	for i := 0; i < len(h); i += n {
		groups = append(groups, h[i:min(i+n, len(h))])
	}
	return strings.Join(groups, sep)
}

func TestCertFingerprint(t *testing.T) {
	t.Parallel()
	want := "sha256:" + abcSHA256
	upper := strings.ToUpper(abcSHA256)
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"lower-case hex", abcSHA256, want, nil},
		{"upper-case hex", upper, want, nil},
		{"openssl colon pairs", hexPairs(upper, ":"), want, nil},
		{"space pairs", hexPairs(abcSHA256, " "), want, nil},
		{"sha256: prefix", "sha256:" + abcSHA256, want, nil},
		{"SHA256: prefix", "SHA256:" + upper, want, nil},
		{"openssl 3 output", "sha256 Fingerprint=" + hexPairs(upper, ":"), want, nil},
		{"openssl 1.1 output", "SHA256 Fingerprint=" + hexPairs(upper, ":") + "\n", want, nil},
		{"surrounding white space", "\t " + abcSHA256 + " \n", want, nil},
		{"SHA-1 fingerprint", hexPairs(upper[:40], ":"), "", ErrLength},
		{"63 digits", abcSHA256[:63], "", ErrLength},
		{"65 digits", abcSHA256 + "0", "", ErrLength},
		{"empty", "", "", ErrLength},
		{"prefix only", "sha256:", "", ErrLength},
		{"not hex", "g" + abcSHA256[1:], "", ErrCharacter},
		{"base64 (ssh style)", "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0", "", ErrCharacter},
		{"groups of four", hexGroups(abcSHA256, 4, ":"), "", ErrSyntax},
		{"odd grouping", abcSHA256[:3] + ":" + abcSHA256[3:], "", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CertFingerprint(tt.in)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("CertFingerprint(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("CertFingerprint(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), abcSHA256[:8]) || strings.Contains(err.Error(), upper[:8])) {
				t.Errorf("error %q repeats the fingerprint", err)
			}
		})
	}
}

func TestCertFingerprintOf(t *testing.T) {
	t.Parallel()
	got := CertFingerprintOf([]byte("abc"))
	if got != "sha256:"+abcSHA256 {
		t.Fatalf("CertFingerprintOf(abc) = %q", got)
	}
	if again, err := CertFingerprint(got); err != nil || again != got {
		t.Errorf("CertFingerprint(%q) = %q, %v", got, again, err)
	}
}

// issuerSerialWant is the subject computed independently of the package:
// the SHA-256 of the canonical DN written out in a test and the serial in
// hex.
func issuerSerialWant(canonicalDN, serialHex string) string {
	sum := sha256.Sum256([]byte(canonicalDN))
	return "issuer-serial:" + hex.EncodeToString(sum[:]) + ":" + serialHex
}

func TestCertIssuerSerial(t *testing.T) {
	t.Parallel()
	const testCA = "CN=Test CA,O=Example,C=CN"
	f40 := strings.Repeat("f", 40)
	tests := []struct {
		name, dn, serial string
		canonical, hex   string // of the expected subject
	}{
		// The same issuer written in the forms tools print.
		{"openssl RFC2253", "CN=Test CA,O=Example,C=CN", "4096", testCA, "1000"},
		{"spaces around = and ,", "CN = Test CA, O = Example, C = CN", "4096", testCA, "1000"},
		{"lower-case types", "cn=Test CA,o=Example,c=CN", "4096", testCA, "1000"},
		{"OID types", "2.5.4.3=Test CA,2.5.4.10=Example,2.5.4.6=CN", "4096", testCA, "1000"},
		{"OID. prefix", "OID.2.5.4.3=Test CA,oid.2.5.4.10=Example,C=CN", "4096", testCA, "1000"},
		{"long names", "commonName=Test CA,organizationName=Example,countryName=CN", "4096", testCA, "1000"},
		{"openssl issuer= line", "issuer=CN=Test CA,O=Example,C=CN\n", "4096", testCA, "1000"},
		{"surrounding white space", " \tCN=Test CA,O=Example,C=CN \r\n", "4096", testCA, "1000"},

		// The serial number in the forms tools print.
		{"0x hex", testCA, "0x1000", testCA, "1000"},
		{"0X hex, leading zeros", testCA, "0X001000", testCA, "1000"},
		{"colon hex", testCA, "10:00", testCA, "1000"},
		{"colon hex, leading zero byte", testCA, "00:10:00", testCA, "1000"},
		{"openssl -text short serial", testCA, "4096 (0x1000)", testCA, "1000"},
		{"openssl -serial", testCA, "serial=1000", testCA, "1000"},
		{"decimal with leading zeros and spaces", testCA, " 004096 ", testCA, "1000"},
		{"one", testCA, "1", testCA, "1"},
		{"20 bytes", testCA, "0x" + strings.ToUpper(f40), testCA, f40},
		{"20 bytes with DER sign byte", testCA, "00:" + hexPairs(f40, ":"), testCA, f40},
		{"2^160 − 1 in decimal", testCA, "1461501637330902918203684832716283019655932542975", testCA, f40},

		// Escapes are normalised to the ones Go prints; values are kept.
		{"escaped comma", `CN=Example\, Inc.,C=CN`, "1", `CN=Example\, Inc.,C=CN`, "1"},
		{"comma as hex escape", `CN=Example\2c Inc.,C=CN`, "1", `CN=Example\, Inc.,C=CN`, "1"},
		{"openssl escapes UTF-8 bytes", `O=\E5\9B\9B\E5\B7\9D,C=CN`, "1", "O=四川,C=CN", "1"},
		{"UTF-8 as is", "O=四川,C=CN", "1", "O=四川,C=CN", "1"},
		{"openssl specials (verified with openssl 3.0)", `CN=\#a\+b\;c\<d\>e\"f\\g=h \C3\A9\ ,C=CN`, "1", `CN=\#a\+b\;c\<d\>e\"f\\g=h é\ ,C=CN`, "1"},
		{"the same as Go prints it", `CN=\#a\+b\;c\<d\>e\"f\\g=h é\ ,C=CN`, "1", `CN=\#a\+b\;c\<d\>e\"f\\g=h é\ ,C=CN`, "1"},
		{"specials stay escaped", `CN=a\+b\;c\<d\>e\"f\\g`, "1", `CN=a\+b\;c\<d\>e\"f\\g`, "1"},
		{"leading #", `CN=\#1`, "1", `CN=\#1`, "1"},
		{"inner # unescaped", `CN=x\#y`, "1", `CN=x#y`, "1"},
		{"leading and trailing space", `CN=\ x \ `, "1", `CN=\ x \ `, "1"},
		{"spaces as hex escapes", `CN=\20x\20`, "1", `CN=\ x\ `, "1"},
		{"equals sign", `CN=a\=b+O=c=d`, "1", `CN=a=b+O=c=d`, "1"},
		{"inner spaces kept", "CN=Test  CA", "1", "CN=Test  CA", "1"},
		{"empty value", "CN=,O=x", "1", "CN=,O=x", "1"},
		{"byte that is not UTF-8", `CN=\ff`, "1", `CN=\FF`, "1"},
		{"control character as openssl prints it", `CN=a\0ab`, "1", `CN=a\0Ab`, "1"},
		{"control character as Go prints it", "CN=a\nb", "1", `CN=a\0Ab`, "1"},
		{"trailing escaped tab kept", `CN=a\09`, "1", `CN=a\09`, "1"},

		// Multi-valued RDNs: one RDN, attributes sorted.
		{"multi-valued, openssl order", "CN=Test CA+serialNumber=42,C=CN", "1", "CN=Test CA+SERIALNUMBER=42,C=CN", "1"},
		{"multi-valued, Go order", "SERIALNUMBER=42+CN=Test CA,C=CN", "1", "CN=Test CA+SERIALNUMBER=42,C=CN", "1"},
		{"multi-valued with spaces and OID", "CN = Test CA + 2.5.4.5 = 42 , C=CN", "1", "CN=Test CA+SERIALNUMBER=42,C=CN", "1"},

		// # hex DER values: strings decoded (Go prints DC, UID and
		// emailAddress so), others kept as lower-case hex.
		{"DC names", "DC=example,DC=com", "1", "DC=example,DC=com", "1"},
		{"DC as Go prints it", "0.9.2342.19200300.100.1.25=#13076578616d706c65,0.9.2342.19200300.100.1.25=#1303636F6D", "1", "DC=example,DC=com", "1"},
		{"DC as IA5String", "DC=#16076578616D706C65,domainComponent=com", "1", "DC=example,DC=com", "1"},
		{"emailAddress", "emailAddress=ca@example.com,CN=x", "1", "EMAILADDRESS=ca@example.com,CN=x", "1"},
		{"emailAddress as Go prints it", "1.2.840.113549.1.9.1=#0c0e6361406578616d706c652e636f6d,CN=x", "1", "EMAILADDRESS=ca@example.com,CN=x", "1"},
		{"E=", "E=ca@example.com,CN=x", "1", "EMAILADDRESS=ca@example.com,CN=x", "1"},
		{"decoded value re-escaped", "CN=#0c03612c62", "1", `CN=a\,b`, "1"},
		{"BMPString", "CN=#1e0400610062", "1", "CN=ab", "1"},
		{"not a string", "1.2.3.4=#0201FF,CN=x", "1", "1.2.3.4=#0201ff,CN=x", "1"},
		{"not DER", "CN=#FFFF", "1", "CN=#ffff", "1"},
		{"unknown type name", "organizationIdentifier=VATDE-1,CN=x", "1", "ORGANIZATIONIDENTIFIER=VATDE-1,CN=x", "1"},
		{"unknown type OID", "1.3.6.1.4.1.311.60.2.1.3=CN,CN=x", "1", "1.3.6.1.4.1.311.60.2.1.3=CN,CN=x", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CertIssuerSerial(tt.dn, tt.serial)
			if err != nil {
				t.Fatalf("CertIssuerSerial(%q, %q) error = %v", tt.dn, tt.serial, err)
			}
			if want := issuerSerialWant(tt.canonical, tt.hex); got != want {
				t.Errorf("CertIssuerSerial(%q, %q) = %q, want %q (of %q)", tt.dn, tt.serial, got, want, tt.canonical)
			}
		})
	}
}

func TestCertIssuerSerialDistinguishes(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, dn1, serial1, dn2, serial2 string }{
		{"value case", "CN=Test CA,O=Example,C=CN", "1", "CN=test ca,O=Example,C=CN", "1"},
		{"serial", "CN=Test CA", "1", "CN=Test CA", "2"},
		{"decimal is not hex", "CN=Test CA", "10", "CN=Test CA", "0x10"},
		{"RDN order", "CN=Test CA,O=Example", "1", "O=Example,CN=Test CA", "1"},
		{"escaped comma is no separator", `CN=a\,O=b`, "1", "CN=a,O=b", "1"},
		{"multi-valued is not two RDNs", "CN=a+O=b", "1", "CN=a,O=b", "1"},
		{"inner space", "CN=Test CA", "1", "CN=TestCA", "1"},
		{"escaped trailing space", `CN=a\ `, "1", "CN=a ", "1"},
		{"type", "CN=x", "1", "OU=x", "1"},
	}
	for _, tt := range tests {
		a, err1 := CertIssuerSerial(tt.dn1, tt.serial1)
		b, err2 := CertIssuerSerial(tt.dn2, tt.serial2)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: errors %v, %v", tt.name, err1, err2)
			continue
		}
		if a == b {
			t.Errorf("%s: %q %s and %q %s give the same subject", tt.name, tt.dn1, tt.serial1, tt.dn2, tt.serial2)
		}
	}
}

func TestCertIssuerSerialErrors(t *testing.T) {
	t.Parallel()
	const dn, serial = "CN=Test CA,O=Example,C=CN", "4096"
	tests := []struct {
		name, dn, serial, part string
		err                    error
	}{
		{"empty issuer", "", serial, "issuer", ErrLength},
		{"blank issuer", " \n", serial, "issuer", ErrLength},
		{"issuer= only", "issuer=", serial, "issuer", ErrLength},
		{"long issuer", strings.Repeat("CN=x,", 4000) + "C=CN", serial, "issuer", ErrLength},
		{"no =", "CN", serial, "issuer", ErrSyntax},
		{"no type", "=Test CA", serial, "issuer", ErrSyntax},
		{"space in type", "C N=Test CA", serial, "issuer", ErrSyntax},
		{"underscore in type", "C_N=Test CA", serial, "issuer", ErrSyntax},
		{"type starts with hyphen", "-CN=Test CA", serial, "issuer", ErrSyntax},
		{"OID arc with leading zero", "2.5.4.03=Test CA", serial, "issuer", ErrSyntax},
		{"OID with one arc", "3=Test CA", serial, "issuer", ErrSyntax},
		{"OID with empty arc", "2.5..3=Test CA", serial, "issuer", ErrSyntax},
		{"escape in type", `C\4E=Test CA`, serial, "issuer", ErrSyntax},
		{"lone backslash at the end", `CN=Test CA\`, serial, "issuer", ErrSyntax},
		{"unknown escape", `CN=Test\q CA`, serial, "issuer", ErrSyntax},
		{"half a hex escape", `CN=Test CA\4`, serial, "issuer", ErrSyntax},
		{"quoted value (RFC 1779)", `CN=Test CA,O="Example, Inc."`, serial, "issuer", ErrSyntax},
		{"semicolon separator", "CN=Test CA;O=Example", serial, "issuer", ErrSyntax},
		{"angle brackets", "CN=<Test CA>", serial, "issuer", ErrSyntax},
		{"empty RDN", "CN=Test CA,,C=CN", serial, "issuer", ErrSyntax},
		{"trailing comma", "CN=Test CA,", serial, "issuer", ErrSyntax},
		{"leading comma", ",CN=Test CA", serial, "issuer", ErrSyntax},
		{"empty attribute after +", "CN=Test CA+,C=CN", serial, "issuer", ErrSyntax},
		{"# without hex", "CN=#", serial, "issuer", ErrSyntax},
		{"# with odd hex", "CN=#0c0", serial, "issuer", ErrSyntax},
		{"# with non-hex", "CN=#0c0zz", serial, "issuer", ErrSyntax},
		{"# hex and text", "CN=#0c0161 b", serial, "issuer", ErrSyntax},
		{"openssl -text issuer line", "Issuer: C = CN, O = Example, CN = Test CA", serial, "issuer", ErrSyntax},
		{"bad issuer and serial", "CN", "0", "issuer", ErrSyntax},

		{"empty serial", dn, "", "serial", ErrLength},
		{"blank serial", dn, "  ", "serial", ErrLength},
		{"0x only", dn, "0x", "serial", ErrLength},
		{"serial= only", dn, "serial=", "serial", ErrLength},
		{"zero", dn, "0", "serial", ErrRange},
		{"hex zero", dn, "0x000", "serial", ErrRange},
		{"colon zero", dn, "00:00", "serial", ErrRange},
		{"negative", dn, "-4096", "serial", ErrRange},
		{"hex without prefix", dn, "1a2b", "serial", ErrCharacter},
		{"hex letters only", dn, "abcd", "serial", ErrCharacter},
		{"not hex after 0x", dn, "0x1g", "serial", ErrCharacter},
		{"decimal point", dn, "4096.0", "serial", ErrCharacter},
		{"space inside", dn, "40 96", "serial", ErrCharacter},
		{"full-width digits", dn, "４０９６", "serial", ErrCharacter},
		{"colon groups of one digit", dn, "1:0:0:0", "serial", ErrSyntax},
		{"double colon", dn, "10::00", "serial", ErrSyntax},
		{"trailing colon", dn, "10:00:", "serial", ErrSyntax},
		{"not hex between colons", dn, "10:0g", "serial", ErrCharacter},
		{"21 bytes", dn, "0x01" + strings.Repeat("00", 20), "serial", ErrLength},
		{"41 hex digits", dn, "0x" + strings.Repeat("f", 41), "serial", ErrLength},
		{"21 colon pairs", dn, hexPairs("01"+strings.Repeat("00", 20), ":"), "serial", ErrLength},
		{"2^160 in decimal", dn, "1461501637330902918203684832716283019655932542976", "serial", ErrLength},
		{"50 decimal digits", dn, strings.Repeat("9", 50), "serial", ErrLength},
		{"openssl -text forms differ", dn, "4096 (0x1001)", "serial", ErrSyntax},
		{"openssl -text bad hex", dn, "4096 (0xzz)", "serial", ErrCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CertIssuerSerial(tt.dn, tt.serial)
			if !errors.Is(err, tt.err) {
				t.Fatalf("CertIssuerSerial(%q, %q) = %q, %v; want an error wrapping %v", tt.dn, tt.serial, got, err, tt.err)
			}
			msg := err.Error()
			// accounts.CertRef tells the fields apart by "issuer".
			if (tt.part == "issuer") != strings.Contains(msg, "issuer") || !strings.Contains(msg, tt.part) {
				t.Errorf("error %q does not name the %s (only)", msg, tt.part)
			}
			for _, in := range []string{tt.dn, tt.serial} {
				if in = strings.TrimSpace(in); len(in) >= 4 && strings.Contains(msg, in) {
					t.Errorf("error %q repeats %q", msg, in)
				}
			}
		})
	}
}

func TestCertIssuerSerialOfSerials(t *testing.T) {
	t.Parallel()
	top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 160), big.NewInt(1))
	tests := []struct {
		name   string
		serial *big.Int
		err    error
	}{
		{"one", big.NewInt(1), nil},
		{"2^160 − 1", top, nil},
		{"2^160", new(big.Int).Add(top, big.NewInt(1)), ErrLength},
		{"zero", big.NewInt(0), ErrRange},
		{"negative", big.NewInt(-1), ErrRange},
		{"nil", nil, ErrRange},
	}
	for _, tt := range tests {
		got, err := CertIssuerSerialOf("CN=Test CA", tt.serial)
		if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("%s: CertIssuerSerialOf error = %v, want %v", tt.name, err, tt.err)
			continue
		}
		if err == nil {
			if want := issuerSerialWant("CN=Test CA", tt.serial.Text(16)); got != want {
				t.Errorf("%s: CertIssuerSerialOf = %q, want %q", tt.name, got, want)
			}
		} else if strings.Contains(err.Error(), "issuer") {
			t.Errorf("%s: error %q names the issuer", tt.name, err)
		}
	}
	if _, err := CertIssuerSerialOf("CN", big.NewInt(1)); !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "issuer") {
		t.Errorf("CertIssuerSerialOf(bad issuer) error = %v", err)
	}
	if _, err := CertIssuerSerialOfCert(nil); err == nil {
		t.Error("CertIssuerSerialOfCert(nil) accepted")
	}
	if _, err := CertIssuerSerialOfCert(&x509.Certificate{RawIssuer: []byte{0x30, 0x01}, SerialNumber: big.NewInt(1)}); !errors.Is(err, ErrSyntax) {
		t.Errorf("CertIssuerSerialOfCert(bad RawIssuer) error = %v, want ErrSyntax", err)
	}
}

// selfSigned returns a self-signed certificate; the subject is rawSubject
// when set, name otherwise.
func selfSigned(t *testing.T, name pkix.Name, rawSubject []byte, serial *big.Int) ([]byte, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		RawSubject:            rawSubject,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return der, cert
}

// opensslColonHex writes a serial as openssl x509 -text prints a long one.
func opensslColonHex(n *big.Int) string {
	b := n.Bytes()
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...) // the DER sign byte; openssl 1.x prints it
	}
	return hexPairs(hex.EncodeToString(b), ":")
}

// randomSerial is a 20-byte serial with the top bit set, as many CAs issue.
func randomSerial(t *testing.T) *big.Int {
	t.Helper()
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	b[0] |= 0x80
	return new(big.Int).SetBytes(b)
}

// The admin API binds with the issuer and serial an operator copied from
// openssl; the certificate connector derives them from the certificate.
func TestCertIssuerSerialOfCertificate(t *testing.T) {
	t.Parallel()
	serial := randomSerial(t)
	der, cert := selfSigned(t, pkix.Name{
		CommonName:   "Test CA",
		Organization: []string{"Example, Inc."},
		Province:     []string{"四川"},
		Country:      []string{"CN"},
	}, nil, serial)
	want := issuerSerialWant(`CN=Test CA,O=Example\, Inc.,ST=四川,C=CN`, serial.Text(16))

	// As `openssl x509 -noout -issuer -nameopt RFC2253` and -text print them.
	const opensslIssuer = `CN=Test CA,O=Example\, Inc.,ST=\E5\9B\9B\E5\B7\9D,C=CN`
	bound, err := CertIssuerSerial(opensslIssuer, opensslColonHex(serial))
	if err != nil {
		t.Fatal(err)
	}
	if bound != want {
		t.Errorf("CertIssuerSerial(openssl forms) = %q, want %q", bound, want)
	}
	if got, err := CertIssuerSerialOf(cert.Issuer.String(), cert.SerialNumber); err != nil || got != bound {
		t.Errorf("CertIssuerSerialOf(%q, serial) = %q, %v; want %q", cert.Issuer.String(), got, err, bound)
	}
	if got, err := CertIssuerSerialOfCert(cert); err != nil || got != bound {
		t.Errorf("CertIssuerSerialOfCert = %q, %v; want %q", got, err, bound)
	}
	for _, s := range []string{serial.String(), "0x" + serial.Text(16), "serial=" + strings.ToUpper(serial.Text(16)), hexPairs(serial.Text(16), ":")} {
		if got, err := CertIssuerSerial(cert.Issuer.String(), s); err != nil || got != bound {
			t.Errorf("CertIssuerSerial(Go issuer, %q) = %q, %v; want %q", s, got, err, bound)
		}
	}

	sum := sha256.Sum256(der)
	fp := "sha256 Fingerprint=" + hexPairs(strings.ToUpper(hex.EncodeToString(sum[:])), ":")
	if got, err := CertFingerprint(fp); err != nil || got != CertFingerprintOf(cert.Raw) {
		t.Errorf("CertFingerprint(openssl) = %q, %v; want %q", got, err, CertFingerprintOf(cert.Raw))
	}
}

// An issuer pkix.Name.String prints differently from openssl (attribute
// types Go does not name, repeated OUs, a multi-valued RDN, an order other
// than Go's): CertIssuerSerialOfCert matches the openssl text.
func TestCertIssuerSerialOfCertKeepsTheEncodedIssuer(t *testing.T) {
	t.Parallel()
	ia5 := func(s string) asn1.RawValue { return asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(s)} }
	attr := func(n int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier{2, 5, 4, n} }
	dc := asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	email := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	raw, err := asn1.Marshal(pkix.RDNSequence{
		{{Type: dc, Value: ia5("com")}},
		{{Type: dc, Value: ia5("example")}},
		{{Type: attr(6), Value: "CN"}},
		{{Type: attr(8), Value: "四川"}},
		{{Type: attr(10), Value: "Example, Inc."}},
		{{Type: attr(11), Value: "B"}},
		{{Type: attr(11), Value: "A"}},
		{{Type: attr(3), Value: "Test CA"}, {Type: attr(5), Value: "42"}},
		{{Type: email, Value: ia5("ca@example.com")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	serial := randomSerial(t)
	_, cert := selfSigned(t, pkix.Name{}, raw, serial)

	// What openssl 3.0 prints for this issuer with -nameopt RFC2253.
	const opensslIssuer = `emailAddress=ca@example.com,CN=Test CA+serialNumber=42,OU=A,OU=B,O=Example\, Inc.,ST=\E5\9B\9B\E5\B7\9D,C=CN,DC=example,DC=com`
	want := issuerSerialWant(`EMAILADDRESS=ca@example.com,CN=Test CA+SERIALNUMBER=42,OU=A,OU=B,O=Example\, Inc.,ST=四川,C=CN,DC=example,DC=com`, serial.Text(16))
	if got, err := CertIssuerSerial(opensslIssuer, opensslColonHex(serial)); err != nil || got != want {
		t.Errorf("CertIssuerSerial(openssl forms) = %q, %v; want %q", got, err, want)
	}
	if got, err := CertIssuerSerialOfCert(cert); err != nil || got != want {
		t.Errorf("CertIssuerSerialOfCert = %q, %v; want %q", got, err, want)
	}
}

func TestCanonicalDNIsStable(t *testing.T) {
	t.Parallel()
	for _, dn := range []string{
		`CN=Test CA,O=Example\, Inc.,ST=\E5\9B\9B\E5\B7\9D,C=CN`,
		`CN=\ x \ +SERIALNUMBER=\#1,1.2.3.4=#0201FF`,
		`CN=\ff\00`,
	} {
		c, err := canonicalDN(dn)
		if err != nil {
			t.Fatalf("canonicalDN(%q): %v", dn, err)
		}
		if again, err := canonicalDN(c); err != nil || again != c {
			t.Errorf("canonicalDN(%q) = %q, again %q, %v", dn, c, again, err)
		}
	}
}
