package ids

import (
	"fmt"
	"strings"
)

// The ID document types persons hold, as stored with a person.
const (
	DocResident         = "resident_id"       // 居民身份证 (GB 11643)
	DocHKMacao          = "hk_macao_permit"   // 港澳居民来往内地通行证
	DocTaiwan           = "taiwan_permit"     // 台湾居民来往大陆通行证
	DocForeignPermanent = "foreign_permanent" // 外国人永久居留身份证
	DocPassport         = "passport"          // 护照
)

// DocTypes lists the document types Document accepts.
var DocTypes = []string{DocResident, DocHKMacao, DocTaiwan, DocForeignPermanent, DocPassport}

var docLabels = map[string][2]string{
	DocResident:         {"居民身份证", "Resident ID card"},
	DocHKMacao:          {"港澳居民来往内地通行证", "Mainland travel permit for Hong Kong and Macao residents"},
	DocTaiwan:           {"台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents"},
	DocForeignPermanent: {"外国人永久居留身份证", "Foreign permanent resident ID card"},
	DocPassport:         {"护照", "Passport"},
}

// DocTypeLabel names a document type in lang: English for "en", Chinese
// otherwise (the default locale is "zh-CN"). An unknown type is returned as
// it is.
func DocTypeLabel(docType, lang string) string {
	l, ok := docLabels[docType]
	if !ok {
		return docType
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// Document validates the number of an ID document of type docType (one of
// DocTypes) and returns it normalised: white space dropped, full-width
// characters folded, letters upper-cased and, for the types other than
// DocResident, hyphens dropped. DocResident numbers are validated by
// ResidentID exactly; see the unexported validators for the other rules.
// Another type yields an error wrapping ErrUnknownDocType.
func Document(docType, number string) (string, error) {
	switch docType {
	case DocResident:
		return ResidentID(number)
	case DocHKMacao:
		return hkMacaoPermit(number)
	case DocTaiwan:
		return taiwanPermit(number)
	case DocForeignPermanent:
		return foreignPermanent(number)
	case DocPassport:
		return passport(number)
	}
	return "", fmt.Errorf("ids: document: %w: want one of %s", ErrUnknownDocType, strings.Join(DocTypes, ", "))
}

// docNumber folds number like the other validators and upper-cases it;
// ascii reports whether the result is ASCII, so that byte i is character
// i+1.
func docNumber(number string) (n string, ascii bool) {
	n = strings.ToUpper(clean(number, true))
	for i := 0; i < len(n); i++ {
		if n[i] >= 0x80 {
			return n, false
		}
	}
	return n, true
}

// runeCount counts the characters of n, for length errors.
func runeCount(n string) int { return len([]rune(n)) }

// digitsFrom returns the position (1-based) of the first character of n
// from index i on that is not a digit, or 0.
func digitsFrom(n string, i int) int {
	for ; i < len(n); i++ {
		if !isDigit(n[i]) {
			return i + 1
		}
	}
	return 0
}

// hkMacaoPermit validates a 港澳居民来往内地通行证 number: H (Hong Kong) or
// M (Macao) followed by 8 digits (cards since 2013) or 10 digits (the older
// booklets).
func hkMacaoPermit(number string) (string, error) {
	const what = "ids: Hong Kong/Macao travel permit number"
	n, ascii := docNumber(number)
	if c := runeCount(n); c != 9 && c != 11 {
		return "", fmt.Errorf("%s: %w: has %d characters, want 9 (H or M and 8 digits) or 11 (H or M and 10 digits)", what, ErrLength, c)
	}
	if !ascii {
		return "", fmt.Errorf("%s: %w: only H or M and digits are allowed", what, ErrCharacter)
	}
	if n[0] != 'H' && n[0] != 'M' {
		return "", fmt.Errorf("%s: %w: character 1 must be H (Hong Kong) or M (Macao)", what, ErrCharacter)
	}
	if p := digitsFrom(n, 1); p != 0 {
		return "", fmt.Errorf("%s: %w: character %d must be a digit", what, ErrCharacter, p)
	}
	return n, nil
}

var fullWidthParens = strings.NewReplacer("（", "(", "）", ")")

// taiwanPermit validates a 台湾居民来往大陆通行证 number: 8 digits (cards
// since 2015) or the older 10 digits, 8 and a 2-digit issue count, which
// may be written in parentheses: 12345678(01) becomes 1234567801.
func taiwanPermit(number string) (string, error) {
	const what = "ids: Taiwan travel permit number"
	n, ascii := docNumber(fullWidthParens.Replace(number))
	if ascii && len(n) == 12 && n[8] == '(' && n[11] == ')' {
		n = n[:8] + n[9:11]
	}
	if c := runeCount(n); c != 8 && c != 10 {
		return "", fmt.Errorf("%s: %w: has %d characters, want 8 or 10 digits, or 8 digits and a 2-digit issue count in parentheses", what, ErrLength, c)
	}
	if !ascii {
		return "", fmt.Errorf("%s: %w: only digits are allowed", what, ErrCharacter)
	}
	if p := digitsFrom(n, 0); p != 0 {
		return "", fmt.Errorf("%s: %w: character %d must be a digit", what, ErrCharacter, p)
	}
	return n, nil
}

// foreignPermanent validates a 外国人永久居留身份证 number. The 2017 and
// 2023 cards have 18 characters: 9, 16 digits and an ISO 7064 MOD 11-2 check
// character (a digit or X) as in GB 11643; the region, nationality and
// birth-date fields are not validated. The 2004 cards have 15: a 3-letter
// ISO 3166-1 alpha-3 nationality code and 12 digits.
func foreignPermanent(number string) (string, error) {
	const what = "ids: foreign permanent resident ID number"
	n, ascii := docNumber(number)
	c := runeCount(n)
	if c != 18 && c != 15 {
		return "", fmt.Errorf("%s: %w: has %d characters, want 18 (cards since 2017) or 15 (2004 cards)", what, ErrLength, c)
	}
	if !ascii {
		return "", fmt.Errorf("%s: %w: only letters and digits are allowed", what, ErrCharacter)
	}
	if c == 15 {
		for i := range 3 {
			if n[i] < 'A' || n[i] > 'Z' {
				return "", fmt.Errorf("%s: %w: character %d of a 15-character number must be a letter (the nationality code)", what, ErrCharacter, i+1)
			}
		}
		if p := digitsFrom(n, 3); p != 0 {
			return "", fmt.Errorf("%s: %w: character %d must be a digit", what, ErrCharacter, p)
		}
		return n, nil
	}
	if p := digitsFrom(n[:17], 0); p != 0 {
		return "", fmt.Errorf("%s: %w: character %d must be a digit", what, ErrCharacter, p)
	}
	if !isDigit(n[17]) && n[17] != 'X' {
		return "", fmt.Errorf("%s: %w: character 18 must be a digit or X", what, ErrCharacter)
	}
	if n[0] != '9' {
		return "", fmt.Errorf("%s: %w: an 18-character number starts with 9 (resident ID numbers are of type %s)", what, ErrCharacter, DocResident)
	}
	if n[17] != mod112Check(n) {
		return "", fmt.Errorf("%s: %w (ISO 7064 MOD 11-2); a character was mistyped", what, ErrCheck)
	}
	return n, nil
}

// passport validates a 护照 number loosely, as foreign passports vary: 5–17
// letters A–Z and digits, at least one a digit. Chinese ordinary passports
// (E and 8 digits, or E, a letter and 7 digits) pass.
func passport(number string) (string, error) {
	const what = "ids: passport number"
	n, ascii := docNumber(number)
	if c := runeCount(n); c < 5 || c > 17 {
		return "", fmt.Errorf("%s: %w: has %d characters, want 5–17", what, ErrLength, c)
	}
	if !ascii {
		return "", fmt.Errorf("%s: %w: only letters A–Z and digits are allowed", what, ErrCharacter)
	}
	digit := false
	for i := 0; i < len(n); i++ {
		switch c := n[i]; {
		case isDigit(c):
			digit = true
		case c < 'A' || c > 'Z':
			return "", fmt.Errorf("%s: %w: character %d must be a letter A–Z or a digit", what, ErrCharacter, i+1)
		}
	}
	if !digit {
		return "", fmt.Errorf("%s: %w: must contain a digit", what, ErrCharacter)
	}
	return n, nil
}
