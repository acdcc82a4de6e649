package keys

import (
	"context"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func TestNewRejectsInvalidOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"no KEK", func(o *Options) { o.KEK = [32]byte{} }, "Options.KEK is required"},
		{"unsupported algorithm", func(o *Options) { o.Algorithm = jose.HS256 }, `Options.Algorithm "HS256"`},
		{"negative period", func(o *Options) { o.RotationPeriod = -time.Hour }, "Options.RotationPeriod"},
		{"publish ahead longer than period", func(o *Options) { o.PublishAhead = testPeriod + time.Second }, "Options.PublishAhead"},
		{"check interval not shorter than publish ahead", func(o *Options) { o.CheckInterval = testAhead }, "Options.CheckInterval"},
		{"negative retirement", func(o *Options) { o.RetireAfter = -time.Minute }, "Options.RetireAfter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := &memStore{}
			opts := testOptions(newFakeClock())
			tt.mod(&opts)
			_, err := New(context.Background(), st, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want it to mention %q", err, tt.want)
			}
			if gets, _, _ := st.stats(); gets != 0 {
				t.Errorf("invalid options reached the store")
			}
		})
	}
}

func TestNewAppliesDefaults(t *testing.T) {
	t.Parallel()
	m, err := New(context.Background(), &memStore{}, Options{KEK: testKEK})
	if err != nil {
		t.Fatal(err)
	}
	o := m.opts
	if o.Algorithm != jose.ES256 || o.RotationPeriod != DefaultRotationPeriod || o.PublishAhead != DefaultPublishAhead ||
		o.RetireAfter != DefaultRetireAfter || o.CheckInterval != DefaultCheckInterval || o.Now == nil || o.Logger == nil {
		t.Errorf("defaults not applied: %+v", o)
	}
	if m.Active().SignatureAlgorithm() != jose.ES256 {
		t.Errorf("default key is %s, want ES256", m.Active().SignatureAlgorithm())
	}
}
