package ids

import "testing"

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(string) string
		in   string
		want string
	}{
		{"resident ID", MaskID, "510107199003071236", "510***********1236"},
		{"resident ID with X", MaskID, "11010519491231002X", "110***********002X"},
		{"old 15-digit ID", MaskID, "510107900307123", "510********7123"},
		{"passport", MaskID, "E12345678", "E12**5678"},
		{"too short to keep anything", MaskID, "1234567", "*******"},
		{"empty ID", MaskID, "", ""},
		{"non-ASCII kept rune-wise", MaskID, "港澳通行证H12345678", "港澳通*******5678"},
		{"mobile", MaskMobile, "13800138000", "138****8000"},
		{"mobile with +86", MaskMobile, "+86 138-0013-8000", "138****8000"},
		{"not a mobile", MaskMobile, "02887654321", "028****4321"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.fn(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"张三": "张*", "欧阳娜娜": "欧***", "李": "李", "": "", " Ann ": "A**"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}
