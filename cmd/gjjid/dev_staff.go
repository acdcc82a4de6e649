package main

import (
	"context"
	"fmt"

	"github.com/gjjid/gjjid/broker"
	"github.com/gjjid/gjjid/broker/staff"
)

// devStaff makes the demo agent the demo staff member with all three
// roles: the simulated app at /dev/app signs in as them at gjj:loa:2,
// which the console asks of staff.
func devStaff(ctx context.Context, b *broker.Broker) error {
	p, err := b.Accounts.FindByIDNumber(ctx, "resident_id", DemoAgentID)
	if err != nil {
		return fmt.Errorf("dev staff: %w", err)
	}
	if _, err := b.Staff.Grant(ctx, p.ID, staff.Roles); err != nil {
		return fmt.Errorf("dev staff: %w", err)
	}
	return nil
}

func devStaffBanner(issuer string) string {
	return fmt.Sprintf(`  staff             %s  ID %s  (gjjid:admin, gjjid:counter, gjjid:audit)
  员工管理后台      %s/admin  (staff sign in at gjj:loa:2: choose 扫码登录 and confirm with the simulated app at %s/dev/app)

`, DemoAgentName, DemoAgentID, issuer, issuer)
}
