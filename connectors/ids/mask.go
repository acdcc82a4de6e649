package ids

import "strings"

// MaskID hides an ID number for display and logs, keeping the first 3
// characters (province and city) and the last 4: 510***********1236. Values
// of 7 characters or fewer are masked entirely.
func MaskID(s string) string { return mask(s, 3, 4) }

// MaskMobile hides a mobile number, keeping the first 3 digits (the carrier
// prefix) and the last 4: 138****8000. A number with a country prefix is
// masked in its normalised 11-digit form.
func MaskMobile(s string) string {
	if m, err := Mobile(s); err == nil {
		s = m
	}
	return mask(s, 3, 4)
}

// mask keeps head and tail runes of s and replaces each rune in between by
// '*'; when nothing would be hidden, every rune is.
func mask(s string, head, tail int) string {
	r := []rune(s)
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}
