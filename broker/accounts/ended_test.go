package accounts_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
)

// TestOnEnded: each change that must end sessions everywhere is told once,
// naming whose sessions (and for which unit); other changes are not.
func TestOnEnded(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	p := demoPersonAndUnit(t, svc)
	if _, err := svc.AddAgent(ctx, p.ID, demoUnit, nil); err != nil {
		t.Fatal(err)
	}
	var got []accounts.Ended
	svc.OnEnded(func(_ context.Context, e accounts.Ended) { got = append(got, e) })
	disabled, active, name := accounts.StatusDisabled, accounts.StatusActive, "李四"
	steps := []struct {
		name string
		do   func() error
		want []accounts.Ended
	}{
		{"roles changed", func() error {
			_, _, err := svc.UpdateAgent(ctx, p.ID, demoUnit, accounts.AgentChange{Roles: []string{"unit_admin"}})
			return err
		}, nil},
		{"agent disabled", func() error {
			_, _, err := svc.UpdateAgent(ctx, p.ID, demoUnit, accounts.AgentChange{Status: &disabled})
			return err
		}, []accounts.Ended{{Subject: p.ID, UnitID: demoUnit, Reason: accounts.EndedAgentDisabled}}},
		{"agent disabled again", func() error {
			_, _, err := svc.UpdateAgent(ctx, p.ID, demoUnit, accounts.AgentChange{Status: &disabled})
			return err
		}, nil},
		{"agent enabled", func() error {
			_, _, err := svc.UpdateAgent(ctx, p.ID, demoUnit, accounts.AgentChange{Status: &active})
			return err
		}, nil},
		{"unit disabled", func() error {
			_, _, err := svc.UpdateUnit(ctx, demoUnit, accounts.UnitChange{Status: &disabled})
			return err
		}, []accounts.Ended{{Subject: accounts.UnitSubject(demoUnit), Reason: accounts.EndedUnitDisabled},
			{Subject: p.ID, UnitID: demoUnit, Reason: accounts.EndedUnitDisabled}}},
		{"person renamed", func() error {
			_, _, err := svc.UpdatePerson(ctx, p.ID, accounts.PersonChange{Name: &name})
			return err
		}, nil},
		{"person disabled", func() error {
			_, _, err := svc.UpdatePerson(ctx, p.ID, accounts.PersonChange{Status: &disabled})
			return err
		}, []accounts.Ended{{Subject: p.ID, Reason: accounts.EndedPersonDisabled}}},
		{"password reset", func() error { return svc.SetPassword(ctx, p.ID, demoPW) },
			[]accounts.Ended{{Subject: p.ID, Reason: accounts.EndedPasswordReset}}},
		{"agent removed", func() error { return svc.RemoveAgent(ctx, p.ID, demoUnit) },
			[]accounts.Ended{{Subject: p.ID, UnitID: demoUnit, Reason: accounts.EndedAgentDisabled}}},
	}
	for _, s := range steps {
		got = nil
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !slices.Equal(got, s.want) {
			t.Errorf("%s: told %+v, want %+v", s.name, got, s.want)
		}
	}
}
