package password

import (
	"context"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
)

// TestCanaryPassword: right, wrong and locked-out logins by ID number and
// mobile write no password, ID number or mobile to the log or into an
// error, in any encoding.
func TestCanaryPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "max_failures: 2")
	ctx := context.Background()
	const wrong = "31415926"
	var errs string
	for _, cr := range []connectors.Credentials{
		{User: agentID, Secret: agentPW}, {User: agentMobile, Secret: agentPW},
		{User: agentID, Secret: wrong}, {User: agentID, Secret: wrong}, {User: agentID, Secret: wrong},
		{User: unknownID, Secret: wrong}, {User: disabledID, Secret: agentPW}, {User: nopwID, Secret: wrong},
	} {
		if _, err := f.c.Login(ctx, cr); err != nil {
			errs += err.Error() + "\n"
		}
	}
	redacttest.AssertNoCanary(t, f.log.String()+"\n"+errs, agentPW, wrong, agentID, agentMobile, unknownID, disabledID, nopwID)
}
