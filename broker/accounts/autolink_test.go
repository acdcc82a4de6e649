package accounts_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/gjjid/gjjid/broker/accounts"
	"github.com/gjjid/gjjid/broker/login"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// TestAutoLinkByOrganisationCode: a certificate from before 2015 names its
// unit by the 9-character 组织机构代码; under auto it logs in as the unit
// whose credit code holds that code at positions 9–17, and the link is
// kept for next time.
func TestAutoLinkByOrganisationCode(t *testing.T) {
	t.Parallel()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	a := accounts.New(st, accounts.Secrets{IDHashKey: bytes.Repeat([]byte{1}, 32), Pepper: bytes.Repeat([]byte{2}, 32)})
	ctx := context.Background()
	const unit = "91510100MA61ABCD1T"
	if _, err := a.CreateUnit(ctx, unit, "", "成都示例科技有限公司"); err != nil {
		t.Fatal(err)
	}
	d := accounts.NewPrincipals(a)
	id := connectors.Identity{ConnectorID: "ca", Subject: "sha256:01", Kind: connectors.KindUnit, LinkPolicy: connectors.LinkAuto,
		Claims: map[string]any{"org_code": ids.OrgCodeFromCredit(unit)}}
	p, err := d.Resolve(ctx, id)
	if err != nil || p.UnitID != unit || p.Subject != accounts.UnitSubject(unit) {
		t.Fatalf("Resolve = %+v, %v; want unit %s", p, err, unit)
	}
	if l, err := a.GetLink(ctx, "ca", "sha256:01"); err != nil || l.UnitID != unit || l.CreatedBy != "auto" {
		t.Fatalf("link after the first login: %+v, %v", l, err)
	}
	other := id
	other.Subject, other.Claims = "sha256:02", map[string]any{"org_code": "MA62XY3N0"}
	if _, err := d.Resolve(ctx, other); !errors.Is(err, login.ErrNoAccount) {
		t.Fatalf("unknown organisation code: %v, want ErrNoAccount", err)
	}
}
