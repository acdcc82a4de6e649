package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
)

func TestCreateLink(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	p := demoPersonAndUnit(t, svc)
	for _, tc := range []struct {
		name  string
		link  accounts.NewLink
		err   error
		field string
	}{
		{"person", accounts.NewLink{Connector: "alipay", Subject: "2088", Kind: store.LinkPerson, PersonID: p.ID}, nil, ""},
		{"again", accounts.NewLink{Connector: "alipay", Subject: "2088", Kind: store.LinkPerson, PersonID: p.ID}, store.ErrConflict, ""},
		{"unit by lower-case code", accounts.NewLink{Connector: "ca", Subject: "sha256:aa", Kind: store.LinkUnit, UnitID: strings.ToLower(demoUnit)}, nil, ""},
		{"agent without record", accounts.NewLink{Connector: "ca", Subject: "sha256:bb", Kind: store.LinkAgent, PersonID: p.ID, UnitID: demoUnit}, store.ErrNotFound, ""},
		{"unknown person", accounts.NewLink{Connector: "wechat", Subject: "o1", Kind: store.LinkPerson, PersonID: "p_nobody"}, store.ErrNotFound, ""},
		{"unknown unit", accounts.NewLink{Connector: "ca", Subject: "sha256:cc", Kind: store.LinkUnit, UnitID: otherUnit}, store.ErrNotFound, ""},
		{"bad connector", accounts.NewLink{Connector: "Ali Pay", Subject: "x", Kind: store.LinkPerson, PersonID: p.ID}, accounts.ErrInvalid, "connector"},
		{"no subject", accounts.NewLink{Connector: "alipay", Kind: store.LinkPerson, PersonID: p.ID}, accounts.ErrInvalid, "subject"},
		{"control character", accounts.NewLink{Connector: "alipay", Subject: "a\nb", Kind: store.LinkPerson, PersonID: p.ID}, accounts.ErrInvalid, "subject"},
		{"bad kind", accounts.NewLink{Connector: "alipay", Subject: "y", Kind: "robot", PersonID: p.ID}, accounts.ErrInvalid, "kind"},
		{"person link with unit", accounts.NewLink{Connector: "alipay", Subject: "z", Kind: store.LinkPerson, PersonID: p.ID, UnitID: demoUnit}, accounts.ErrInvalid, "person_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := svc.CreateLink(ctx, tc.link)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("CreateLink: %v", err)
				}
				got, err := svc.GetLink(ctx, tc.link.Connector, tc.link.Subject)
				if err != nil || got.Kind != l.Kind || (l.UnitID != "" && l.UnitID != demoUnit) {
					t.Fatalf("GetLink = %+v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("CreateLink = %v, want %v", err, tc.err)
			}
			if f, _ := accounts.Field(err); f != tc.field {
				t.Errorf("field %q, want %q", f, tc.field)
			}
		})
	}
	l, err := svc.Unlink(ctx, "alipay", "2088")
	if err != nil || l.PersonID != p.ID {
		t.Fatalf("Unlink = %+v, %v", l, err)
	}
	if _, err := svc.Unlink(ctx, "alipay", "2088"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Unlink again = %v", err)
	}
}

func TestCertRefSubject(t *testing.T) {
	t.Parallel()
	fp := strings.Repeat("0F", 32)
	for _, tc := range []struct {
		ref    accounts.CertRef
		prefix string
		field  string
	}{
		{accounts.CertRef{FingerprintSHA256: fp}, "sha256:0f0f", ""},
		{accounts.CertRef{Issuer: "CN=Test CA,O=Example,C=CN", Serial: "0x10"}, "issuer-serial:", ""},
		{accounts.CertRef{}, "", "certificate"},
		{accounts.CertRef{FingerprintSHA256: fp, Serial: "1"}, "", "certificate"},
		{accounts.CertRef{FingerprintSHA256: "0F"}, "", "fingerprint_sha256"},
		{accounts.CertRef{Issuer: "CN=Test CA", Serial: "-1"}, "", "serial"},
		{accounts.CertRef{Issuer: "not a DN", Serial: "1"}, "", "issuer"},
	} {
		s, err := tc.ref.Subject()
		if tc.field != "" {
			if f, _ := accounts.Field(err); f != tc.field {
				t.Errorf("%+v: error %v names %q, want %q", tc.ref, err, f, tc.field)
			}
			continue
		}
		if err != nil || !strings.HasPrefix(s, tc.prefix) {
			t.Errorf("%+v: %q, %v; want prefix %q", tc.ref, s, err, tc.prefix)
		}
	}
}

func TestUnitSubject(t *testing.T) {
	t.Parallel()
	s := accounts.UnitSubject(demoUnit)
	if strings.Contains(s, ":") {
		t.Fatalf("unit subject %q has a colon", s)
	}
	if u, ok := accounts.UnitOfSubject(s); !ok || u != demoUnit {
		t.Fatalf("UnitOfSubject(%q) = %q, %v", s, u, ok)
	}
	for _, notUnit := range []string{"p_abc", "u_short", "", "u_" + demoUnit + "x"} {
		if _, ok := accounts.UnitOfSubject(notUnit); ok {
			t.Errorf("UnitOfSubject(%q) took it for a unit", notUnit)
		}
	}
}
