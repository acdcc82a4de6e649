package accounts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/store"
)

var (
	seedUnits = []accounts.SeedUnit{
		{ID: demoUnit, CustomerNo: "510100000123", Name: demoUnitName},
		{ID: otherUnit, CustomerNo: "350100000456", Name: "福州示例有限公司"},
	}
	seedPersons = []accounts.SeedPerson{
		{Name: "张三", IDNumber: demoID, Mobile: demoMobile, Password: demoPW, Units: []string{demoUnit}, Roles: []string{"unit_admin"}},
		{Name: "李四", IDNumber: otherID, Password: "135790", Units: []string{demoUnit, otherUnit}},
	}
)

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := context.Background()
	if err := svc.Seed(ctx, seedUnits, seedPersons); err != nil {
		t.Fatalf("first Seed: %v", err)
	}
	zs, err := svc.FindByLogin(ctx, demoMobile)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := svc.FindByLogin(ctx, otherID)
	if refs, _ := svc.UnitsOf(ctx, ls.ID); len(refs) != 2 {
		t.Errorf("李四 acts for %d units, want 2", len(refs))
	}

	// An administrator changes things; seeding again must keep them.
	zs.PasswordHash, _ = svc.HashPassword("246813")
	_ = st.PutPerson(ctx, zs)
	_ = st.PutAgent(ctx, &store.Agent{PersonID: ls.ID, UnitID: otherUnit, Roles: []string{"operator"}, Status: accounts.StatusDisabled})
	u, _ := st.GetUnit(ctx, demoUnit)
	u.Name = "成都示例科技股份有限公司"
	_ = st.PutUnit(ctx, u)

	// Seed again, with one more unit for 张三.
	more := append([]accounts.SeedPerson(nil), seedPersons...)
	more[0].Units = []string{demoUnit, otherUnit}
	if err := svc.Seed(ctx, seedUnits, more); err != nil {
		t.Fatalf("second Seed: %v", err)
	}
	again, _ := svc.GetPerson(ctx, zs.ID)
	if ok, _ := svc.VerifyPassword(again.PasswordHash, "246813"); !ok {
		t.Error("second Seed overwrote a changed password")
	}
	if refs, _ := svc.UnitsOf(ctx, ls.ID); len(refs) != 1 {
		t.Errorf("second Seed re-enabled a disabled agent: %+v", refs)
	}
	if u, _ := svc.GetUnit(ctx, demoUnit); u.Name != "成都示例科技股份有限公司" {
		t.Errorf("second Seed renamed the unit back: %q", u.Name)
	}
	if refs, _ := svc.UnitsOf(ctx, zs.ID); len(refs) != 2 {
		t.Errorf("second Seed did not add 张三's new unit: %+v", refs)
	}
}

func TestSeedReportsEveryErrorWithItsPath(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	err := svc.Seed(context.Background(),
		[]accounts.SeedUnit{{ID: demoUnit, Name: demoUnitName}, {ID: "91510100MA61ABCD1U", Name: "坏的"}},
		[]accounts.SeedPerson{
			{Name: "张三", IDNumber: demoID, Password: "123456", Units: []string{demoUnit}},
			{Name: "李四", IDNumber: otherID, Password: "135790", Units: []string{demoUnit, otherUnit, "bad"}},
		})
	if !errors.Is(err, accounts.ErrInvalid) {
		t.Fatalf("Seed = %v, want ErrInvalid", err)
	}
	for _, w := range []string{
		"seed.units[1]: accounts: create unit: id:",
		"seed.persons[0] (510***********1236):",
		"agent password must not be a run",
		"seed.persons[1] (110***********002X): units[1]:",
		"units[2]:",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), demoID) {
		t.Errorf("error repeats the ID number:\n%v", err)
	}
	// What was valid got created.
	if _, err := svc.FindByLogin(context.Background(), otherID); err != nil {
		t.Errorf("李四 not created: %v", err)
	}
}
