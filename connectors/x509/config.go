package x509

import (
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Defaults of Config.
const (
	// DefaultACR is the broker's highest level: a certificate key held
	// in hardware (a USB key, a smart card).
	DefaultACR = "gjj:loa:3"
	// SoftwareACR is the most a certificate of a key_storage: software CA
	// reaches: the key is a file that can be copied, so the login proves
	// possession of a copy, not of a device (gjj:loa:3 means a hardware key).
	SoftwareACR              = "gjj:loa:2"
	DefaultRevocationGrace   = 24 * time.Hour
	DefaultRevocationTimeout = 5 * time.Second
)

// acrLevels are the broker's assurance levels, weakest first.
var acrLevels = []string{"gjj:loa:1", SoftwareACR, DefaultACR}

// Config is the connector's `config:` block.
//
//	config:
//	  link_policy: bound      # bound (default): only certificates bound at the counter; auto: the credit code decides
//	  mtls: true              # accept certificates from the mTLS listener or a trusted proxy (default true)
//	  challenge: true         # accept a signature over a one-time challenge (default true)
//	  second_factor: password # after the certificate, an agent of its unit signs in with their password (amr [hwk, pwd])
//	  acr: gjj:loa:3          # hardware-key CAs; a software-key CA's logins get at most gjj:loa:2
//	  max_chain: 5            # presented certificates, leaf included
//	  component_origins: [http://127.0.0.1:5052, wss://127.0.0.1:5053]  # the CA component's local service, allowed in the certificate page's connect-src
//	  cas:
//	    - name: cfca
//	      roots_file: /etc/gjjid/cfca-roots.pem   # or roots: | PEM
//	      intermediates_file: /etc/gjjid/cfca-oca.pem
//	      kind: unit            # unit | person
//	      key_storage: hardware # hardware (amr hwk) | software (amr swk)
//	      revocation:
//	        mode: require       # require (default) | off (test CAs only)
//	        crl_urls: [http://crl.example.cn/oca.crl]
//	        distribution_points: true  # use the certificate's CRL DPs when crl_urls is empty
//	        ocsp: true          # ask the responder the certificate names first
//	        grace: 24h          # a cached CRL past nextUpdate still answers this long
//	        timeout: 5s
//	      extract:              # first rule that finds a value decides
//	        - cn_regex: '^041@N([0-9A-Z]{18})@'
//	          type: credit_code
//	        - oid: 1.2.156.10260.4.1.4
//	          type: org_code
//	        - subject: serialNumber
//	          type: credit_code
type Config struct {
	LinkPolicy connectors.LinkPolicy
	MTLS       bool
	Challenge  bool
	ACR        string
	// SecondFactor is "" or connectors.SecondFactorPassword: the
	// certificate proves the unit, an agent of it then their password.
	SecondFactor string
	MaxChain     int
	CAs          []CA
	// ComponentOrigins are loopback origins (http, https, ws, wss) of
	// the CA's local browser component the certificate page may connect
	// to (CSP connect-src), normalised to scheme://host[:port].
	ComponentOrigins []string
}

// CA is one certification authority's trust anchors and policy.
type CA struct {
	Name          string
	Roots         []*cert
	Intermediates []*cert
	Kind          connectors.Kind
	Software      bool // keys are software keys: amr swk instead of hwk, acr at most SoftwareACR
	Revocation    Revocation
	Rules         []Rule
	anchors       *anchors
}

// rawCA is one `cas` entry as written, before its certificates are read.
type rawCA struct {
	at                               string // its YAML path
	name, kind, keyStorage           string
	roots, rootsFile                 string
	intermediates, intermediatesFile string
	revocation                       rawRevocation
	extract                          []rawRule
}

type rawRevocation struct {
	mode                     string
	crlURLs                  []string
	distributionPoints, ocsp bool
	grace, timeout           time.Duration
}

type rawRule struct {
	oid, subject, cnRegex, typ string
}

// subjectAttributes are the names `subject:` accepts besides a dotted OID.
var subjectAttributes = map[string]asn1.ObjectIdentifier{
	"cn": {2, 5, 4, 3}, "serialnumber": {2, 5, 4, 5}, "c": {2, 5, 4, 6}, "o": {2, 5, 4, 10}, "ou": {2, 5, 4, 11},
	"title": {2, 5, 4, 12}, "organizationidentifier": {2, 5, 4, 97}, "uid": {0, 9, 2342, 19200300, 100, 1, 1},
}

// parseConfig decodes n strictly (unknown and repeated keys are errors),
// applies defaults and validates; every error names its YAML path below
// path. warn is told about root certificates that were skipped.
func parseConfig(n *yaml.Node, path string, warn func(msg string, args ...any)) (Config, error) {
	cfg := Config{MTLS: true, Challenge: true}
	var (
		linkPolicy string
		origins    []string
		cas        []rawCA
	)
	errs, ok := yamlconfig.Mapping(n, path,
		yamlconfig.Str("link_policy", &linkPolicy, "bound"),
		yamlconfig.Bool("mtls", &cfg.MTLS),
		yamlconfig.Bool("challenge", &cfg.Challenge),
		yamlconfig.Str("acr", &cfg.ACR, DefaultACR),
		yamlconfig.Str("second_factor", &cfg.SecondFactor, connectors.SecondFactorPassword),
		yamlconfig.Whole("max_chain", &cfg.MaxChain, "5"),
		yamlconfig.Strings("component_origins", &origins, "[http://127.0.0.1:5052]"),
		yamlconfig.List("cas", func(v *yaml.Node, at string) error {
			rc, err := decodeCA(v, at)
			cas = append(cas, rc)
			return err
		}),
	)
	if !ok {
		return Config{}, errors.Join(errs...)
	}
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", path, key, fmt.Sprintf(format, args...)))
	}
	var err error
	if cfg.LinkPolicy, err = connectors.ParseLinkPolicy(linkPolicy, connectors.LinkBound); err != nil || cfg.LinkPolicy == connectors.LinkSelfBind {
		bad("link_policy", "must be bound or auto")
	}
	if cfg.ACR == "" {
		cfg.ACR = DefaultACR
	}
	if cfg.SecondFactor != "" && cfg.SecondFactor != connectors.SecondFactorPassword {
		bad("second_factor", "must be %s or absent, got %q", connectors.SecondFactorPassword, cfg.SecondFactor)
	}
	if !slices.Contains(acrLevels, cfg.ACR) {
		bad("acr", "must be one of %s, got %q", strings.Join(acrLevels, ", "), cfg.ACR)
	}
	switch {
	case cfg.MaxChain == 0:
		cfg.MaxChain = DefaultMaxChain
	case cfg.MaxChain < 1 || cfg.MaxChain > 10:
		bad("max_chain", "must be 1–10")
	}
	if !cfg.MTLS && !cfg.Challenge {
		bad("mtls", "mtls and challenge are both false: the connector could never log anyone in")
	}
	for i, o := range origins {
		origin, err := parseComponentOrigin(o)
		if err != nil {
			bad(fmt.Sprintf("component_origins[%d]", i), "%v", err)
			continue
		}
		cfg.ComponentOrigins = append(cfg.ComponentOrigins, origin)
	}
	if len(cas) == 0 {
		bad("cas", "required: at least one CA with its roots")
	}
	for _, rc := range cas {
		ca, caErrs := parseCA(rc, cfg.LinkPolicy, warn)
		errs = append(errs, caErrs...)
		cfg.CAs = append(cfg.CAs, ca)
	}
	return cfg, errors.Join(errs...)
}

// decodeCA decodes one `cas` entry at path at.
func decodeCA(v *yaml.Node, at string) (rawCA, error) {
	rc := rawCA{at: at, revocation: rawRevocation{distributionPoints: true, ocsp: true}}
	r := &rc.revocation
	errs, _ := yamlconfig.Mapping(v, at,
		yamlconfig.Str("name", &rc.name, "cfca"),
		yamlconfig.Str("roots", &rc.roots, "a PEM bundle"),
		yamlconfig.Str("roots_file", &rc.rootsFile, "/etc/gjjid/cfca-roots.pem"),
		yamlconfig.Str("intermediates", &rc.intermediates, "a PEM bundle"),
		yamlconfig.Str("intermediates_file", &rc.intermediatesFile, "/etc/gjjid/cfca-oca.pem"),
		yamlconfig.Str("kind", &rc.kind, "unit"),
		yamlconfig.Str("key_storage", &rc.keyStorage, "hardware"),
		yamlconfig.Nested("revocation",
			yamlconfig.Str("mode", &r.mode, "require"),
			yamlconfig.Strings("crl_urls", &r.crlURLs, "[http://crl.example.cn/oca.crl]"),
			yamlconfig.Bool("distribution_points", &r.distributionPoints),
			yamlconfig.Bool("ocsp", &r.ocsp),
			yamlconfig.Duration("grace", &r.grace, "24h"),
			yamlconfig.Duration("timeout", &r.timeout, "5s"),
		),
		yamlconfig.List("extract", func(v *yaml.Node, at string) error {
			var rr rawRule
			errs, _ := yamlconfig.Mapping(v, at,
				yamlconfig.Str("oid", &rr.oid, "1.2.156.10260.4.1.4"),
				yamlconfig.Str("subject", &rr.subject, "serialNumber"),
				yamlconfig.Str("cn_regex", &rr.cnRegex, "'^041@N([0-9A-Z]{18})@'"),
				yamlconfig.Str("type", &rr.typ, IDCreditCode),
			)
			rc.extract = append(rc.extract, rr)
			return errors.Join(errs...)
		}),
	)
	return rc, errors.Join(errs...)
}

// parseComponentOrigin accepts an http(s) or ws(s) origin on a loopback
// host (localhost, 127.0.0.0/8, ::1) with an optional port and nothing
// else, and returns it as scheme://host[:port].
func parseComponentOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL", s)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	default:
		return "", fmt.Errorf("%q: scheme must be http, https, ws or wss", s)
	}
	if u.Opaque != "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q: an origin only (scheme://host[:port]), no path, query or credentials", s)
	}
	if !yamlconfig.IsLoopback(strings.ToLower(u.Hostname())) {
		return "", fmt.Errorf("%q: host must be a loopback address (localhost, 127.0.0.1, [::1])", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q: bad port", s)
		}
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

func parseCA(rc rawCA, policy connectors.LinkPolicy, warn func(string, ...any)) (CA, []error) {
	path := rc.at
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", path, key, fmt.Sprintf(format, args...)))
	}
	ca := CA{Name: rc.name, Kind: connectors.KindUnit, anchors: newAnchors()}
	if ca.Name == "" {
		bad("name", "required (used in logs and the identity's claims)")
	}
	roots, err := loadCerts(rc.roots, rc.rootsFile)
	if err != nil {
		bad("roots_file", "%v", err)
	}
	for _, s := range roots.skipped {
		warn("x509: skipped a root certificate that cannot be parsed", "ca", rc.name, "index", s.index, "err", s.err)
	}
	if err == nil && len(roots.certs) == 0 {
		bad("roots", "required: PEM certificates (roots or roots_file); none could be read")
	}
	inter, err := loadCerts(rc.intermediates, rc.intermediatesFile)
	if err != nil {
		bad("intermediates_file", "%v", err)
	}
	for _, s := range inter.skipped {
		warn("x509: skipped an intermediate certificate that cannot be parsed", "ca", rc.name, "index", s.index, "err", s.err)
	}
	ca.Roots, ca.Intermediates = roots.certs, inter.certs
	for _, c := range ca.Roots {
		ca.anchors.addRoot(c)
	}
	for _, c := range ca.Intermediates {
		ca.anchors.addIntermediate(c)
	}
	switch rc.kind {
	case "", "unit":
	case "person":
		ca.Kind = connectors.KindPerson
	default:
		bad("kind", "must be unit or person")
	}
	switch rc.keyStorage {
	case "", "hardware":
	case "software":
		ca.Software = true
	default:
		bad("key_storage", "must be hardware or software")
	}
	r := rc.revocation
	ca.Revocation = Revocation{CRLURLs: r.crlURLs, DistributionPoints: r.distributionPoints, OCSP: r.ocsp, Grace: r.grace, Timeout: r.timeout}
	switch r.mode {
	case "", "require":
	case "off":
		ca.Revocation.Off = true
		if policy == connectors.LinkAuto {
			bad("revocation.mode", "off is refused with link_policy auto: a revoked unit certificate would log in")
		}
	default:
		bad("revocation.mode", "must be require or off")
	}
	if ca.Revocation.Grace == 0 {
		ca.Revocation.Grace = DefaultRevocationGrace
	}
	if ca.Revocation.Grace < 0 || ca.Revocation.Grace > 30*24*time.Hour {
		bad("revocation.grace", "must be between 0 and 720h")
	}
	if ca.Revocation.Timeout == 0 {
		ca.Revocation.Timeout = DefaultRevocationTimeout
	}
	if ca.Revocation.Timeout < 0 || ca.Revocation.Timeout > time.Minute {
		bad("revocation.timeout", "must be at most 1m")
	}
	for i, u := range r.crlURLs {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			bad(fmt.Sprintf("revocation.crl_urls[%d]", i), "must be an http or https URL")
		}
	}
	for i, rr := range rc.extract {
		rule, err := parseRule(rr)
		if err != nil {
			bad(fmt.Sprintf("extract[%d]", i), "%v", err)
			continue
		}
		ca.Rules = append(ca.Rules, rule)
	}
	if policy == connectors.LinkAuto && len(rc.extract) == 0 {
		bad("extract", "required with link_policy auto: the rules that find the credit code or ID number")
	}
	return ca, errs
}

// parseRule builds one extraction rule: exactly one of oid, subject and cn_regex, and a type.
func parseRule(rr rawRule) (Rule, error) {
	r := Rule{Type: rr.typ}
	switch rr.typ {
	case IDCreditCode, IDOrgCode, IDResident:
	default:
		return r, fmt.Errorf("type must be %s, %s or %s", IDCreditCode, IDOrgCode, IDResident)
	}
	set := 0
	if rr.oid != "" {
		set++
		oid, err := parseOID(rr.oid)
		if err != nil {
			return r, fmt.Errorf("oid: %v", err)
		}
		r.OID = oid
	}
	if rr.subject != "" {
		set++
		if oid, ok := subjectAttributes[strings.ToLower(rr.subject)]; ok {
			r.Attribute = oid
		} else if oid, err := parseOID(rr.subject); err == nil {
			r.Attribute = oid
		} else {
			return r, fmt.Errorf("subject: %q is neither a known attribute (serialNumber, OU, O, CN, organizationIdentifier, UID, title) nor an OID", rr.subject)
		}
	}
	if rr.cnRegex != "" {
		set++
		re, err := regexp.Compile(rr.cnRegex)
		if err != nil {
			return r, fmt.Errorf("cn_regex: %v", err)
		}
		if re.NumSubexp() < 1 {
			return r, errors.New("cn_regex: needs a capture group around the identifier")
		}
		r.CN = re
	}
	if set != 1 {
		return r, errors.New("give exactly one of oid, subject and cn_regex")
	}
	return r, nil
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 32 {
		return nil, fmt.Errorf("%q is not a dotted OID", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a dotted OID", s)
		}
		oid[i] = n
	}
	return oid, nil
}

type skippedCert struct {
	index int
	err   error
}

type loaded struct {
	certs   []*cert
	skipped []skippedCert
}

// loadCerts reads PEM certificates from text and a file. A bundle may hold
// certificates this build cannot parse: they are skipped and reported,
// not fatal (docs/connectors-certificates.md#sm2).
func loadCerts(text, file string) (loaded, error) {
	var out loaded
	data := []byte(text)
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return out, err
		}
		data = append(append(data, '\n'), b...)
	}
	for i := 0; ; i++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out, nil
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := parseCert(b.Bytes)
		if err != nil {
			out.skipped = append(out.skipped, skippedCert{i, err})
			continue
		}
		out.certs = append(out.certs, c)
	}
}
