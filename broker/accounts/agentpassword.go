package accounts

import (
	"errors"
	"strings"
)

// ErrWeakPassword marks an agent password that ValidateAgentPassword
// refuses; such errors match ErrInvalid too.
var ErrWeakPassword = errors.New("agent password refused")

// ValidateAgentPassword checks an agent (经办人) password: exactly six
// digits, as the funds' counters and phone keypads have them. Because six
// digits are few, it also refuses the ones guessed first:
//   - all digits the same (000000, 888888),
//   - runs up or down (123456, 654321, 012345, 987654),
//   - a repeated pair or triple (121212, 520520, 123123),
//   - six consecutive characters of the person's own ID number or mobile,
//     when given as related (the birth date, the last six of the ID number…).
func ValidateAgentPassword(pw string, related ...string) error {
	if len(pw) != 6 || strings.ContainsFunc(pw, func(r rune) bool { return r < '0' || r > '9' }) {
		return weakPassword("must be exactly 6 digits")
	}
	up, down := true, true
	for i := 1; i < 6; i++ {
		up = up && pw[i] == pw[i-1]+1
		down = down && pw[i] == pw[i-1]-1
	}
	switch {
	case strings.Count(pw, pw[:1]) == 6:
		return weakPassword("must not be one digit repeated")
	case up || down:
		return weakPassword("must not be a run of consecutive digits")
	case pw[:2] == pw[2:4] && pw[2:4] == pw[4:]:
		return weakPassword("must not repeat a pair of digits")
	case pw[:3] == pw[3:]:
		return weakPassword("must not repeat three digits")
	}
	for _, r := range related {
		if r != "" && strings.Contains(strings.ToUpper(r), pw) {
			return weakPassword("must not be part of the ID number or mobile")
		}
	}
	return nil
}

// weakPassword says why, and matches ErrWeakPassword and ErrInvalid.
type weakPassword string

func (w weakPassword) Error() string { return "agent password " + string(w) }

func (w weakPassword) Is(target error) bool { return target == ErrWeakPassword || target == ErrInvalid }
