package cas_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryCAS: validation fails with a code and text quoting the
// request (the service ticket); neither the log nor the error may then
// hold the ticket, nor may a successful login's log.
func TestCanaryCAS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		echo bool
	}{{"validation echoes", true}, {"success", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, mappingYAML)
			if tc.echo {
				h.srv.FailEchoing()
			}
			ctx := context.Background()
			loc := h.begin(t, ctx, "s1")
			_, err := h.finish(ctx, loc)
			if (err != nil) != tc.echo {
				t.Fatalf("login: %v", err)
			}
			haystack := h.logs.String() + "\n" + fmt.Sprint(err)
			canaries := []string{loc.Query().Get("ticket")}
			for _, q := range h.srv.Received() {
				canaries = append(canaries, q.Get("ticket"))
			}
			redacttest.AssertNoCanary(t, haystack, canaries...)
		})
	}
}
