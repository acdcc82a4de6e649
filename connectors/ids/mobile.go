package ids

import (
	"fmt"
	"strings"
)

// Mobile validates a mainland China mobile number and returns its 11
// digits. White space and hyphens are dropped, full-width digits folded and
// a +86 or 0086 country prefix stripped. The number must be 11 digits
// starting with 13–19 (no mainland mobile range starts with 10–12).
func Mobile(s string) (string, error) {
	m := clean(s, true)
	if rest, ok := strings.CutPrefix(m, "+86"); ok {
		m = rest
	} else if rest, ok := strings.CutPrefix(m, "0086"); ok && len(rest) == 11 {
		m = rest
	}
	for i := 0; i < len(m); i++ {
		if !isDigit(m[i]) {
			return "", fmt.Errorf("ids: mobile number: %w: only digits and an optional +86 prefix are allowed", ErrCharacter)
		}
	}
	if len(m) != 11 {
		return "", fmt.Errorf("ids: mobile number: %w: has %d digits, want 11", ErrLength, len(m))
	}
	if m[0] != '1' || m[1] < '3' {
		return "", fmt.Errorf("ids: mobile number: %w: must start with 13–19", ErrPrefix)
	}
	return m, nil
}
