package yamlconfig

import (
	"fmt"
	"strings"
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
