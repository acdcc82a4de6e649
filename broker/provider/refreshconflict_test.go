package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/memory"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

// conflictingRotations is a store whose every rotation loses to another
// that reached a later generation first (store.ErrConflict).
type conflictingRotations struct{ store.Store }

func (conflictingRotations) RotateRefreshToken(context.Context, string, store.PresentedRefresh, string, *store.RefreshToken) error {
	return fmt.Errorf("test: %w", store.ErrConflict)
}

// TestRefreshLosingARotationRaceIsRetryable: a rotation that lost to one
// of the same token (after that one's request gave up) changed nothing;
// the client is told to try again (503 temporarily_unavailable with
// Retry-After), not that its grant is gone, and the family lives on.
func TestRefreshLosingARotationRaceIsRetryable(t *testing.T) {
	t.Parallel()
	clk := connectorstest.NewClock(time.Now())
	mem := memory.New()
	t.Cleanup(func() { _ = mem.Close() })
	p := newProviderOver(t, conflictingRotations{mem}, &switchableLookup{c: serviceClient()}, clk)
	tok := newRefreshMAC([32]byte{}).mint("fam", 1)
	rt := &store.RefreshToken{FamilyID: "fam", ClientID: "svc", Subject: "p_subject", Scopes: []string{"openid"},
		AuthTime: clk.Now(), IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), Generation: 1}
	if err := mem.CreateRefreshToken(t.Context(), secrets.Hash(tok), rt); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}, true))
	wantUnavailable(t, w)
	if _, err := mem.GetRefreshToken(t.Context(), "fam", store.PresentedRefresh{Hash: secrets.Hash(tok), Generation: 1}); err != nil {
		t.Fatalf("the family after a lost rotation race: %v, want it live", err)
	}
}
