package sealed_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gjjid/gjjid/connectors/sealed"
)

type record struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

const purpose = "gjjid sealed test record v1"

// TestSealOpen: a sealed record hides what it holds, opens only with its
// handle and purpose, takes a fresh nonce each time, and any change to its
// bytes is refused.
func TestSealOpen(t *testing.T) {
	t.Parallel()
	in := record{Name: "张三", Number: "110101199003074514"}
	const handle = "handle-of-the-holder"
	b, err := sealed.Seal(handle, purpose, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{in.Name, in.Number, "name", "number"} {
		if bytes.Contains(b, []byte(plain)) {
			t.Errorf("sealed record shows %q", plain)
		}
	}
	var out record
	if err := sealed.Open(handle, purpose, b, &out); err != nil || out != in {
		t.Fatalf("opened %+v, %v; want %+v", out, err, in)
	}
	if again, _ := sealed.Seal(handle, purpose, in); bytes.Equal(again, b) {
		t.Error("two seals of one record are equal: the nonce is not fresh")
	}

	changed := bytes.Clone(b)
	changed[len(changed)-1] ^= 1
	nonceChanged := bytes.Clone(b)
	nonceChanged[0] ^= 1
	for name, tc := range map[string]struct {
		handle, purpose string
		b               []byte
	}{
		"another handle":    {"handle-of-another", purpose, b},
		"another purpose":   {handle, "gjjid sealed test record v2", b},
		"changed tag":       {handle, purpose, changed},
		"changed nonce":     {handle, purpose, nonceChanged},
		"truncated":         {handle, purpose, b[:27]},
		"empty":             {handle, purpose, nil},
		"plain JSON record": {handle, purpose, []byte(`{"name":"张三","number":"110101199003074514"}`)},
	} {
		var got record
		err := sealed.Open(tc.handle, tc.purpose, tc.b, &got)
		if !errors.Is(err, sealed.ErrUnreadable) {
			t.Errorf("%s: %v, want ErrUnreadable", name, err)
		}
		if got != (record{}) {
			t.Errorf("%s: wrote %+v into the target", name, got)
		}
	}
}

// TestSealRefusesWhatJSONCannotEncode: the error comes back, nothing is
// sealed.
func TestSealRefusesWhatJSONCannotEncode(t *testing.T) {
	t.Parallel()
	if b, err := sealed.Seal("h", purpose, func() {}); err == nil || b != nil {
		t.Errorf("sealed a func: %x, %v", b, err)
	}
}

// TestBoxBindsAdditionalData: a Box's record opens only with the
// additional data it was sealed with (the pages seal each cookie with its
// name), and only under the same secret and purpose.
func TestBoxBindsAdditionalData(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	box, err := sealed.NewBox(secret, purpose)
	if err != nil {
		t.Fatal(err)
	}
	in := record{Name: "张三"}
	b, err := box.Seal(in, []byte("cookie_a"))
	if err != nil {
		t.Fatal(err)
	}
	var out record
	if err := box.Open(b, []byte("cookie_a"), &out); err != nil || out != in {
		t.Fatalf("opened %+v, %v", out, err)
	}
	other, _ := sealed.NewBox([]byte("another secret of thirty-two by"), purpose)
	otherPurpose, _ := sealed.NewBox(secret, "another purpose")
	for name, tc := range map[string]struct {
		box *sealed.Box
		ad  string
	}{
		"another cookie's name": {box, "cookie_b"},
		"no additional data":    {box, ""},
		"another secret":        {other, "cookie_a"},
		"another purpose":       {otherPurpose, "cookie_a"},
	} {
		if err := tc.box.Open(b, []byte(tc.ad), &record{}); !errors.Is(err, sealed.ErrUnreadable) {
			t.Errorf("%s: %v, want ErrUnreadable", name, err)
		}
	}
}
