package accounts

import (
	"errors"

	"github.com/gjjid/gjjid/broker/agentpassword"
)

// ErrWeakPassword marks an agent password that ValidateAgentPassword
// refuses; such errors match ErrInvalid too.
var ErrWeakPassword = errors.New("agent password refused")

// ValidateAgentPassword checks an agent (经办人) password by the rule of
// package agentpassword (six digits, none of the ones guessed first, not
// part of the related ID number or mobile).
func ValidateAgentPassword(pw string, related ...string) error {
	if err := agentpassword.Check(pw, related...); err != nil {
		return weakPassword(err.Error())
	}
	return nil
}

// weakPassword says why, and matches ErrWeakPassword and ErrInvalid.
type weakPassword string

func (w weakPassword) Error() string { return "agent password " + string(w) }

func (w weakPassword) Is(target error) bool { return target == ErrWeakPassword || target == ErrInvalid }
