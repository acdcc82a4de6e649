package pages_test

import (
	"strings"
	"testing"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
)

// TestUnitPageSignsInThroughTheCodeFlow: /unit sends a browser without a
// page session through the broker's own login, and the demo unit's
// administrator agent lands on the unit's page listing its agents.
func TestUnitPageSignsInThroughTheCodeFlow(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: func(c *config.Config) { c.Pages.StepUp.AddAgent = "gjj:loa:1" }})
	br := signIn(t, b, "/unit", bt.AgentIDNumber, bt.AgentPassword)
	for _, want := range []string{"单位登录权限管理", bt.UnitName, bt.AgentName, "510***********1236"} {
		if !strings.Contains(br.Page, want) {
			t.Errorf("unit page lacks %q: %.2000s", want, br.Page)
		}
	}
}
