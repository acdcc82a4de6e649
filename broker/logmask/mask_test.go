package logmask

import "testing"

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"ID number", "510107199003071236", "510***********1236"},
		{"ID number with X", "id=11010519491231002X;", "id=110***********002X;"},
		{"ID number with x", "11010519491231002x", "110***********002x"},
		{"invalid ID number still masked", "510107199003071235", "510***********1235"},
		{"15-digit ID number", "old 510107900307123 id", "old 510********7123 id"},
		{"ID number in Chinese text", "身份证号510107199003071236登录失败", "身份证号510***********1236登录失败"},
		{"ID number in groups", "510107 19900307 1236", "510***********1236"},
		{"ID number in groups with X", "110105-19491231-002X.", "110***********002X."},
		{"mobile", "mobile:13800138000", "mobile:138****8000"},
		{"mobile +86", "+8613800138000", "+86138****8000"},
		{"mobile +86 spaced", "+86 138 0013 8000", "+86 138****8000"},
		{"mobile hyphens", "138-0013-8000", "138****8000"},
		{"mobile 0086", "008613800138000", "008********8000"},
		{"full-width mobile", "手机１３８００１３８０００", "手机138****8000"},
		{"two mobiles", "13800138000,13900139000", "138****8000,139****9000"},
		{"mobile and ID", "13800138000 510107199003071236", "138****8000 510***********1236"},
		{"JSON", `{"user":"13800138000","n":510107199003071236}`, `{"user":"138****8000","n":510***********1236}`},
		{"URL query", "/login?user=13800138000&x=1", "/login?user=138****8000&x=1"},
		{"no digits", "password login failed", "password login failed"},
		{"short numbers", "took 52ms, 3 of 5, port 5556", "took 52ms, 3 of 5, port 5556"},
		{"12x is no mobile", "12345678901", "12345678901"},
		{"10 digits", "1735689600", "1735689600"},
		{"13-digit timestamp", "1735689600000", "1735689600000"},
		{"19-digit nanoseconds", "1735689600123456789", "1735689600123456789"},
		{"20-digit order number", "20261127100025123456", "20261127100025123456"},
		{"16-digit card", "6222021234567890", "6222021234567890"},
		{"17 digits then letters", "12345678901234567Xa", "123***********567Xa"},
		{"17 digits then X and digit", "12345678901234567X1", "12345678901234567X1"},
		{"date and time", "2026-11-27 10:00:25", "2026-11-27 10:00:25"},
		{"uuid", "3f2a1c0e-1380-0138-0001-380013800013", "3f2a1c0e-1380-0138-0001-380013800013"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkMask(b *testing.B) {
	for _, s := range []string{
		"password login failed connector=pwd reason=wrong_password",
		"GET /login?user=13800138000&id=510107199003071236 took 1735689600123ns",
	} {
		b.Run("", func(b *testing.B) {
			for b.Loop() {
				Mask(s)
			}
		})
	}
}
