package ids

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// residentWeights are the GB 11643-1999 weights 2^(17-i) mod 11 of the
// first 17 characters; residentCheck maps the weighted sum mod 11 to the
// check character (ISO 7064 MOD 11-2).
var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const residentCheck = "10X98765432"

// mod112Check returns the ISO 7064 MOD 11-2 check character of the first 17
// characters of id, which must be ASCII digits.
func mod112Check(id string) byte {
	sum := 0
	for i := range 17 {
		sum += int(id[i]-'0') * residentWeights[i]
	}
	return residentCheck[sum%11]
}

// chinaTime is UTC+8 without a tzdata dependency; birth dates are Beijing
// dates.
var chinaTime = time.FixedZone("CST", 8*60*60)

// ResidentID validates an 18-character 居民身份证号码 (GB 11643-1999) and
// returns it normalised: white space dropped, full-width characters folded,
// the check character 'x' upper-cased. It checks the length, that the first
// 17 characters are digits, that characters 7–14 are a real date between
// 1900-01-01 and today (Beijing time) and the ISO 7064 MOD 11-2 check
// character. Old 15-digit numbers are refused (they expired in 2013).
func ResidentID(s string) (string, error) {
	return residentID(s, time.Now())
}

func residentID(s string, now time.Time) (string, error) {
	id := strings.ToUpper(clean(s, false))
	if n := utf8.RuneCountInString(id); n != 18 {
		return "", fmt.Errorf("ids: resident ID number: %w: has %d characters, want 18", ErrLength, n)
	}
	sum := 0
	for i := range 17 {
		if !isDigit(id[i]) {
			return "", fmt.Errorf("ids: resident ID number: %w: character %d must be a digit", ErrCharacter, i+1)
		}
		sum += int(id[i]-'0') * residentWeights[i]
	}
	if c := id[17]; !isDigit(c) && c != 'X' {
		return "", fmt.Errorf("ids: resident ID number: %w: character 18 must be a digit or X", ErrCharacter)
	}
	birth, err := time.ParseInLocation("20060102", id[6:14], chinaTime)
	if err != nil {
		return "", fmt.Errorf("ids: resident ID number: %w: characters 7–14 are not a date YYYYMMDD", ErrBirthDate)
	}
	if birth.Year() < 1900 {
		return "", fmt.Errorf("ids: resident ID number: %w: before 1900", ErrBirthDate)
	}
	if birth.After(now) {
		return "", fmt.Errorf("ids: resident ID number: %w: in the future", ErrBirthDate)
	}
	if id[17] != residentCheck[sum%11] {
		return "", fmt.Errorf("ids: resident ID number: %w (ISO 7064 MOD 11-2); a character was mistyped", ErrCheck)
	}
	return id, nil
}
