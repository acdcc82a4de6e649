package wechat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gjjid/gjjid/connectors/redact"
)

// The mini program's server API for WeChat face verification (微信人脸核身;
// docs/connectors-alipay-wechat.md#wechat-face-verification).
const (
	PathStableToken = "/cgi-bin/stable_token"
	PathGetVerifyID = "/cityservice/face/identify/getverifyid"
	PathQueryVerify = "/cityservice/face/identify/queryverifyinfo"
)

// CertTypeResident is cert_info.cert_type of a resident ID card, the only
// document WeChat verifies faces against.
const CertTypeResident = "IDENTITY_CARD"

// VerifyRetOK is queryVerifyInfo's verify_ret of a verified face; every
// other value is a failure (see faceRefusal).
const VerifyRetOK = 10000

// CertHash is queryVerifyInfo's cert_hash of the cert_info getVerifyId
// was given: each of cert_type, cert_name and cert_no in standard base64,
// joined as "cert_type=…&cert_name=…&cert_no=…", SHA-256, lower-case hex.
func CertHash(certType, name, number string) string {
	b := base64.StdEncoding.EncodeToString
	sum := sha256.Sum256([]byte("cert_type=" + b([]byte(certType)) + "&cert_name=" + b([]byte(name)) + "&cert_no=" + b([]byte(number))))
	return hex.EncodeToString(sum[:])
}

// post calls path (with the app's access_token in the query) with a JSON
// body and decodes a success into out. secrets are values of the body
// that must not reach a log.
func (a *api) post(ctx context.Context, path string, q url.Values, body any, out any, secrets ...string) error {
	var sent redact.Sent
	sent.Add(q["access_token"]...)
	sent.Add(q["secret"]...)
	sent.Add(secrets...)
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("wechat: %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	return a.do(req, path, &sent, out)
}

// appTokens caches each app's access_token from cgi-bin/stable_token until
// shortly before it expires: WeChat limits how often it may be fetched,
// and a stable token stays valid while a fresh one is not forced.
type appTokens struct {
	mu     sync.Mutex
	tokens map[string]appToken
	now    func() time.Time
}

type appToken struct {
	value   string
	expires time.Time
}

// tokenMargin is how long before its expiry a cached token is renewed.
const tokenMargin = 5 * time.Minute

func (a *api) appToken(ctx context.Context, app *App) (string, error) {
	t := &a.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok, ok := t.tokens[app.ID]; ok && t.now().Before(tok.expires) {
		return tok.value, nil
	}
	var r struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	body := map[string]any{"grant_type": "client_credential", "appid": app.ID, "secret": app.Secret, "force_refresh": false}
	if err := a.post(ctx, PathStableToken, nil, body, &r, app.Secret); err != nil {
		return "", err
	}
	if r.AccessToken == "" || r.ExpiresIn <= 0 {
		return "", fmt.Errorf("wechat: %s: reply without access_token or expires_in", PathStableToken)
	}
	if t.tokens == nil {
		t.tokens = map[string]appToken{}
	}
	t.tokens[app.ID] = appToken{value: r.AccessToken, expires: t.now().Add(time.Duration(r.ExpiresIn)*time.Second - tokenMargin)}
	return r.AccessToken, nil
}

// verifyID is getVerifyId's success.
type verifyID struct {
	VerifyID  string `json:"verify_id"`
	ExpiresIn int64  `json:"expires_in"`
}

func (a *api) getVerifyID(ctx context.Context, app *App, outSeqNo, openID, name, number string) (verifyID, error) {
	tok, err := a.appToken(ctx, app)
	if err != nil {
		return verifyID{}, err
	}
	var r verifyID
	body := map[string]any{"out_seq_no": outSeqNo, "openid": openID,
		"cert_info": map[string]string{"cert_type": CertTypeResident, "cert_name": name, "cert_no": number}}
	err = a.post(ctx, PathGetVerifyID, url.Values{"access_token": {tok}}, body, &r, number, name, openID)
	if err == nil && r.VerifyID == "" {
		err = fmt.Errorf("wechat: %s: reply without verify_id", PathGetVerifyID)
	}
	return r, err
}

func (a *api) queryVerify(ctx context.Context, app *App, verifyID, outSeqNo, certHash, openID string) (int, error) {
	tok, err := a.appToken(ctx, app)
	if err != nil {
		return 0, err
	}
	var r struct {
		VerifyRet *int `json:"verify_ret"`
	}
	body := map[string]any{"verify_id": verifyID, "out_seq_no": outSeqNo, "cert_hash": certHash, "openid": openID}
	if err := a.post(ctx, PathQueryVerify, url.Values{"access_token": {tok}}, body, &r, verifyID, certHash, openID); err != nil {
		return 0, err
	}
	if r.VerifyRet == nil {
		return 0, fmt.Errorf("wechat: %s: reply without verify_ret", PathQueryVerify)
	}
	return *r.VerifyRet, nil
}
