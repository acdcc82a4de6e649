package broker

import (
	"context"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/config"
)

// seed hands the configuration's seed section to accounts.Service.Seed,
// which creates what is missing and never overwrites.
func seed(ctx context.Context, a *accounts.Service, s *config.Seed) error {
	units := make([]accounts.SeedUnit, len(s.Units))
	for i, u := range s.Units {
		units[i] = accounts.SeedUnit{ID: u.ID, CustomerNo: u.CustomerNo, Name: u.Name}
	}
	persons := make([]accounts.SeedPerson, len(s.Persons))
	for i, p := range s.Persons {
		persons[i] = accounts.SeedPerson{Name: p.Name, IDType: p.IDType, IDNumber: p.IDNumber, Mobile: p.Mobile,
			Password: p.Password, Units: p.Units, Roles: p.Roles}
	}
	return a.Seed(ctx, units, persons)
}
