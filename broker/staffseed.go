package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/staff"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/config"
)

// seedStaff grants gjjid:admin to the configuration's first
// administrators. A person not created yet is a warning, not a failed
// start: the seed or the admin API creates them and the next start grants.
func seedStaff(ctx context.Context, s *staff.Service, a *accounts.Service, admins []config.StaffAdmin, log *slog.Logger) error {
	for i, adm := range admins {
		p, err := a.FindByIDNumber(ctx, adm.IDType, adm.IDNumber)
		if errors.Is(err, store.ErrNotFound) {
			log.WarnContext(ctx, "staff.admins: no such person yet; not granted", "index", i)
			continue
		}
		if err != nil {
			return fmt.Errorf("staff.admins[%d]: %w", i, err)
		}
		if _, err := s.Grant(ctx, p.ID, []string{staff.RoleAdmin}); err != nil {
			return fmt.Errorf("staff.admins[%d]: %w", i, err)
		}
	}
	return nil
}
