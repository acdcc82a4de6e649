// Package agentpassword holds the rule an agent (经办人) password must
// meet. It is a leaf package so that the configuration check (the seed's
// passwords) applies the very rule the accounts service does.
package agentpassword

import (
	"errors"
	"strings"
)

// Check checks an agent password: exactly six digits, as the funds'
// counters and phone keypads have them. Because six digits are few, it
// also refuses the ones guessed first:
//   - all digits the same (000000, 888888),
//   - runs up or down (123456, 654321, 012345, 987654),
//   - a repeated pair or triple (121212, 520520, 123123),
//   - six consecutive characters of the person's own ID number or mobile,
//     when given as related (the birth date, the last six of the ID number…).
//
// The error says why, in words fit for a form or a config error.
func Check(pw string, related ...string) error {
	if len(pw) != 6 || strings.ContainsFunc(pw, func(r rune) bool { return r < '0' || r > '9' }) {
		return errors.New("must be exactly 6 digits")
	}
	up, down := true, true
	for i := 1; i < 6; i++ {
		up = up && pw[i] == pw[i-1]+1
		down = down && pw[i] == pw[i-1]-1
	}
	switch {
	case strings.Count(pw, pw[:1]) == 6:
		return errors.New("must not be one digit repeated")
	case up || down:
		return errors.New("must not be a run of consecutive digits")
	case pw[:2] == pw[2:4] && pw[2:4] == pw[4:]:
		return errors.New("must not repeat a pair of digits")
	case pw[:3] == pw[3:]:
		return errors.New("must not repeat three digits")
	}
	for _, r := range related {
		if r != "" && strings.Contains(strings.ToUpper(r), pw) {
			return errors.New("must not be part of the ID number or mobile")
		}
	}
	return nil
}
