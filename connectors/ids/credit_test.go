package ids

import (
	"errors"
	"testing"
)

func TestCreditCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, org string
		err                 error
	}{
		{"demo unit", "91510100MA61ABCD1T", "91510100MA61ABCD1T", "MA61ABCD1", nil},
		{"GB 32100 sample", "91350100M000100Y43", "91350100M000100Y43", "M000100Y4", nil},
		{"check value 31 counts as 0", "91440300MA5DC0QX05", "91440300MA5DC0QX05", "MA5DC0QX0", nil},
		{"check character W", "12100000400000000W", "12100000400000000W", "400000000", nil},
		{"lower case and spaces", " 91510100ma61abcd1t ", "91510100MA61ABCD1T", "MA61ABCD1", nil},
		{"full-width", "９１５１０１００ＭＡ６１ＡＢＣＤ１Ｔ", "91510100MA61ABCD1T", "MA61ABCD1", nil},
		{"check character wrong", "91510100MA61ABCD1U", "", "", ErrCheck},
		{"one character mistyped", "91510100MA61ABCE1T", "", "", ErrCheck},
		{"letter I not in alphabet", "91510100MA61IBCD1T", "", "", ErrCharacter},
		{"letter O not in alphabet", "91510100MO61ABCD1T", "", "", ErrCharacter},
		{"S as check character", "91510100MA61ABCD1S", "", "", ErrCharacter},
		{"punctuation", "91510100-MA61ABCD1", "", "", ErrCharacter},
		{"17 characters", "91510100MA61ABCD1", "", "", ErrLength},
		{"old organisation code", "MA61ABCD-1", "", "", ErrLength},
		{"empty", "", "", "", ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CreditCode(tt.in)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("CreditCode(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("CreditCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if org := OrgCodeFromCredit(tt.in); org != tt.org {
				t.Errorf("OrgCodeFromCredit(%q) = %q, want %q", tt.in, org, tt.org)
			}
		})
	}
}
