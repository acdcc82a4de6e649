package ids

import "testing"

// FuzzIdentifiers: the validators never panic, what they accept is
// normalised (validating it again gives the same value), and masking never
// returns the full number.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"510107199003071236", "11010519491231002x", "91510100MA61ABCD1T", "+86 138 0013 8000", "", "５１０１０７１９９００３０７１２３６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ResidentID(s); err == nil {
			if again, err := ResidentID(n); err != nil || again != n {
				t.Fatalf("ResidentID(%q) = %q, not stable: %q %v", s, n, again, err)
			}
			if MaskID(n) == n {
				t.Fatalf("MaskID left %q unmasked", n)
			}
		}
		if n, err := CreditCode(s); err == nil {
			if again, err := CreditCode(n); err != nil || again != n {
				t.Fatalf("CreditCode(%q) = %q, not stable", s, n)
			}
		}
		if n, err := Mobile(s); err == nil {
			if again, err := Mobile(n); err != nil || again != n {
				t.Fatalf("Mobile(%q) = %q, not stable", s, n)
			}
			if MaskMobile(n) == n {
				t.Fatalf("MaskMobile left %q unmasked", n)
			}
		}
	})
}
