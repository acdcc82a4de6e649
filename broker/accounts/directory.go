package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors/password"
)

// Directory adapts the service to what the password connector needs
// (password.Directory). main passes it to password.Factory.
type Directory struct{ s *Service }

var _ password.Directory = (*Directory)(nil)

// Directory returns the service as a password.Directory.
func (s *Service) Directory() *Directory { return &Directory{s: s} }

// FindByLogin returns the account of a normalised ID number or mobile;
// password.ErrUnknownAccount when nobody has it (or it is malformed).
func (d *Directory) FindByLogin(ctx context.Context, login string) (password.Account, error) {
	p, err := d.s.FindByLogin(ctx, login)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, ErrInvalid):
		return password.Account{}, fmt.Errorf("%w: %w", password.ErrUnknownAccount, err)
	case err != nil:
		return password.Account{}, err
	}
	return password.Account{
		PersonID:     p.ID,
		Name:         p.Name,
		PasswordHash: p.PasswordHash,
		Disabled:     p.Status != StatusActive,
	}, nil
}

// VerifyPassword checks password against an argon2id PHC hash.
func (d *Directory) VerifyPassword(hash, pw string) (bool, error) {
	return d.s.VerifyPassword(hash, pw)
}

// DummyVerify spends the time of a VerifyPassword.
func (d *Directory) DummyVerify(pw string) { d.s.DummyVerify(pw) }
