package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/connectors"
)

// Directory adapts the service to the account lookup form-based connectors
// declare (password.Directory); main passes it to their factories.
type Directory struct{ s *Service }

// Directory returns the service as a connector account directory.
func (s *Service) Directory() *Directory { return &Directory{s: s} }

// FindByLogin returns the account of a normalised ID number or mobile;
// connectors.ErrUnknownAccount when nobody has it (or it is malformed).
func (d *Directory) FindByLogin(ctx context.Context, login string) (connectors.Account, error) {
	p, err := d.s.FindByLogin(ctx, login)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, ErrInvalid):
		return connectors.Account{}, fmt.Errorf("%w: %w", connectors.ErrUnknownAccount, err)
	case err != nil:
		return connectors.Account{}, err
	}
	return connectors.Account{
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
