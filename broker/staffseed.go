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
	"github.com/gjjid/gjjid/connectors"
)

// seedStaff grants gjjid:admin to the configuration's first
// administrators. A person not created yet is a warning, not a failed
// start: the seed or the admin API creates them and the next start grants.
func seedStaff(ctx context.Context, s *staff.Service, a *accounts.Service, admins []config.StaffAdmin, log *slog.Logger) error {
	for i, adm := range admins {
		p, err := a.FindByIDNumber(ctx, adm.IDType, adm.IDNumber)
		if errors.Is(err, store.ErrNotFound) {
			log.Warn("staff.admins: no such person yet; not granted", "index", i)
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

// connectorIDsOf lists the connectors' IDs, in configuration order.
func connectorIDsOf(conns []connectors.Connector) []string {
	out := make([]string, len(conns))
	for i, c := range conns {
		out[i] = c.ID()
	}
	return out
}

// connectorNames names connectors for people (their button labels).
func connectorNames(conns []connectors.Connector) func(id, lang string) string {
	byID := make(map[string]connectors.Connector, len(conns))
	for _, c := range conns {
		byID[c.ID()] = c
	}
	return func(id, lang string) string {
		if c, ok := byID[id]; ok {
			return c.DisplayName(lang)
		}
		return ""
	}
}
