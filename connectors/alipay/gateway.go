package alipay

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors/redact"
)

// Gateway methods the connector calls.
const (
	MethodOAuthToken = "alipay.system.oauth.token"
	MethodUserInfo   = "alipay.user.info.share"
)

// maxBody caps a gateway reply; real ones are well under 4 KiB.
const maxBody = 64 << 10

// Beijing is the zone of the gateway's `timestamp` (UTC+8, no DST).
var Beijing = time.FixedZone("CST", 8*3600)

// TimestampFormat is the gateway's `timestamp` layout.
const TimestampFormat = "2006-01-02 15:04:05"

// StringToSign is the request signature's input
// (docs/connectors-alipay-wechat.md#alipay-request-signature): every
// parameter sent except sign, empty values dropped, sorted by name, joined
// as name=value with &, values raw (not URL-encoded).
func StringToSign(params url.Values) string {
	names := make([]string, 0, len(params))
	for k, v := range params {
		if k != "sign" && len(v) > 0 && v[0] != "" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params.Get(k))
	}
	return b.String()
}

// GatewayError is a gateway reply whose code is not 10000 (or a token
// reply without access_token): Code/Msg are the common codes, SubCode
// the business reason (isv.code-invalid, aop.invalid-auth-token …). Its
// texts were redacted (package redact) when it was built: safe to log.
type GatewayError struct {
	Method  string
	Member  string // where the error came back: the method's key or error_response
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
}

func (e *GatewayError) Error() string {
	return fmt.Sprintf("alipay: %s: %s %s (sub_code %s: %s) in %s", e.Method, e.Code, e.Msg, e.SubCode, e.SubMsg, e.Member)
}

// ErrSignature marks a reply whose signature is missing or wrong: it is
// never trusted, whatever it says.
var ErrSignature = errors.New("alipay: response signature invalid")

// common are the fields every reply member may carry.
type common struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

// Reply is a verified gateway reply: the member named after the method
// (or error_response) as the raw bytes that were signed.
type Reply struct {
	Member  string
	Content json.RawMessage
}

// VerifyResponse parses a gateway body and verifies its signature over the
// raw bytes of the `…_response` member
// (docs/connectors-alipay-wechat.md#alipay-reply-signature): from its opening { to
// its closing }, exactly as received. Any reply that does not verify is an
// error wrapping ErrSignature. certSN, in certificate mode, is the SN of
// the Alipay certificate that key comes from: a reply naming another
// alipay_cert_sn is refused (Alipay rotated its certificate).
func VerifyResponse(body []byte, method string, key *rsa.PublicKey, certSN string) (Reply, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return Reply{}, fmt.Errorf("alipay: %s: reply is not a JSON object: %w", method, err)
	}
	want := strings.ReplaceAll(method, ".", "_") + "_response"
	var r Reply
	for k, v := range top {
		if k != want && k != "error_response" {
			continue
		}
		if r.Member != "" {
			return Reply{}, fmt.Errorf("alipay: %s: reply has both %s and %s", method, r.Member, k)
		}
		r.Member, r.Content = k, v
	}
	if r.Member == "" {
		return Reply{}, fmt.Errorf("alipay: %s: reply has no %s member", method, want)
	}
	if len(r.Content) == 0 || r.Content[0] != '{' {
		return Reply{}, fmt.Errorf("alipay: %s: %s is not an object", method, r.Member)
	}
	var sign string
	if err := json.Unmarshal(top["sign"], &sign); err != nil || sign == "" {
		return r, fmt.Errorf("%w: %s reply carries no sign", ErrSignature, method)
	}
	if certSN != "" {
		if raw, ok := top["alipay_cert_sn"]; ok {
			var sn string
			if json.Unmarshal(raw, &sn) != nil || sn != certSN {
				return r, fmt.Errorf("%w: signed with Alipay certificate %q, not the configured one (%s): download the new alipayCertPublicKey_RSA2.crt", ErrSignature, sn, certSN)
			}
		}
	}
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil {
		return r, fmt.Errorf("%w: sign is not Base64", ErrSignature)
	}
	h := sha256.Sum256(r.Content)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, h[:], sig); err != nil {
		return r, fmt.Errorf("%w: %s", ErrSignature, method)
	}
	return r, nil
}

// check turns an error member, or a code other than 10000, into a
// *GatewayError whose texts have every value of the request removed.
// alipay.system.oauth.token succeeds without any code.
func (r Reply) check(method string, sent *redact.Sent) error {
	var c common
	if err := json.Unmarshal(r.Content, &c); err != nil {
		return fmt.Errorf("alipay: %s: malformed %s: %w", method, r.Member, err)
	}
	if r.Member == "error_response" || (c.Code != "" && c.Code != "10000") {
		return &GatewayError{Method: method, Member: r.Member, Code: sent.Text(c.Code), Msg: sent.Text(c.Msg),
			SubCode: sent.Text(c.SubCode), SubMsg: sent.Text(c.SubMsg)}
	}
	return nil
}

// TokenReply is alipay.system.oauth.token's success.
type TokenReply struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	ReExpiresIn  int64  `json:"re_expires_in"`
	AuthStart    string `json:"auth_start"`
	UserID       string `json:"user_id"`
	OpenID       string `json:"open_id"`
	UnionID      string `json:"union_id"`
	AlipayUserID string `json:"alipay_user_id"`
}

// UserInfoReply is alipay.user.info.share's success; all but the IDs are
// optional.
type UserInfoReply struct {
	UserID   string `json:"user_id"`
	OpenID   string `json:"open_id"`
	NickName string `json:"nick_name"`
	Avatar   string `json:"avatar"`
	Province string `json:"province"`
	City     string `json:"city"`
	Gender   string `json:"gender"`
}

// gateway calls the OpenAPI gateway.
type gateway struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
}

func newGateway(cfg Config, client *http.Client) *gateway {
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	// A gateway reply is never a redirect; following one would send the
	// signed request (and its auth_code) to another host.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &gateway{cfg: cfg, client: &c, now: time.Now}
}

// params builds and signs a request: the common parameters go into the
// query string and the API's own into the body, as the official SDKs do.
func (g *gateway) params(method string, api url.Values, sent *redact.Sent) (query, body url.Values, err error) {
	query = url.Values{
		"app_id":    {g.cfg.AppID},
		"method":    {method},
		"format":    {"JSON"},
		"charset":   {"utf-8"},
		"sign_type": {"RSA2"},
		"timestamp": {g.now().In(Beijing).Format(TimestampFormat)},
		"version":   {"1.0"},
	}
	if g.cfg.Mode == ModeCert {
		query.Set("app_cert_sn", g.cfg.AppCertSN)
		query.Set("alipay_root_cert_sn", g.cfg.RootCertSN)
	}
	all := url.Values{}
	for k, v := range query {
		all[k] = v
	}
	for k, v := range api {
		all[k] = v
	}
	h := sha256.Sum256([]byte(StringToSign(all)))
	sig, err := rsa.SignPKCS1v15(rand.Reader, g.cfg.PrivateKey, crypto.SHA256, h[:])
	if err != nil {
		return nil, nil, fmt.Errorf("alipay: sign %s: %w", method, err)
	}
	query.Set("sign", base64.StdEncoding.EncodeToString(sig))
	sent.Add(query.Get("sign"))
	return query, api, nil
}

// call posts one signed request and returns the verified reply member.
// Every error's text is free of the request's values (the auth_code or
// token in api, the signature): the gateway quotes its string to sign on
// isv.invalid-signature.
func (g *gateway) call(ctx context.Context, method string, api url.Values) (Reply, error) {
	var sent redact.Sent
	for k, vs := range api {
		if k != "grant_type" {
			sent.Add(vs...) // the auth_code or token
		}
	}
	query, body, err := g.params(method, api, &sent)
	if err != nil {
		return Reply{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.GatewayURL+"?"+query.Encode(), strings.NewReader(body.Encode()))
	if err != nil {
		return Reply{}, fmt.Errorf("alipay: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL carries the request's parameters
		}
		return Reply{}, fmt.Errorf("alipay: %s via %s: %w", method, g.cfg.GatewayURL, sent.Wrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return Reply{}, fmt.Errorf("alipay: %s: the gateway answered with a redirect (HTTP %d to %s): refused", method, resp.StatusCode, hostOf(resp.Header.Get("Location")))
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return Reply{}, fmt.Errorf("alipay: %s: read reply: %w", method, err)
	}
	if len(raw) > maxBody {
		return Reply{}, fmt.Errorf("alipay: %s: reply larger than %d bytes: refused", method, maxBody)
	}
	if resp.StatusCode != http.StatusOK {
		return Reply{}, fmt.Errorf("alipay: %s: HTTP %d", method, resp.StatusCode)
	}
	raw = bytes.TrimSpace(raw)
	r, err := VerifyResponse(raw, method, g.cfg.AlipayKey, g.cfg.AlipayCertSN)
	if err != nil {
		if errors.Is(err, ErrSignature) && r.Member != "" {
			// Unverified, so only for the log: it helps with a key that
			// was never uploaded (isv.missing-signature-config).
			var c common
			_ = json.Unmarshal(r.Content, &c)
			return Reply{}, &unverified{err: err, subCode: sent.Text(c.SubCode)}
		}
		return Reply{}, err
	}
	return r, r.check(method, &sent)
}

// unverified is a reply that failed verification; subCode is what it
// claimed, for the log only.
type unverified struct {
	err     error
	subCode string
}

func (u *unverified) Error() string {
	return u.err.Error() + " (unverified sub_code " + u.subCode + ")"
}
func (u *unverified) Unwrap() error { return u.err }

func hostOf(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Host
	}
	return "?"
}

// token redeems an auth_code (one attempt: the code is spent by the first
// exchange whether or not it succeeds).
func (g *gateway) token(ctx context.Context, code string) (TokenReply, error) {
	r, err := g.call(ctx, MethodOAuthToken, url.Values{"grant_type": {"authorization_code"}, "code": {code}})
	if err != nil {
		return TokenReply{}, err
	}
	var t TokenReply
	if err := json.Unmarshal(r.Content, &t); err != nil {
		return TokenReply{}, fmt.Errorf("alipay: %s: malformed reply: %w", MethodOAuthToken, err)
	}
	if t.AccessToken == "" {
		return TokenReply{}, &GatewayError{Method: MethodOAuthToken, Member: r.Member, Msg: "no access_token in the reply"}
	}
	return t, nil
}

// userInfo reads the profile an auth_user token allows.
func (g *gateway) userInfo(ctx context.Context, accessToken string) (UserInfoReply, error) {
	r, err := g.call(ctx, MethodUserInfo, url.Values{"auth_token": {accessToken}})
	if err != nil {
		return UserInfoReply{}, err
	}
	var u UserInfoReply
	if err := json.Unmarshal(r.Content, &u); err != nil {
		return UserInfoReply{}, fmt.Errorf("alipay: %s: malformed reply: %w", MethodUserInfo, err)
	}
	return u, nil
}
