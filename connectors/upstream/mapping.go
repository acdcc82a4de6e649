package upstream

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// The broker's assurance levels, weakest first (broker/login ACRLevels).
var acrLevels = []string{"gjj:loa:1", "gjj:loa:2", "gjj:loa:3"}

// LowestACR is what a login gets whose upstream level is unknown.
const LowestACR = "gjj:loa:1"

// Kinds a user_types entry may name.
const (
	KindPerson      = string(connectors.KindPerson)
	KindLegalPerson = string(connectors.KindLegalPerson)
)

// Claims are the paths of the values an upstream answer carries. Subject
// is required; the others are used when set.
type Claims struct {
	Subject    Path // stable upstream account ID
	Name       Path // person's name, or the unit's name for a legal person
	IDNumber   Path // the person's ID document number
	IDType     Path // its document type (values mapped by Mapping.IDTypes)
	CreditCode Path // 统一社会信用代码 of a legal person
	UnitName   Path // the unit's name, when not in Name
	UserType   Path // person or legal person (values mapped by Mapping.UserTypes)
	Level      Path // trust level (可信等级) or acr (mapped by Mapping.Levels)
	Mobile     Path
	Verified   Path // a flag saying the ID was verified (Mapping.VerifiedValues)
}

// Mapping turns an upstream's answer (a JSON-like document) into a
// connectors.Identity. It is the shared `config:` part of the oidc, cas
// and oauth2 connectors; see Fields for the YAML keys.
type Mapping struct {
	Claims Claims
	// UserTypes maps user_type values to person or legal_person. Empty:
	// every login is a person.
	UserTypes map[string]string
	// IDTypes maps id_type values to ids.DocTypes; empty: values must be
	// those type names. An absent id_type means resident_id.
	IDTypes map[string]string
	// Levels maps level values to the broker's acr; empty: the value must
	// be an acr itself. An unmapped value gets LowestACR.
	Levels map[string]string
	// VerifiedValues are the values of claims.verified that mean verified
	// (default "1", "true", "Y").
	VerifiedValues []string
	// ACR is the level of a login whose answer has no level.
	ACR string
	// VerifiedACR are the levels at which the upstream's ID number or
	// credit code counts as verified (default gjj:loa:2 and gjj:loa:3).
	VerifiedACR []string
	// AMR are the RFC 8176 methods reported for these logins.
	AMR []string
	// LinkPolicy: auto (default) links verified persons and legal persons
	// by ID number or credit code and sends the rest to self-binding;
	// self-bind or bound apply to every login.
	LinkPolicy connectors.LinkPolicy
}

// DefaultMapping is the mapping before the config is read; subject is
// the protocol's natural subject path ("" for none).
func DefaultMapping(subject string) Mapping {
	m := Mapping{ACR: "gjj:loa:2", VerifiedACR: []string{"gjj:loa:2", "gjj:loa:3"},
		VerifiedValues: []string{"1", "true", "Y"}, LinkPolicy: connectors.LinkAuto}
	if subject != "" {
		m.Claims.Subject = MustPath(subject)
	}
	return m
}

// Fields are the mapping's YAML keys, to append to a connector's own.
func (m *Mapping) Fields(policy *string) []yamlconfig.Field {
	c := &m.Claims
	return []yamlconfig.Field{
		yamlconfig.Nested("claims",
			PathField("subject", &c.Subject, "userobj.uid"),
			PathField("name", &c.Name, "userobj.cn"),
			PathField("id_number", &c.IDNumber, "userobj.idcardnumber"),
			PathField("id_type", &c.IDType, "userobj.idcardtype"),
			PathField("credit_code", &c.CreditCode, "userobj.useridcode"),
			PathField("unit_name", &c.UnitName, "pareobj.cn"),
			PathField("user_type", &c.UserType, "userobj.usertype"),
			PathField("level", &c.Level, "user_creditable_level"),
			PathField("mobile", &c.Mobile, "userobj.telephonenumber"),
			PathField("verified", &c.Verified, "userobj.isreal"),
		),
		yamlconfig.StringMap("user_types", &m.UserTypes, `{"1": person, "2": legal_person}`),
		yamlconfig.StringMap("id_types", &m.IDTypes, `{"111": resident_id}`),
		yamlconfig.StringMap("levels", &m.Levels, `{"3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}`),
		yamlconfig.Strings("verified_values", &m.VerifiedValues, `["1", "true"]`),
		yamlconfig.Str("acr", &m.ACR, "gjj:loa:2"),
		yamlconfig.Strings("verified_acr", &m.VerifiedACR, "[gjj:loa:2, gjj:loa:3]"),
		yamlconfig.Strings("amr", &m.AMR, "[pwd]"),
		yamlconfig.Str("link_policy", policy, "auto"),
	}
}

// Finish parses the link policy and validates; errors name YAML paths
// below path.
func (m *Mapping) Finish(path, policy string) error {
	var errs []error
	p, err := connectors.ParseLinkPolicy(policy, connectors.LinkAuto)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s.link_policy: %w", path, err))
	}
	m.LinkPolicy = p
	if m.Claims.Subject.IsZero() {
		errs = append(errs, fmt.Errorf("%s.claims.subject: required: the path of the upstream's stable account ID, e.g. userobj.uid", path))
	}
	checkACR := func(kp, v string) {
		if !slices.Contains(acrLevels, v) {
			errs = append(errs, fmt.Errorf("%s: must be one of %s, got %q", kp, strings.Join(acrLevels, ", "), v))
		}
	}
	checkACR(path+".acr", m.ACR)
	for _, k := range slices.Sorted(maps.Keys(m.Levels)) {
		checkACR(path+".levels."+k, m.Levels[k])
	}
	for i, v := range m.VerifiedACR {
		checkACR(fmt.Sprintf("%s.verified_acr[%d]", path, i), v)
	}
	legal := false
	for _, k := range slices.Sorted(maps.Keys(m.UserTypes)) {
		switch m.UserTypes[k] {
		case KindPerson:
		case KindLegalPerson:
			legal = true
		default:
			errs = append(errs, fmt.Errorf("%s.user_types.%s: must be %s or %s, got %q", path, k, KindPerson, KindLegalPerson, m.UserTypes[k]))
		}
	}
	if len(m.UserTypes) > 0 && m.Claims.UserType.IsZero() {
		errs = append(errs, fmt.Errorf("%s.claims.user_type: required with user_types: the path of the value user_types maps", path))
	}
	if legal && m.Claims.CreditCode.IsZero() {
		errs = append(errs, fmt.Errorf("%s.claims.credit_code: required when user_types names legal_person: a legal person acts for the unit of this credit code", path))
	}
	for _, k := range slices.Sorted(maps.Keys(m.IDTypes)) {
		if !slices.Contains(ids.DocTypes, m.IDTypes[k]) {
			errs = append(errs, fmt.Errorf("%s.id_types.%s: must be one of %s, got %q", path, k, strings.Join(ids.DocTypes, ", "), m.IDTypes[k]))
		}
	}
	for i, a := range m.AMR {
		if err := NoSpace(fmt.Sprintf("%s.amr[%d]", path, i), a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DeclaredACR is the strongest level these logins can reach: what the
// login page compares with a client's acr_values.
func (m *Mapping) DeclaredACR() string {
	best := m.ACR
	for _, v := range m.Levels {
		if slices.Index(acrLevels, v) > slices.Index(acrLevels, best) {
			best = v
		}
	}
	if len(m.Levels) == 0 && !m.Claims.Level.IsZero() {
		best = acrLevels[len(acrLevels)-1] // the upstream names the acr itself
	}
	return best
}

// missing is the error of an absent mapped attribute; it names the
// attribute and its path, never a value.
func missing(attr string, p Path) error {
	return fmt.Errorf("%w: %s (path %s)", ErrMissing, attr, p)
}

// text reads a mapped value. Every configured path is required: a path the answer lacks is a
// mistyped path or a changed upstream, and a default in its place (the
// level of an answer without one, "not verified", resident_id) would make
// the login succeed on a guess — at worst count as verified and link by
// ID number. Only an unconfigured path (p zero) reads as "".
func text(doc any, attr string, p Path) (string, error) {
	if p.IsZero() {
		return "", nil
	}
	s, present, err := p.Text(doc)
	if err != nil {
		return "", fmt.Errorf("attribute %s: %w", attr, err)
	}
	s = strings.TrimSpace(s)
	if !present || s == "" {
		return "", missing(attr, p)
	}
	return s, nil
}

// optionalText reads a mapped value whose absence is no error.
func optionalText(doc any, attr string, p Path) (string, error) {
	if p.IsZero() {
		return "", nil
	}
	s, _, err := p.Text(doc)
	if err != nil {
		return "", fmt.Errorf("attribute %s: %w", attr, err)
	}
	return strings.TrimSpace(s), nil
}

// Identity maps doc onto an identity of connector id. Its errors name the
// attribute and path that failed (never a value): the connector logs them
// and shows the user a generic text (Attribute).
func (m *Mapping) Identity(id string, doc any) (connectors.Identity, error) {
	out := connectors.Identity{ConnectorID: id, Kind: connectors.KindPerson, AMR: slices.Clone(m.AMR), Claims: map[string]any{}}
	var err error
	if out.Subject, err = text(doc, "subject", m.Claims.Subject); err != nil {
		return connectors.Identity{}, err
	}
	if len(out.Subject) > 256 {
		return connectors.Identity{}, errors.New("attribute subject: longer than 256 characters")
	}
	if out.Name, err = text(doc, "name", m.Claims.Name); err != nil {
		return connectors.Identity{}, err
	}
	if !m.Claims.UserType.IsZero() && len(m.UserTypes) > 0 {
		ut, err := text(doc, "user_type", m.Claims.UserType)
		if err != nil {
			return connectors.Identity{}, err
		}
		k, ok := m.UserTypes[ut]
		if !ok {
			return connectors.Identity{}, fmt.Errorf("attribute user_type (path %s): value %q is not in user_types", m.Claims.UserType, ut)
		}
		out.Kind = connectors.Kind(k)
	}
	if out.ACR, err = m.level(doc); err != nil {
		return connectors.Identity{}, err
	}
	// The identifier is read first, so that its absence is the error the
	// log names; the verified flag and the mobile after it.
	var idType, idNumber string
	switch out.Kind {
	case connectors.KindLegalPerson:
		raw, err := text(doc, "credit_code", m.Claims.CreditCode)
		if err != nil {
			return connectors.Identity{}, err
		}
		code, cerr := ids.CreditCode(raw)
		if cerr != nil {
			return connectors.Identity{}, fmt.Errorf("attribute credit_code (path %s): not a valid unified social credit code", m.Claims.CreditCode)
		}
		out.UnitID = code
		unitName, err := text(doc, "unit_name", m.Claims.UnitName)
		if err != nil {
			return connectors.Identity{}, err
		}
		if unitName == "" {
			unitName = out.Name
		}
		if unitName != "" {
			out.Claims["unit_name"] = unitName
		}
	default:
		num, err := text(doc, "id_number", m.Claims.IDNumber)
		if err != nil {
			return connectors.Identity{}, err
		}
		if num != "" {
			typ, err := m.idType(doc)
			if err != nil {
				return connectors.Identity{}, err
			}
			n, derr := ids.Document(typ, num)
			if derr != nil {
				return connectors.Identity{}, fmt.Errorf("attribute id_number (path %s): not a valid %s number", m.Claims.IDNumber, typ)
			}
			idType, idNumber = typ, n
		}
	}
	verified, err := m.verified(doc, out.ACR)
	if err != nil {
		return connectors.Identity{}, err
	}
	// The mobile is the one optional claim: a legal person's answer often
	// has none, and its absence makes no login weaker.
	if out.Phone, err = optionalText(doc, "mobile", m.Claims.Mobile); err != nil {
		return connectors.Identity{}, err
	}
	proven := false
	switch {
	case out.Kind == connectors.KindLegalPerson:
		proven = verified
	case verified && idNumber != "":
		// Only a verified number reaches the broker, which links (or
		// creates) the person by it.
		out.Claims["id_type"], out.Claims["id_number"] = idType, idNumber
		proven = true
	}
	out.LinkPolicy = m.LinkPolicy
	if m.LinkPolicy == connectors.LinkAuto && !proven {
		out.LinkPolicy = connectors.LinkSelfBind
	}
	return out, nil
}

// level is the answer's acr. The "answer without a level" default (m.ACR)
// applies only when claims.level is not configured: a configured level the
// answer lacks fails the login, since that default is usually a verified
// level at which auto links by ID number.
func (m *Mapping) level(doc any) (string, error) {
	v, err := text(doc, "level", m.Claims.Level)
	if err != nil || v == "" {
		return m.ACR, err
	}
	if len(m.Levels) == 0 {
		if slices.Contains(acrLevels, v) {
			return v, nil
		}
		return LowestACR, nil
	}
	if a, ok := m.Levels[v]; ok {
		return a, nil
	}
	return LowestACR, nil
}

// verified says whether the answer's identifier counts as verified: its
// level is in verified_acr and, when claims.verified is configured, that
// flag (which must be present) holds a verified value.
func (m *Mapping) verified(doc any, acr string) (bool, error) {
	flag := ""
	if !m.Claims.Verified.IsZero() {
		v, err := text(doc, "verified", m.Claims.Verified)
		if err != nil {
			return false, err
		}
		flag = v
	}
	if !slices.Contains(m.VerifiedACR, acr) {
		return false, nil
	}
	return m.Claims.Verified.IsZero() || slices.Contains(m.VerifiedValues, flag), nil
}

// idType is the document type of the answer's ID number: resident_id
// when claims.id_type is not configured, else the mapped value of a
// present id_type.
func (m *Mapping) idType(doc any) (string, error) {
	v, err := text(doc, "id_type", m.Claims.IDType)
	if err != nil || v == "" {
		return ids.DocResident, err
	}
	if len(m.IDTypes) > 0 {
		if t, ok := m.IDTypes[v]; ok {
			return t, nil
		}
	} else if slices.Contains(ids.DocTypes, v) {
		return v, nil
	}
	return "", fmt.Errorf("attribute id_type (path %s): value %q is not in id_types", m.Claims.IDType, v)
}
