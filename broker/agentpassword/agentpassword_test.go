package agentpassword

import "testing"

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pw      string
		related []string
		ok      bool
	}{
		{"860412", nil, true},
		{"12345", nil, false},
		{"12a456", nil, false},
		{"111111", nil, false},
		{"123456", nil, false},
		{"987654", nil, false},
		{"121212", nil, false},
		{"520520", nil, false},
		{"071236", []string{"510107199003071236"}, false},
		{"138001", []string{"", "13800138000"}, false},
	} {
		if err := Check(tc.pw, tc.related...); (err == nil) != tc.ok {
			t.Errorf("Check(%q, %q) = %v, want ok %v", tc.pw, tc.related, err, tc.ok)
		}
	}
}
