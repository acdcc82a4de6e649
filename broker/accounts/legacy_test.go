package accounts_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/crypto/bcrypt"

	"github.com/gjjid/gjjid/broker/accounts"
)

// legacyHashes returns, per scheme, what a former system would have in its
// hash and salt columns for password.
func legacyHashes(t *testing.T, password string) map[string][2]string {
	t.Helper()
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	s256 := sha256.Sum256([]byte("salt1" + password))
	s3 := sm3.Sum([]byte("盐2" + password))
	return map[string][2]string{
		accounts.LegacyBcrypt: {string(b), ""},
		accounts.LegacySHA256: {strings.ToUpper(hex.EncodeToString(s256[:])), "salt1"},
		accounts.LegacySM3:    {hex.EncodeToString(s3[:]), "盐2"},
	}
}

// An imported agent signs in once with the old password; the hash is then
// argon2id, and the old password still works (it is the same password).
func TestLegacyHashVerifiedThenUpgraded(t *testing.T) {
	t.Parallel()
	for scheme, hs := range legacyHashes(t, "112233") {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			svc, _ := newService(t)
			ctx := t.Context()
			stored, err := accounts.LegacyHash(scheme, hs[0], hs[1])
			if err != nil {
				t.Fatalf("legacy hash: %v", err)
			}
			p, err := svc.CreatePersonWithLegacyHash(ctx, accounts.NewPerson{Name: "王五", IDNumber: demoID}, stored)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			for pw, want := range map[string]bool{"112233": true, "112234": false, "": false} {
				if ok, err := svc.VerifyPassword(p.PasswordHash, pw); err != nil || ok != want {
					t.Fatalf("verify %q against the legacy hash: %v, %v; want %v", pw, ok, err, want)
				}
			}
			if err := svc.UpgradePassword(ctx, p.ID, p.PasswordHash, "112233"); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			after, err := svc.GetPerson(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(after.PasswordHash, "$argon2id$") {
				t.Fatalf("after the upgrade the hash is %q", after.PasswordHash)
			}
			if ok, err := svc.VerifyPassword(after.PasswordHash, "112233"); !ok || err != nil {
				t.Fatalf("the upgraded hash refuses the password: %v", err)
			}
			// A second upgrade with the old hash (a concurrent login) changes nothing.
			if err := svc.UpgradePassword(ctx, p.ID, p.PasswordHash, "112233"); err != nil {
				t.Fatal(err)
			}
			again, _ := svc.GetPerson(ctx, p.ID)
			if again.PasswordHash != after.PasswordHash {
				t.Fatal("a stale upgrade replaced the current hash")
			}
		})
	}
}

func TestLegacyHashRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ scheme, hash, salt, field string }{
		{"md5", "abc", "", "password_scheme"},
		{accounts.LegacyBcrypt, "not-bcrypt", "", "password_hash"},
		{accounts.LegacyBcrypt, "$2a$04$abcdefghijklmnopqrstuuZsQ3qYd2cQpTnbU.6J3aY2b1GSJ3fG", "salt", "password_salt"},
		{accounts.LegacySHA256, "abcd", "s", "password_hash"},
		{accounts.LegacySM3, strings.Repeat("zz", 32), "s", "password_hash"},
	}
	for _, tc := range tests {
		_, err := accounts.LegacyHash(tc.scheme, tc.hash, tc.salt)
		if f, ok := accounts.Field(err); !ok || f != tc.field || !errors.Is(err, accounts.ErrInvalid) {
			t.Errorf("LegacyHash(%s, %q, %q): %v, want a problem with %s", tc.scheme, tc.hash, tc.salt, err, tc.field)
		}
	}
}
