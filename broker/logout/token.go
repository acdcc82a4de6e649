package logout

import (
	"encoding/json"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gjjid/gjjid/broker/store"
)

// EventBackchannelLogout is the member of a logout token's events claim
// (OpenID Connect Back-Channel Logout 1.0 §2.4).
const EventBackchannelLogout = "http://schemas.openid.net/event/backchannel-logout"

// TokenType is the typ header of logout tokens (§2.4, as RFC 8725 §3.11
// recommends: explicit typing).
const TokenType = "logout+jwt"

// tokenLifetime bounds how long a logout token is accepted; the relying
// party checks exp and remembers jti that long.
const tokenLifetime = 2 * time.Minute

// logoutClaims are the claims of §2.4: never a nonce.
type logoutClaims struct {
	Issuer   string              `json:"iss"`
	Subject  string              `json:"sub,omitempty"`
	Audience []string            `json:"aud"`
	IssuedAt int64               `json:"iat"`
	Expiry   int64               `json:"exp"`
	JTI      string              `json:"jti"`
	Events   map[string]struct{} `json:"events"`
	SID      string              `json:"sid,omitempty"`
}

// token signs the logout token of d for client c with the key that signs
// its ID tokens (id_token_signed_response_alg, or the default key). The
// token carries sub always and sid when the login had a session.
func (s *Service) token(d *store.LogoutDelivery, c *store.Client, now time.Time) (string, error) {
	kid, alg, key := s.o.Keys.SigningKey()
	if want := jose.SignatureAlgorithm(c.IDTokenSignedResponseAlg); want != "" && want != alg {
		kid, key = s.o.Keys.SigningKeyFor(want)
		alg = want
	}
	if key == nil {
		return "", fmt.Errorf("no active %s signing key", alg)
	}
	payload, err := json.Marshal(logoutClaims{
		Issuer: s.o.Issuer, Subject: d.Subject, Audience: []string{c.ID}, IssuedAt: now.Unix(),
		Expiry: now.Add(tokenLifetime).Unix(), JTI: d.ID, SID: d.SID,
		Events: map[string]struct{}{EventBackchannelLogout: {}},
	})
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType(TokenType).WithHeader(jose.HeaderKey("kid"), kid))
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return jws.CompactSerialize()
}
