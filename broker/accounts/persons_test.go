package accounts_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
)

var personIDShape = regexp.MustCompile(`^p_[a-z2-7]{26}$`)

func TestCreatePersonKeepsNoIdentifierInClear(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := context.Background()
	p, err := svc.CreatePerson(ctx, accounts.NewPerson{Name: " 张三 ", IDNumber: "510107 19900307 1236", Mobile: "+86 138-0013-8000", Password: demoPW})
	if err != nil {
		t.Fatal(err)
	}
	if !personIDShape.MatchString(p.ID) {
		t.Errorf("person ID %q, want p_ and 26 base32 characters", p.ID)
	}
	if p.Name != "张三" || p.IDType != accounts.IDTypeResident || p.Status != accounts.StatusActive || p.CreatedAt.IsZero() {
		t.Errorf("person = %+v", p)
	}
	if p.IDMasked != "510***********1236" || p.MobileMasked != "138****8000" {
		t.Errorf("masked = %q, %q", p.IDMasked, p.MobileMasked)
	}
	if p.IDHash != svc.IDHash(demoID) || p.MobileHash != svc.MobileHash(demoMobile) {
		t.Error("lookup hashes differ from IDHash/MobileHash of the normalised values")
	}
	stored, err := st.GetPerson(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(stored)
	for _, raw := range []string{demoID, demoMobile, "19900307", demoPW} {
		if strings.Contains(string(js), raw) {
			t.Errorf("stored person contains %s in clear: %s", raw, js)
		}
	}
	if id, err := svc.UnsealIDNumber(stored); err != nil || id != demoID {
		t.Errorf("UnsealIDNumber = %q, %v", id, err)
	}
	if m, err := svc.UnsealMobile(stored); err != nil || m != demoMobile {
		t.Errorf("UnsealMobile = %q, %v", m, err)
	}
	if ok, err := svc.VerifyPassword(stored.PasswordHash, demoPW); !ok || err != nil {
		t.Errorf("VerifyPassword(stored hash) = %v, %v", ok, err)
	}
}

func TestSealedValuesAreBoundToPersonAndField(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	a, _ := svc.CreatePerson(ctx, accounts.NewPerson{Name: "甲", IDNumber: demoID, Mobile: demoMobile})
	b, _ := svc.CreatePerson(ctx, accounts.NewPerson{Name: "乙", IDNumber: otherID})

	moved := *b
	moved.IDSealed = a.IDSealed
	if _, err := svc.UnsealIDNumber(&moved); err == nil {
		t.Error("a sealed ID number opened under another person")
	}
	swapped := *a
	swapped.IDSealed = a.MobileSealed
	if _, err := svc.UnsealIDNumber(&swapped); err == nil {
		t.Error("a sealed mobile opened as the ID number")
	}
	tampered := *a
	tampered.IDSealed = append([]byte(nil), a.IDSealed...)
	tampered.IDSealed[len(tampered.IDSealed)-1] ^= 1
	if _, err := svc.UnsealIDNumber(&tampered); err == nil {
		t.Error("a tampered sealed value opened")
	}
	if _, err := svc.UnsealMobile(b); !errors.Is(err, accounts.ErrNotSealed) {
		t.Errorf("UnsealMobile of a person without mobile = %v, want ErrNotSealed", err)
	}
	other := accounts.New(nil, accounts.Secrets{IDHashKey: make([]byte, 32), Pepper: testSecrets.Pepper})
	if _, err := other.UnsealIDNumber(a); err == nil {
		t.Error("a sealed value opened with another key")
	}
}

func TestLookupHashes(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	if svc.IDHash(demoID) != svc.IDHash("510107199003071236 ") || svc.IDHash(otherID) != svc.IDHash(strings.ToLower(otherID)) {
		t.Error("IDHash does not normalise")
	}
	if svc.MobileHash(demoMobile) != svc.MobileHash("+86 138 0013 8000") {
		t.Error("MobileHash does not normalise")
	}
	if svc.IDHash(demoMobile) == svc.MobileHash(demoMobile) {
		t.Error("an ID hash equals a mobile hash of the same digits")
	}
	if len(svc.IDHash(demoID)) != 64 || svc.IDHash(demoID) == svc.IDHash(otherID) {
		t.Error("IDHash is not a distinct hex SHA-256")
	}
	other := accounts.New(nil, accounts.Secrets{IDHashKey: make([]byte, 32), Pepper: testSecrets.Pepper})
	if other.IDHash(demoID) == svc.IDHash(demoID) {
		t.Error("IDHash does not depend on the key")
	}
}

func TestCreatePersonValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   accounts.NewPerson
		want []string // substrings of the error; nil: success
	}{
		{"other ID type", accounts.NewPerson{Name: "Jane Roe", IDType: "passport", IDNumber: " e1234 5678 "}, nil},
		{"no mobile, no password", accounts.NewPerson{Name: "张三", IDNumber: demoID}, nil},
		{"empty name", accounts.NewPerson{Name: "  ", IDNumber: demoID}, []string{"name: must be 1–64 characters"}},
		{"check digit", accounts.NewPerson{Name: "张三", IDNumber: "510107199003071235"}, []string{"id_number:", "check character"}},
		{"birth date", accounts.NewPerson{Name: "张三", IDNumber: "110105199902290013"}, []string{"id_number:", "birth date"}},
		{"other type empty", accounts.NewPerson{Name: "张三", IDType: "passport"}, []string{"id_number:", "passport number: wrong length"}},
		{"bad ID type", accounts.NewPerson{Name: "张三", IDType: "护照", IDNumber: "E12345678"}, []string{"id_type:"}},
		{"mobile", accounts.NewPerson{Name: "张三", IDNumber: demoID, Mobile: "02887654321"}, []string{"mobile:"}},
		{"weak password", accounts.NewPerson{Name: "张三", IDNumber: demoID, Password: "123456"}, []string{"agent password must not be a run of consecutive digits"}},
		{"password from the ID number", accounts.NewPerson{Name: "张三", IDNumber: demoID, Password: "071236"}, []string{"agent password must not be part of the ID number"}},
		{"every error at once", accounts.NewPerson{IDNumber: "1", Mobile: "2", Password: "3"}, []string{"accounts: create person: name: must be 1–64 characters; id_number: ", "; mobile: ", "; agent password must be exactly 6 digits"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, _ := newService(t)
			p, err := svc.CreatePerson(context.Background(), tt.in)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CreatePerson: %v", err)
				}
				if tt.in.IDType == "passport" && p.IDMasked != "E12**5678" {
					t.Errorf("IDMasked = %q", p.IDMasked)
				}
				return
			}
			if !errors.Is(err, accounts.ErrInvalid) {
				t.Fatalf("CreatePerson error = %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tt.in.IDNumber) && len(tt.in.IDNumber) > 4 {
				t.Errorf("error %q repeats the ID number", err)
			}
		})
	}
}

func TestCreatePersonConflicts(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.CreatePerson(ctx, accounts.NewPerson{Name: "张三", IDNumber: demoID, Mobile: demoMobile}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []accounts.NewPerson{
		{Name: "张三", IDNumber: strings.ToLower(demoID)},
		{Name: "李四", IDNumber: otherID, Mobile: "+86" + demoMobile},
	} {
		if _, err := svc.CreatePerson(ctx, n); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreatePerson(duplicate) = %v, want ErrConflict", err)
		}
	}
}

func TestFindByLogin(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	zs, _ := svc.CreatePerson(ctx, accounts.NewPerson{Name: "张三", IDNumber: demoID, Mobile: demoMobile})
	ls, _ := svc.CreatePerson(ctx, accounts.NewPerson{Name: "李四", IDNumber: otherID})
	tests := []struct {
		login string
		want  string // person ID; "" with err
		err   error
	}{
		{demoID, zs.ID, nil},
		{" 510107 19900307 1236", zs.ID, nil},
		{demoMobile, zs.ID, nil},
		{"+86 138 0013 8000", zs.ID, nil},
		{"11010519491231002x", ls.ID, nil},
		{"13900139000", "", store.ErrNotFound},
		{"320106198508120033", "", store.ErrNotFound},
		{"510107199003071235", "", accounts.ErrInvalid},
		{"zhangsan", "", accounts.ErrInvalid},
	}
	for _, tt := range tests {
		p, err := svc.FindByLogin(ctx, tt.login)
		if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("FindByLogin(%q) error = %v, want %v", tt.login, err, tt.err)
			continue
		}
		if err == nil && p.ID != tt.want {
			t.Errorf("FindByLogin(%q) = %s, want %s", tt.login, p.ID, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), strings.TrimSpace(tt.login)) {
			t.Errorf("error %q repeats the login", err)
		}
	}
	if p, err := svc.GetPerson(ctx, zs.ID); err != nil || p.Name != "张三" {
		t.Errorf("GetPerson = %v, %v", p, err)
	}
	if _, err := svc.GetPerson(ctx, "p_nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetPerson(unknown) = %v", err)
	}
}
