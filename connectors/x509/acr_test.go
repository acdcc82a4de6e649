package x509_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// A software key is a file that can be copied: its certificates reach
// gjj:loa:2 at most, whatever the connector's acr; gjj:loa:3 is a
// hardware key's.
func TestSoftwareKeyCertificateLevel(t *testing.T) {
	t.Parallel()
	ca := x509test.NewCA(t, x509test.ECDSA, "Key storage CA", nil)
	block := func(storage string) string {
		return fmt.Sprintf(`  - name: c
    key_storage: %s
    roots: |
%s
    revocation: {mode: off}
    extract:
      - subject: serialNumber
        type: credit_code
`, storage, indent(ca.PEM(), 6))
	}
	leaf := ca.Issue(t, x509test.LeafOptions{CommonName: "unit", SerialNumber: unitCredit})
	for _, tc := range []struct {
		storage, top, acr, amr string
	}{
		{"software", "", "gjj:loa:2", cx.AMRSoftware},
		{"software", "acr: gjj:loa:3\n", "gjj:loa:2", cx.AMRSoftware},
		{"software", "acr: gjj:loa:1\n", "gjj:loa:1", cx.AMRSoftware},
		{"hardware", "", "gjj:loa:3", cx.AMRHardware},
		{"hardware", "acr: gjj:loa:2\n", "gjj:loa:2", cx.AMRHardware},
	} {
		t.Run(tc.storage+"/"+tc.top, func(t *testing.T) {
			t.Parallel()
			c := open(t, nil, "link_policy: bound\n"+tc.top, block(tc.storage))
			id, err := c.Authenticate(context.Background(), connectors.Evidence{Chain: [][]byte{leaf.DER}})
			if err != nil {
				t.Fatal(err)
			}
			if id.ACR != tc.acr || len(id.AMR) != 1 || id.AMR[0] != tc.amr || c.ACR() != tc.acr {
				t.Fatalf("acr %q (declared %q), amr %v; want %q, [%s]", id.ACR, c.ACR(), id.AMR, tc.acr, tc.amr)
			}
		})
	}
}
