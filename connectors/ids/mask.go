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

// MaskName keeps the first character of a name (the family name, for
// most Chinese names) and hides the rest: 张三 → 张*, 欧阳娜娜 → 欧***.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) <= 1 {
		return string(r)
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
