package x509_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
	cx "github.com/gjjid/gjjid/connectors/x509"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// TestCanaryX509: the CRL URL carries a password, and the CRL server
// fails quoting the request (or cannot be reached, so the client's error
// quotes the URL); neither the log nor the error may hold the password,
// the challenge or the signature, nor may a successful login's log.
func TestCanaryX509(t *testing.T) {
	t.Parallel()
	const user, password = "crl-user", "crl-p4ss"
	for _, tc := range []struct {
		name    string
		prepare func(ca *x509test.CA) string // returns the CRL URL
		fails   bool
	}{
		{"CRL echoes", func(ca *x509test.CA) string { ca.SetEchoing(true); return ca.CRLURL }, true},
		{"CRL unreachable", func(*x509test.CA) string { return "http://127.0.0.1:1/ca.crl" }, true},
		{"success", func(ca *x509test.CA) string { return ca.CRLURL }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ca := x509test.NewCA(t, x509test.ECDSA, "Canary CA", nil)
			crl := strings.Replace(tc.prepare(ca), "http://", "http://"+user+":"+password+"@", 1)
			src := "link_policy: auto\ncas:\n" + caBlock(ca, "t", "crl_urls: ["+crl+"]\nocsp: false")
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(src), &n); err != nil {
				t.Fatal(err)
			}
			logs := &connectorstest.Logs{}
			c, err := cx.Open(connectors.Spec{ID: "cert", Type: cx.Type, Config: *n.Content[0], Path: "connectors[0].config"},
				connectors.Deps{Logger: logs})
			if err != nil {
				t.Fatal(err)
			}
			leaf := ca.Issue(t, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x")})
			sig := leaf.SignRaw(t, []byte(challenge))
			_, err = c.Authenticate(context.Background(), connectors.Evidence{Certificate: leaf.PEM(), Signature: sig, Challenge: challenge})
			if (err != nil) != tc.fails {
				t.Fatalf("Authenticate: %v", err)
			}
			haystack := logs.String() + "\n" + fmt.Sprint(err)
			if tc.fails && !strings.Contains(haystack, "revocation") {
				t.Fatalf("the failure is not logged: %s", haystack)
			}
			redacttest.AssertNoCanary(t, haystack, password, user+":"+password,
				base64.StdEncoding.EncodeToString([]byte(user+":"+password)), challenge, sig)
		})
	}
}
