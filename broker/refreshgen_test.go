package broker_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store/redistest"
)

// Refresh tokens carry their generation under a MAC, so the store keeps
// one record per family and still recognises a former member (RFC 9700
// §4.14.2). These tests hold that from outside, through the RP library.

// TestForgedRefreshTokenRevokesNothing: a token of the family's earlier
// generation that the broker did not mint — its MAC fails — is an invalid
// grant and nothing more; only a real rotated-out token revokes the
// family. Otherwise anyone who saw a family ID could end somebody's
// session.
func TestForgedRefreshTokenRevokesNothing(t *testing.T) {
	backends(t, func(t *testing.T, start func(t *testing.T) *bt.Broker) {
		b := start(t)
		rp := bt.NewRP(t, b.URL)
		ctx := context.Background()
		_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
		next, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		parts := strings.Split(tok.RefreshToken, ".")
		if len(parts) != 4 || parts[1] != "1" || !strings.HasPrefix(next.RefreshToken, parts[0]+".2.") {
			t.Fatalf("refresh tokens %q then %q, want <family>.1.… then <family>.2.…", tok.RefreshToken, next.RefreshToken)
		}
		for name, forged := range map[string]string{
			"generation 1, new random, old MAC": strings.Join([]string{parts[0], "1", secrets.Random(16), parts[3]}, "."),
			"generation 1, made-up MAC":         strings.Join([]string{parts[0], "1", parts[2], secrets.Random(16)}, "."),
		} {
			_, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: forged}).Token()
			assertOAuthError(t, err, "invalid_grant")
			if in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, next.AccessToken); err != nil || in["active"] != true {
				t.Fatalf("after a forged token (%s) the grant's access token: %v %v", name, in, err)
			}
		}
		third, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("the current refresh token after forged ones: %v", err)
		}
		// The real generation-1 token is a former member: reuse.
		_, err = rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		assertOAuthError(t, err, "invalid_grant")
		_, err = rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: third.RefreshToken}).Token()
		assertOAuthError(t, err, "invalid_grant")
	})
}

// TestEarlierFormatRefreshTokenKeepsWorking: a rolling upgrade meets
// families of the earlier format (<family>.<secret>, one Redis key per
// member). Their current token still refreshes, into the new format; their
// rotated-out tokens still revoke the family until they expire.
func TestEarlierFormatRefreshTokenKeepsWorking(t *testing.T) {
	t.Parallel()
	redisURL, prefix := redistest.URL(t), redistest.Prefix(t)
	b := bt.Start(t, bt.Options{RedisURL: redisURL, KeyPrefix: prefix})
	opts, err := goredis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rc := goredis.NewClient(opts)
	t.Cleanup(func() { _ = rc.Close() })
	rp := bt.NewRP(t, b.URL)
	ctx := context.Background()

	// A member as the earlier version stored it: the JSON of a real one,
	// moved to another family, without a generation.
	_, tok, _ := login(t, b, rp, bt.NewBrowser(t))
	family := strings.SplitN(tok.RefreshToken, ".", 2)[0]
	record, err := rc.Get(ctx, prefix+"rt:{"+family+"}").Result()
	if err != nil {
		t.Fatalf("the family's record: %v", err)
	}
	fields := strings.SplitN(record, "|", 4)
	if len(fields) != 4 {
		t.Fatalf("family record %.80q…, want <hash>|<gen>|<pending>|<JSON>", record)
	}
	var member map[string]any
	if err := json.Unmarshal([]byte(fields[3]), &member); err != nil {
		t.Fatal(err)
	}
	old := secrets.NewID()
	member["family_id"] = old
	delete(member, "gen")
	js, _ := json.Marshal(member)
	former, current := old+"."+secrets.Random(32), old+"."+secrets.Random(32)
	for _, tok := range []string{former, current} {
		rc.Set(ctx, prefix+"rt:{"+old+"}:m:"+secrets.Hash(tok), js, time.Hour)
	}
	rc.Set(ctx, prefix+"rt:{"+old+"}:cur", secrets.Hash(current), time.Hour)

	next, err := rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: current}).Token()
	if err != nil {
		t.Fatalf("refresh with an earlier-format token: %v", err)
	}
	if !strings.HasPrefix(next.RefreshToken, old+".1.") {
		t.Fatalf("the rotated token %q, want the new format, generation 1", next.RefreshToken)
	}
	if _, err := rp.VerifyIDToken(ctx, next, ""); err != nil {
		t.Fatalf("ID token of the refresh: %v", err)
	}
	_, err = rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: former}).Token()
	assertOAuthError(t, err, "invalid_grant")
	_, err = rp.OAuth2.TokenSource(ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token()
	assertOAuthError(t, err, "invalid_grant")
	if in, err := bt.Introspect(b.URL, bt.ClientID, bt.ClientSecret, next.AccessToken); err != nil || in["active"] != false {
		t.Errorf("access token of the family revoked for reuse: %v %v", in, err)
	}
}
