package ops

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestGauges(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	var storeErr error
	var crls []CRL
	m := NewMetrics()
	m.WatchStore(func(context.Context) error { return storeErr })
	m.WatchKeys(func() time.Time { return now.Add(-time.Hour) }, 720*time.Hour)
	m.WatchCRLs(func() []CRL { return crls }, func() time.Time { return now })

	for _, tc := range []struct {
		name     string
		storeErr error
		crls     []CRL
		want     []string
		wantNot  []string
	}{
		{name: "store up, no CRL fetched yet", want: []string{
			"gjjid_store_up 1",
			"gjjid_signing_key_active_since_timestamp_seconds 1.7999964e+09",
			"gjjid_signing_key_rotation_period_seconds 2.592e+06",
		}, wantNot: []string{"gjjid_crl_stale{"}},
		{name: "store down", storeErr: errors.New("dial tcp: refused"), want: []string{"gjjid_store_up 0"}},
		{name: "fresh and stale CRLs", crls: []CRL{
			{Connector: "cert", URL: "http://crl.example/a.crl", NextUpdate: now.Add(time.Hour)},
			{Connector: "cert", URL: "http://crl.example/b.crl", NextUpdate: now.Add(-time.Minute), RefreshFailed: true},
			// Past nextUpdate but not refetched yet (no login needed it): not stale.
			{Connector: "ca", URL: "http://crl.example/c.crl", NextUpdate: now.Add(-time.Hour)},
		}, want: []string{
			`gjjid_crl_stale{connector="cert",url="http://crl.example/a.crl"} 0`,
			`gjjid_crl_stale{connector="cert",url="http://crl.example/b.crl"} 1`,
			`gjjid_crl_stale{connector="ca",url="http://crl.example/c.crl"} 0`,
			`gjjid_crl_next_update_timestamp_seconds{connector="cert",url="http://crl.example/a.crl"} 1.8000036e+09`,
		}},
	} {
		storeErr, crls = tc.storeErr, tc.crls
		out := scrape(t, m)
		for _, w := range tc.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%s: scrape lacks %q:\n%s", tc.name, w, out)
			}
		}
		for _, w := range tc.wantNot {
			if strings.Contains(out, w) {
				t.Errorf("%s: scrape has %q", tc.name, w)
			}
		}
	}
}
