package ids

import (
	"errors"
	"testing"
	"time"
)

// withCheck appends the GB 11643 check character to a 17-digit body; it
// lets date cases be written without hand-computed check characters.
func withCheck(body string) string {
	sum := 0
	for i := range 17 {
		sum += int(body[i]-'0') * residentWeights[i]
	}
	return body + string(residentCheck[sum%11])
}

func TestResidentID(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, chinaTime)
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"demo agent", "510107199003071236", "510107199003071236", nil},
		{"GB 11643 sample with X", "11010519491231002X", "11010519491231002X", nil},
		{"lower-case x", "11010519491231002x", "11010519491231002X", nil},
		{"spaces trimmed and inside", "  510107 19900307 1236\t", "510107199003071236", nil},
		{"full-width digits", "５１０１０７１９９００３０７１２３６", "510107199003071236", nil},
		{"leap day", "110105200002290013", "110105200002290013", nil},
		{"born 1900-01-01", "510107190001010017", "510107190001010017", nil},
		{"born today", withCheck("51010720260601123"), withCheck("51010720260601123"), nil},
		{"check digit wrong", "510107199003071235", "", ErrCheck},
		{"X where a digit is due", "51010719900307123X", "", ErrCheck},
		{"two digits swapped", "510107199003072136", "", ErrCheck},
		{"17 characters", "51010719900307123", "", ErrLength},
		{"old 15-digit number", "510107900307123", "", ErrLength},
		{"empty", "", "", ErrLength},
		{"letter in body", "5101071990O3071236", "", ErrCharacter},
		{"X not last", "X10107199003071236", "", ErrCharacter},
		{"last character a letter", "51010719900307123A", "", ErrCharacter},
		{"18 runes, one not ASCII", "51010719900307123中", "", ErrCharacter},
		{"no 1999-02-29", "110105199902290013", "", ErrBirthDate},
		{"month 13", withCheck("11010519901301001"), "", ErrBirthDate},
		{"born 1899", "510107189912310012", "", ErrBirthDate},
		{"GB sample born 1880", "440524188001010014", "", ErrBirthDate},
		{"born tomorrow", withCheck("51010720260602123"), "", ErrBirthDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := residentID(tt.in, now)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("residentID(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("residentID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestResidentIDErrorsDoNotRepeatTheNumber(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"510107199003071235", "51010719900307123", "110105199902290013"} {
		_, err := ResidentID(in)
		if err == nil {
			t.Fatalf("ResidentID(%q) accepted", in)
		}
		for _, part := range []string{in, in[6:14], in[len(in)-4:]} {
			if contains(err.Error(), part) {
				t.Errorf("error %q repeats %q", err, part)
			}
		}
	}
}

func TestResidentIDUsesTheClock(t *testing.T) {
	t.Parallel()
	future := withCheck("510107" + time.Now().AddDate(1, 0, 0).In(chinaTime).Format("20060102") + "123")
	if _, err := ResidentID(future); !errors.Is(err, ErrBirthDate) {
		t.Errorf("ResidentID(born next year) error = %v, want ErrBirthDate", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
