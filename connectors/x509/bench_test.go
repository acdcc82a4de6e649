package x509_test

import (
	"context"
	"testing"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/x509/x509test"
)

// BenchmarkVerify is one certificate verification per algorithm: parse,
// chain to the root, key usage, CRL lookup (cached) and extraction, as
// an mTLS login does it.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range algs {
		b.Run(string(alg), func(b *testing.B) {
			ca := x509test.NewCA(b, alg, "Bench CA", nil)
			c := open(b, nil, "link_policy: auto\n", caBlock(ca, "bench", crlRevocation(ca)))
			l := ca.Issue(b, x509test.LeafOptions{CommonName: x509test.CFCAName(unitCredit, "x")})
			ev := connectors.Evidence{Chain: [][]byte{l.DER}}
			ctx := context.Background()
			if _, err := c.Authenticate(ctx, ev); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Authenticate(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
