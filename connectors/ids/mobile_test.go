package ids

import (
	"errors"
	"testing"
)

func TestMobile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		err            error
	}{
		{"plain", "13800138000", "13800138000", nil},
		{"19x range", "19912345678", "19912345678", nil},
		{"+86 prefix", "+8613800138000", "13800138000", nil},
		{"+86 with space", "+86 138 0013 8000", "13800138000", nil},
		{"0086 prefix", "008613800138000", "13800138000", nil},
		{"hyphens", "138-0013-8000", "13800138000", nil},
		{"full-width", "１３８００１３８０００", "13800138000", nil},
		{"full-width plus", "＋８６１３８００１３８０００", "13800138000", nil},
		{"10 digits", "1380013800", "", ErrLength},
		{"12 digits", "138001380001", "", ErrLength},
		{"86 without plus", "8613800138000", "", ErrLength},
		{"empty", "", "", ErrLength},
		{"landline", "02887654321", "", ErrPrefix},
		{"12x is not mobile", "12345678901", "", ErrPrefix},
		{"letters", "1380013800a", "", ErrCharacter},
		{"other country", "+12025550123", "", ErrCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Mobile(tt.in)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("Mobile(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Mobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
