package yamlconfig

import (
	"fmt"
	"strings"
	"time"
)

// CheckACR checks the acr a connector's logins yield, set at path at:
// one token (clients ask for acr_values space-separated); def is the
// default the error suggests.
func CheckACR(at, acr, def string) error {
	switch {
	case acr == "":
		return fmt.Errorf("%s: must not be empty (default %s)", at, def)
	case strings.ContainsFunc(acr, func(r rune) bool { return r <= ' ' }):
		return fmt.Errorf("%s: must not contain spaces (acr_values are space-separated)", at)
	}
	return nil
}

// CheckRange checks that v, set at path at, lies between lo and hi; why,
// when given, follows the "at most" error (": a six-digit code must not
// get more guesses").
func CheckRange[T int | time.Duration](at string, v, lo, hi T, why string) error {
	switch {
	case v < lo:
		return fmt.Errorf("%s: must be at least %v", at, lo)
	case v > hi:
		return fmt.Errorf("%s: must be at most %v%s", at, hi, why)
	}
	return nil
}
