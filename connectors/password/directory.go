package password

import (
	"context"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

// ErrUnknownAccount is what Directory.FindByLogin returns (possibly
// wrapped) when no account has the login.
var ErrUnknownAccount = connectors.ErrUnknownAccount

// Directory is the account lookup the connector needs; the broker's
// accounts service provides it (accounts.Directory). Logins reach it
// normalised: 18 upper-case characters for a resident ID number, 11 digits
// for a mobile.
type Directory interface {
	// FindByLogin returns the account whose ID number or mobile is login,
	// or ErrUnknownAccount.
	FindByLogin(ctx context.Context, login string) (Account, error)
	// VerifyPassword checks password against a hash FindByLogin returned,
	// in constant time.
	VerifyPassword(hash, password string) (bool, error)
	// DummyVerify spends the time of a VerifyPassword, so that unknown and
	// disabled accounts answer as slowly as known ones.
	DummyVerify(password string)
}

// Account is what the connector learns about a login.
type Account = connectors.Account

// Counters count consecutive failures per login; the broker's store
// provides them (store.Counters), with keys that expire by themselves.
type Counters interface {
	// Incr adds one to key, (re)sets its lifetime to ttl and returns the
	// new count.
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	Count(ctx context.Context, key string) (int64, error)
	Reset(ctx context.Context, key string) error
}
