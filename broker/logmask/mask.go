// Package logmask keeps mainland resident ID numbers and mobile numbers out
// of logs. Install ReplaceAttr in the slog handler options, or wrap any
// handler with NewHandler; both mask the message and every attribute value.
//
// It looks for shapes, not valid numbers: a mistyped ID number is personal
// data too. Masked forms are those of ids.MaskID and ids.MaskMobile.
package logmask

import (
	"strings"

	"github.com/gjjid/gjjid/connectors/ids"
)

// Mask returns s with every ID-number-shaped and mobile-shaped digit run
// masked. A run counts only as a whole, bounded by non-digits, so longer
// numbers (order numbers, nanosecond timestamps) are left alone. Shapes:
//   - 18 characters: 17 digits and a digit or X (GB 11643), → 510***********1236
//   - 15 digits: the pre-1999 ID number (or 0086 and a mobile), → 510********1236
//   - 11 digits 1[3-9]…: a mobile, → 138****8000; also after "86"
//   - the same written in groups, 138 0013 8000, 138-0013-8000 and
//     510107 19900307 1236;
//
// Full-width digits (from Chinese input methods) count as digits.
func Mask(s string) string {
	if !mayContain(s) {
		return s
	}
	r := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	last := 0 // r[last:] not yet written
	for i := 0; i < len(r); {
		if !isDigit(r[i]) {
			i++
			continue
		}
		end, masked := match(r, i)
		if end == 0 {
			i = runEnd(r, i)
			continue
		}
		b.WriteString(string(r[last:i]))
		b.WriteString(masked)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(string(r[last:]))
	return b.String()
}

// match looks at the digit run starting at r[i] (r[i-1] is no digit) and
// returns the end of a sensitive token and its masked form, or 0.
func match(r []rune, i int) (end int, masked string) {
	j := runEnd(r, i)
	// Grouped forms: 3-4-4 mobile, 6-8-4 ID number (last group may end in X).
	if n := j - i; (n == 3 || n == 6) && j+1 < len(r) && (r[j] == ' ' || r[j] == '-') {
		sep, want := r[j], 4
		if n == 6 {
			want = 8
		}
		k := j + 1
		if m := runEnd(r, k); m-k == want && m+1 < len(r) && r[m] == sep {
			l := runEnd(r, m+1)
			digits := string(r[i:j]) + string(r[k:m]) + string(r[m+1:l])
			if n == 3 && l-(m+1) == 4 && isMobile([]rune(digits)) {
				return l, ids.MaskMobile(digits)
			}
			if n == 6 && l-(m+1) == 3 && l < len(r) && (r[l] == 'X' || r[l] == 'x') && !followedByDigit(r, l+1) {
				return l + 1, ids.MaskID(digits + string(r[l]))
			}
			if n == 6 && l-(m+1) == 4 {
				return l, ids.MaskID(digits)
			}
		}
	}
	switch n := j - i; {
	case n == 17 && j < len(r) && (r[j] == 'X' || r[j] == 'x') && !followedByDigit(r, j+1):
		return j + 1, ids.MaskID(string(r[i : j+1]))
	case n == 18 || n == 15:
		return j, ids.MaskID(string(r[i:j]))
	case n == 11 && isMobile(r[i:j]):
		return j, ids.MaskMobile(string(r[i:j]))
	case n == 13 && fold(r[i]) == '8' && fold(r[i+1]) == '6' && isMobile(r[i+2:j]):
		return j, string(r[i:i+2]) + ids.MaskMobile(string(r[i+2:j]))
	}
	return 0, ""
}

func isMobile(d []rune) bool {
	return len(d) == 11 && fold(d[0]) == '1' && fold(d[1]) >= '3'
}

func runEnd(r []rune, i int) int {
	for i < len(r) && isDigit(r[i]) {
		i++
	}
	return i
}

func followedByDigit(r []rune, i int) bool { return i < len(r) && isDigit(r[i]) }

func isDigit(c rune) bool { return c >= '0' && c <= '9' || c >= '０' && c <= '９' }

// fold maps a full-width digit to its ASCII form.
func fold(c rune) rune {
	if c >= '０' && c <= '９' {
		return c - '０' + '0'
	}
	return c
}

// mayContain is the fast path: fewer than 11 digits in all cannot hide a
// mobile or ID number.
func mayContain(s string) bool {
	n := 0
	for _, c := range s {
		if isDigit(c) {
			if n++; n >= 11 {
				return true
			}
		}
	}
	return false
}
