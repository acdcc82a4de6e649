package accounts_test

import (
	"bytes"
	"errors"
	"regexp"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
)

var phcShape = regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashPassword(t *testing.T) {
	t.Parallel()
	svc, _ := newProductionService(t)
	h1, err := svc.HashPassword(demoPW)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := svc.HashPassword(demoPW)
	if !phcShape.MatchString(h1) {
		t.Errorf("hash %q is not an argon2id PHC string with the default parameters", h1)
	}
	if h1 == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{demoPW, true}, {"802418", false}, {"", false}, {demoPW + " ", false}} {
		ok, err := svc.VerifyPassword(h1, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
}

func TestPepperIsPartOfTheHash(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	h, _ := svc.HashPassword(demoPW)
	other := accounts.New(st, accounts.Secrets{IDHashKey: testSecrets.IDHashKey, Pepper: bytes.Repeat([]byte{0x33}, 32)})
	if ok, err := other.VerifyPassword(h, demoPW); ok || err != nil {
		t.Errorf("VerifyPassword with another pepper = %v, %v; want false", ok, err)
	}
}

func TestVerifyPasswordRefusesMalformedHashes(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	for _, phc := range []string{
		"",
		"802417",
		"$argon2i$v=19$m=65536,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=65536,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=1,p=1,x=2$" + salt + "$" + key,
		"$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key, // 4 GiB
		"$argon2id$v=19$m=65536,t=1000,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=1,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=1,p=255$" + salt + "$" + key,
		"$argon2id$v=19$m=65536,t=1,p=1$" + salt + "=$" + key,
		"$argon2id$v=19$m=65536,t=1,p=1$c2FsdA$" + key,
		"$argon2id$v=19$m=65536,t=1,p=1$" + salt + "$aGFzaA",
		"$argon2id$v=19$m=65536,t=1,p=1$" + salt + "$" + key + "$",
	} {
		if ok, err := svc.VerifyPassword(phc, demoPW); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", phc, ok, err)
		}
	}
}

func TestValidateAgentPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pw      string
		related []string
		ok      bool
	}{
		{"802417", nil, true},
		{"802417", []string{demoID, demoMobile}, true},
		{"135790", nil, true},
		{"123457", nil, true},
		{"", nil, false},
		{"80241", nil, false},
		{"8024171", nil, false},
		{"80241a", nil, false},
		{"８０２４１７", nil, false}, // full-width digits are not accepted as a password
		{"000000", nil, false},
		{"888888", nil, false},
		{"123456", nil, false},
		{"012345", nil, false},
		{"456789", nil, false},
		{"654321", nil, false},
		{"987654", nil, false},
		{"121212", nil, false},
		{"123123", nil, false},
		{"520520", nil, false},
		{"071236", []string{demoID}, false}, // last six of the ID number
		{"900307", []string{demoID}, false}, // birth date YYMMDD
		{"138000", []string{"", demoMobile}, false},
	}
	for _, tt := range tests {
		err := accounts.ValidateAgentPassword(tt.pw, tt.related...)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateAgentPassword(%q, %v) = %v, want ok %v", tt.pw, tt.related, err, tt.ok)
		}
		if err != nil && (!errors.Is(err, accounts.ErrWeakPassword) || !errors.Is(err, accounts.ErrInvalid)) {
			t.Errorf("error %v does not wrap ErrWeakPassword and ErrInvalid", err)
		}
	}
}

// BenchmarkHashPassword measures one argon2id hash with the default
// parameters, i.e. the server cost of one password login.
func BenchmarkHashPassword(b *testing.B) {
	svc, _ := newService(b)
	for b.Loop() {
		if _, err := svc.HashPassword(demoPW); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	svc, _ := newService(b)
	h, _ := svc.HashPassword(demoPW)
	for b.Loop() {
		_, _ = svc.VerifyPassword(h, demoPW)
	}
}

func BenchmarkDummyVerify(b *testing.B) {
	svc, _ := newService(b)
	for b.Loop() {
		svc.DummyVerify(demoPW)
	}
}

// TestHashMemoryForTests: the test knob changes only new hashes' memory,
// and a production-cost hash still verifies on a service that has it.
func TestHashMemoryForTests(t *testing.T) {
	t.Parallel()
	prod, st := newProductionService(t)
	cheap := accounts.New(st, accounts.Secrets{IDHashKey: testSecrets.IDHashKey, Pepper: testSecrets.Pepper, HashMemoryKiB: 1024})
	h, err := cheap.HashPassword(demoPW)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=1024,t=1,p=1\$`).MatchString(h) {
		t.Fatalf("hash %q does not carry m=1024", h)
	}
	ph, _ := prod.HashPassword(demoPW)
	for _, tc := range []struct {
		name string
		svc  *accounts.Service
		phc  string
	}{{"cheap hash on the production service", prod, h}, {"production hash on the cheap service", cheap, ph}} {
		if ok, err := tc.svc.VerifyPassword(tc.phc, demoPW); !ok || err != nil {
			t.Errorf("%s: VerifyPassword = %v, %v; want true", tc.name, ok, err)
		}
	}
}
