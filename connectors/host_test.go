package connectors_test

import (
	"context"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
)

type counters struct{}

func (counters) Incr(context.Context, string, time.Duration) (int64, error) { return 0, nil }
func (counters) Count(context.Context, string) (int64, error)               { return 0, nil }
func (counters) Reset(context.Context, string) error                        { return nil }

// TestRequire: Open's check of its capabilities names the first one the
// host did not give, in the order asked, and passes when all are there.
func TestRequire(t *testing.T) {
	t.Parallel()
	some := connectors.Deps{Counters: counters{}, Secrets: connectors.Secrets{IDHashKey: []byte("k")}}
	for _, tc := range []struct {
		name  string
		deps  connectors.Deps
		needs []connectors.Capability
		want  string // "" : no error
	}{
		{"nothing needed", connectors.Deps{}, nil, ""},
		{"all given", some, []connectors.Capability{connectors.NeedCounters, connectors.NeedIDHashKey}, ""},
		{"first missing named", some, []connectors.Capability{connectors.NeedCounters, connectors.NeedValues, connectors.NeedQR},
			`demo connector "d1": the host gave no Values (connectors.Deps.Values)`},
		{"empty key is missing", connectors.Deps{}, []connectors.Capability{connectors.NeedIDHashKey},
			`demo connector "d1": the host gave no Secrets.IDHashKey (connectors.Deps.Secrets.IDHashKey)`},
		{"each capability checked", connectors.Deps{}, []connectors.Capability{connectors.NeedAudit}, `demo connector "d1": the host gave no Audit (connectors.Deps.Audit)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.deps.Require("demo", "d1", tc.needs...)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Require: %v, want no error", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Require: %v, want %s", err, tc.want)
			}
		})
	}
}
