package ids

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// creditAlphabet is the GB 32100-2015 character set: digits and upper-case
// letters without I, O, Z, S and V. A character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are 3^i mod 31 for the first 17 characters.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode validates an 18-character 统一社会信用代码 (GB 32100-2015) and
// returns it normalised (white space dropped, full-width folded,
// upper-cased). It checks the length, the alphabet and the check character
// (31 − Σ value·weight mod 31, where 31 counts as 0).
func CreditCode(s string) (string, error) {
	code := strings.ToUpper(clean(s, false))
	if n := utf8.RuneCountInString(code); n != 18 {
		return "", fmt.Errorf("ids: unified social credit code: %w: has %d characters, want 18", ErrLength, n)
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(creditAlphabet, code[i])
		if v < 0 {
			return "", fmt.Errorf("ids: unified social credit code: %w: character %d must be a digit or an upper-case letter other than I, O, Z, S, V", ErrCharacter, i+1)
		}
		sum += v * creditWeights[i]
	}
	if strings.IndexByte(creditAlphabet, code[17]) < 0 {
		return "", fmt.Errorf("ids: unified social credit code: %w: character 18 must be a digit or an upper-case letter other than I, O, Z, S, V", ErrCharacter)
	}
	if code[17] != creditAlphabet[(31-sum%31)%31] {
		return "", fmt.Errorf("ids: unified social credit code: %w (GB 32100 mod 31); a character was mistyped", ErrCheck)
	}
	return code, nil
}

// OrgCodeFromCredit returns characters 9–17 of a valid credit code: the
// 9-character 组织机构代码 (GB 11714) it replaced, which older fund systems
// still key units by. It returns "" when credit is not a valid credit code.
func OrgCodeFromCredit(credit string) string {
	code, err := CreditCode(credit)
	if err != nil {
		return ""
	}
	return code[8:17]
}
