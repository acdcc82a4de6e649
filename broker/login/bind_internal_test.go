package login

import (
	"bytes"
	"encoding/hex"
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

// TestPendingBindingSealedBeforeStillOpens: a record parked by the release
// before package sealed (same construction: HKDF-SHA256 of the ticket,
// AES-256-GCM, the purpose as additional data) opens after it, so a
// rolling upgrade does not lose a binding in progress.
func TestPendingBindingSealedBeforeStillOpens(t *testing.T) {
	const earlier = "41afe52e19f38470df6831b13b6d2c8e9ad4fa38377cb405209136f14b629247d28b7de23e12a0815f4ecefb661f4c3a968db0f7df6e6c2c74a1d864805b2ad07e7d96040886e31fcde00c52774c3ef9ec35352692e845f1ff576d9d06b146dea1e1e8e561ff4246be649a31377ec2dcad1695622fd8a6667ba5b1765751165cafbdbc718eaa1ee61632799028d89ab1b5234cb0b9d9d1a9fe8def043b92e6b90218d6aecc86ad928381ac0db66e4f9941b31280e7a73e42b0511ef63ca25b9909276f98a82741381c1161830e032052876c6b9bc5f72bac42ef11f0891fe618db46a701d0"
	b, err := hex.DecodeString(earlier)
	if err != nil {
		t.Fatal(err)
	}
	p, err := openPending("ticket-of-the-browser", b)
	if err != nil || p.AuthRequestID != "ar-1" || p.BrowserID != "b-1" || p.Identity.ConnectorID != "wechat" || p.Identity.Subject != "o1" {
		t.Fatalf("opened %+v, %v", p, err)
	}
}
