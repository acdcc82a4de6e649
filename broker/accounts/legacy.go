package accounts

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/crypto/bcrypt"

	"github.com/gjjid/gjjid/broker/store"
)

// Legacy password hashes come from a fund's former 网厅 by bulk import. Each
// is verified once, at the agent's next login, and then replaced by an
// argon2id hash (Directory.UpgradePassword). Stored forms:
//
//	$2a$…, $2b$…, $2y$…               bcrypt, as the legacy system wrote it
//	$sha256-salted$<salt>$<hex>       hex SHA-256 of salt ‖ password
//	$sm3-salted$<salt>$<hex>          hex SM3 (GB/T 32905) of salt ‖ password
//
// where <salt> is the legacy salt column in unpadded standard base64.

// Legacy hash schemes LegacyHash accepts.
const (
	LegacyBcrypt = "bcrypt"
	LegacySHA256 = "sha256"
	LegacySM3    = "sm3"
)

var errLegacy = errors.New("not a legacy password hash this broker can check")

// LegacyHash validates a legacy hash and returns the form to store for it.
// Salts are the legacy system's salt column as text; bcrypt has none.
func LegacyHash(scheme, hashText, salt string) (string, error) {
	hashText = strings.TrimSpace(hashText)
	switch scheme {
	case LegacyBcrypt:
		if salt != "" {
			return "", invalid("password_salt", "bcrypt hashes carry their own salt; leave it empty")
		}
		if _, err := bcrypt.Cost([]byte(hashText)); err != nil {
			return "", invalid("password_hash", "is not a bcrypt hash ($2a$/$2b$/$2y$…)")
		}
		return hashText, nil
	case LegacySHA256, LegacySM3:
		digest, err := hex.DecodeString(hashText)
		if err != nil || len(digest) != 32 {
			return "", invalid("password_hash", "must be 64 hexadecimal digits (a %s digest)", scheme)
		}
		return fmt.Sprintf("$%s-salted$%s$%s", scheme, base64.RawStdEncoding.EncodeToString([]byte(salt)), hex.EncodeToString(digest)), nil
	default:
		return "", invalid("password_scheme", "must be %s, %s or %s", LegacyBcrypt, LegacySHA256, LegacySM3)
	}
}

// CreatePersonWithLegacyHash is CreatePerson for a person whose password is
// known only as a former system's hash: legacyHash is LegacyHash's result
// and n.Password must be empty.
func (s *Service) CreatePersonWithLegacyHash(ctx context.Context, n NewPerson, legacyHash string) (*store.Person, error) {
	return s.createPerson(ctx, n, legacyHash)
}

// isLegacy reports whether a stored hash is one of the legacy forms.
func isLegacy(stored string) bool {
	return strings.HasPrefix(stored, "$2") || strings.HasPrefix(stored, "$sha256-salted$") || strings.HasPrefix(stored, "$sm3-salted$")
}

// verifyLegacy checks password against a legacy form, in constant time
// (bcrypt compares in constant time itself).
func verifyLegacy(stored, password string) (bool, error) {
	if strings.HasPrefix(stored, "$2") {
		err := bcrypt.CompareHashAndPassword([]byte(stored), []byte(password))
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, nil
		default:
			return false, fmt.Errorf("accounts: %w: %w", errLegacy, err)
		}
	}
	parts := strings.Split(stored, "$") // "", "<scheme>-salted", salt, hex
	if len(parts) != 4 {
		return false, fmt.Errorf("accounts: %w", errLegacy)
	}
	var h hash.Hash
	switch parts[1] {
	case "sha256-salted":
		h = sha256.New()
	case "sm3-salted":
		h = sm3.New()
	default:
		return false, fmt.Errorf("accounts: %w", errLegacy)
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := hex.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("accounts: %w", errLegacy)
	}
	h.Write(salt)
	h.Write([]byte(password))
	return subtle.ConstantTimeCompare(h.Sum(nil), want) == 1, nil
}

// UpgradePassword replaces a person's legacy hash by an argon2id hash of
// password, which the caller has just verified against oldHash. Nothing
// changes when oldHash is current already or no longer the person's (a
// concurrent password change wins). The password is not checked against
// today's rules: the agent chose it under the old ones and may change it.
func (s *Service) UpgradePassword(ctx context.Context, personID, oldHash, password string) error {
	if !isLegacy(oldHash) {
		return nil
	}
	p, err := s.st.GetPerson(ctx, personID)
	if err != nil {
		return fmt.Errorf("accounts: upgrade password of %s: %w", personID, err)
	}
	if p.PasswordHash != oldHash {
		return nil
	}
	h, err := s.HashPassword(password)
	if err != nil {
		return fmt.Errorf("accounts: upgrade password of %s: %w", personID, err)
	}
	p.PasswordHash = h
	if err := s.st.PutPerson(ctx, p); err != nil {
		return fmt.Errorf("accounts: upgrade password of %s: %w", personID, err)
	}
	return nil
}
