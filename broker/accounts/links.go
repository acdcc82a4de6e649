package accounts

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/ids"
)

// NewLink is what CreateLink needs.
type NewLink struct {
	Connector string // connector ID
	Subject   string // upstream subject (open_id, unionid, certificate subject …)
	Kind      string // store.LinkPerson | store.LinkUnit | store.LinkAgent
	PersonID  string // person and agent links
	UnitID    string // unit and agent links
	Label     string // shown in lists, e.g. a masked name or a certificate's subject
	CreatedBy string // "client:<id>", "self-bind", "auto"
}

// CertRef names a certificate bound at the counter: by SHA-256
// fingerprint, or by issuer DN and serial number.
type CertRef struct {
	FingerprintSHA256 string `json:"fingerprint_sha256,omitempty"`
	Issuer            string `json:"issuer,omitempty"` // RFC 4514 DN
	Serial            string `json:"serial,omitempty"` // decimal, 0x-hex or colon-hex
}

// Subject is the canonical link subject of the certificate (see
// ids.CertFingerprint and ids.CertIssuerSerial), the same the certificate
// connector computes at login.
func (c CertRef) Subject() (string, error) {
	switch {
	case c.FingerprintSHA256 != "" && (c.Issuer != "" || c.Serial != ""):
		return "", invalid("certificate", "give fingerprint_sha256 or issuer and serial, not both")
	case c.FingerprintSHA256 != "":
		s, err := ids.CertFingerprint(c.FingerprintSHA256)
		if err != nil {
			return "", wrapInvalid("fingerprint_sha256", err)
		}
		return s, nil
	case c.Issuer != "" || c.Serial != "":
		s, err := ids.CertIssuerSerial(c.Issuer, c.Serial)
		if err != nil {
			field := "serial"
			if strings.Contains(err.Error(), "issuer") {
				field = "issuer"
			}
			return "", wrapInvalid(field, err)
		}
		return s, nil
	}
	return "", invalid("certificate", "fingerprint_sha256, or issuer and serial, is required")
}

var connectorIDShape = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// CreateLink validates n, checks that its principal exists (for an agent
// link: that the person is an agent of the unit) and stores it. A linked
// (connector, subject) yields an error wrapping store.ErrConflict and
// changes nothing.
func (s *Service) CreateLink(ctx context.Context, n NewLink) (*store.Link, error) {
	var errs []error
	if !connectorIDShape.MatchString(n.Connector) {
		errs = append(errs, invalid("connector", "must be a connector ID: lower-case letters, digits, _ and -"))
	}
	if n.Subject == "" || len(n.Subject) > 512 || strings.ContainsFunc(n.Subject, unicode.IsControl) {
		errs = append(errs, invalid("subject", "must be 1–512 bytes without control characters"))
	}
	switch n.Kind {
	case store.LinkPerson:
		if n.PersonID == "" || n.UnitID != "" {
			errs = append(errs, invalid("person_id", "a person link names a person and no unit"))
		}
	case store.LinkUnit:
		if n.UnitID == "" || n.PersonID != "" {
			errs = append(errs, invalid("unit_id", "a unit link names a unit and no person"))
		}
	case store.LinkAgent:
		if n.PersonID == "" || n.UnitID == "" {
			errs = append(errs, invalid("person_id", "an agent link names a person and a unit"))
		}
	default:
		errs = append(errs, invalid("kind", "must be %s, %s or %s", store.LinkPerson, store.LinkUnit, store.LinkAgent))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("accounts: create link: %w", fieldErrors(errs))
	}
	l := &store.Link{Connector: n.Connector, Subject: n.Subject, Kind: n.Kind, PersonID: n.PersonID,
		Label: strings.TrimSpace(n.Label), CreatedBy: n.CreatedBy, CreatedAt: s.now().UTC()}
	if n.UnitID != "" {
		u, err := s.GetUnit(ctx, n.UnitID)
		if err != nil {
			return nil, fmt.Errorf("accounts: create link: %w", err)
		}
		l.UnitID = u.ID
	}
	if n.PersonID != "" {
		if _, err := s.GetPerson(ctx, n.PersonID); err != nil {
			return nil, fmt.Errorf("accounts: create link: %w", err)
		}
	}
	if n.Kind == store.LinkAgent {
		if _, err := s.Agent(ctx, l.PersonID, l.UnitID); err != nil {
			return nil, fmt.Errorf("accounts: create link: %w", err)
		}
	}
	if err := s.st.AddLink(ctx, l); err != nil {
		return nil, fmt.Errorf("accounts: create link at %s: %w", n.Connector, err)
	}
	return l, nil
}

// GetLink returns the link of an upstream identity; store.ErrNotFound when
// it is not linked.
func (s *Service) GetLink(ctx context.Context, connector, subject string) (*store.Link, error) {
	l, err := s.st.GetLink(ctx, connector, subject)
	if err != nil {
		return nil, fmt.Errorf("accounts: link at %s: %w", connector, err)
	}
	return l, nil
}

// Unlink removes a link and returns what it was.
func (s *Service) Unlink(ctx context.Context, connector, subject string) (*store.Link, error) {
	l, err := s.GetLink(ctx, connector, subject)
	if err != nil {
		return nil, err
	}
	if err := s.st.DeleteLink(ctx, connector, subject); err != nil {
		return nil, fmt.Errorf("accounts: unlink at %s: %w", connector, err)
	}
	return l, nil
}

// ListLinks pages every link.
func (s *Service) ListLinks(ctx context.Context, cursor string, limit int) ([]*store.Link, string, error) {
	ls, next, err := s.st.ListLinks(ctx, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("accounts: list links: %w", err)
	}
	return ls, next, nil
}

// LinksOf returns the links of a person or unit.
func (s *Service) LinksOf(ctx context.Context, principalID string) ([]*store.Link, error) {
	ls, err := s.st.LinksOf(ctx, principalID)
	if err != nil {
		return nil, fmt.Errorf("accounts: links of %s: %w", principalID, err)
	}
	return ls, nil
}

// unitSubjectPrefix marks the token subject of a unit logging in as itself
// (unit certificate, legal person). Credit codes are public registration
// numbers, not personal data, so the subject may carry one; it has no ':'.
const unitSubjectPrefix = "u_"

// UnitSubject is the token `sub` of unit unitID acting as itself.
func UnitSubject(unitID string) string { return unitSubjectPrefix + unitID }

// UnitOfSubject returns the unit a unit subject names.
func UnitOfSubject(subject string) (string, bool) {
	if len(subject) == len(unitSubjectPrefix)+18 && subject[:len(unitSubjectPrefix)] == unitSubjectPrefix {
		return subject[len(unitSubjectPrefix):], true
	}
	return "", false
}
