// Package ids validates and masks the Chinese identifiers gjjid handles:
// resident ID numbers (GB 11643-1999) and the other ID documents persons
// hold (permits, foreign permanent resident cards, passports), unified
// social credit codes (GB 32100-2015) and mainland mobile numbers. It also
// derives the canonical link subjects of certificates bound at the counter.
// Connectors and the broker share it; it is not a connector and imports
// nothing of gjjid.
//
// Error texts never repeat the value they reject, so they are safe to log.
package ids

import (
	"errors"
	"strings"
	"unicode"
)

// Reasons a value is rejected; every error of this package wraps one of
// them. Compare with errors.Is.
var (
	ErrLength    = errors.New("wrong length")
	ErrCharacter = errors.New("character not allowed")
	ErrBirthDate = errors.New("invalid birth date")
	ErrCheck     = errors.New("check character does not match")
	ErrPrefix    = errors.New("not a mainland mobile number prefix")
	ErrSyntax    = errors.New("malformed")
	ErrRange     = errors.New("out of range")

	ErrUnknownDocType = errors.New("unknown document type")
)

// clean folds what people type into what the standards define: full-width
// digits and Latin letters (from Chinese input methods) become ASCII, white
// space anywhere is dropped, and so are '-' when dropHyphens is set.
func clean(s string, dropHyphens bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case r == '-' && dropHyphens:
			continue
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '＋':
			r -= '０' - '0' // the full-width forms block mirrors ASCII 0x21–0x7E
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
