package login

import (
	"bytes"
	"testing"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/connectors"
)

// TestPendingBindingIsSealed: the parked upstream identity (which may carry
// a name and a mobile) is unreadable in the store, opens only with the
// browser's ticket, and any change to the stored bytes is refused.
func TestPendingBindingIsSealed(t *testing.T) {
	p := pendingBind{AuthRequestID: "ar-1", BrowserID: "b-1", Identity: connectors.Identity{ConnectorID: "wechat",
		Subject: "wx-app:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", Name: "张三", Phone: "13800138000", LinkPolicy: connectors.LinkSelfBind}}
	ticket := secrets.Random(32)
	sealed, err := sealPending(ticket, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "张三", "13800138000", "ar-1", "wechat"} {
		if bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed record shows %q", plain)
		}
	}
	got, err := openPending(ticket, sealed)
	if err != nil || got.Identity.Subject != p.Identity.Subject || got.Identity.Phone != p.Identity.Phone || got.AuthRequestID != "ar-1" || got.BrowserID != "b-1" {
		t.Fatalf("opened %+v, %v", got, err)
	}
	again, _ := sealPending(ticket, p)
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals of one record are equal: the nonce is not fresh")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for name, tc := range map[string]struct {
		ticket string
		sealed []byte
	}{
		"another ticket": {secrets.Random(32), sealed},
		"changed bytes":  {ticket, tampered},
		"truncated":      {ticket, sealed[:10]},
		"plain JSON":     {ticket, []byte(`{"ar":"ar-1","b":"b-1","id":{}}`)},
	} {
		if _, err := openPending(tc.ticket, tc.sealed); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}
