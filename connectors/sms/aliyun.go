package sms

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gjjid/gjjid/connectors/ids"
	"github.com/gjjid/gjjid/connectors/redact"
)

// Alibaba Cloud SMS error codes the connector tells apart.
const (
	AliyunOK                   = "OK"
	AliyunBusinessLimitControl = "isv.BUSINESS_LIMIT_CONTROL" // flow control per mobile (1/min, 5/h, 10/day by default)
)

// AliyunError is a SendSms answer other than OK: the provider's Code,
// RequestId and HTTP status, and its Message with every value the request
// carried removed (SignatureDoesNotMatch quotes the whole string to sign,
// the code and mobile included), the mobile shown masked.
type AliyunError = redact.UpstreamError

// aliyun sends codes with Alibaba Cloud SMS: the RPC-style SendSms API,
// version 2017-05-25, signed with signature version 1.0 (HMAC-SHA1). The
// template must have one variable, ${code}. See docs/connectors-sms.md.
type aliyun struct {
	cfg      AliyunConfig
	endpoint string
	client   *http.Client
	now      func() time.Time
	nonce    func() string
}

func newAliyun(cfg AliyunConfig, client *http.Client) *aliyun {
	if client == nil {
		client = &http.Client{}
	}
	endpoint := cfg.Endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Path == "" {
		endpoint += "/"
	}
	return &aliyun{cfg: cfg, endpoint: endpoint, client: client, now: time.Now, nonce: uuid}
}

// params are the request's parameters without Signature.
func (a *aliyun) params(mobile, code string) map[string]string {
	tp, _ := json.Marshal(map[string]string{"code": code})
	return map[string]string{
		// Common parameters.
		"AccessKeyId":      a.cfg.AccessKeyID,
		"Action":           "SendSms",
		"Format":           "JSON",
		"RegionId":         a.cfg.RegionID,
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureNonce":   a.nonce(),
		"SignatureVersion": "1.0",
		"Timestamp":        a.now().UTC().Format("2006-01-02T15:04:05Z"),
		"Version":          "2017-05-25",
		// SendSms parameters.
		"PhoneNumbers":  mobile,
		"SignName":      a.cfg.SignName,
		"TemplateCode":  a.cfg.TemplateCode,
		"TemplateParam": string(tp),
	}
}

// Send calls SendSms. isv.BUSINESS_LIMIT_CONTROL becomes a rate_limited
// LoginError; every other refusal an *AliyunError.
func (a *aliyun) Send(ctx context.Context, mobile, code string) error {
	masked := ids.MaskMobile(mobile)
	params := a.params(mobile, code)
	query := canonicalQuery(params)
	sig := signature(a.cfg.AccessKeySecret, stringToSign(http.MethodGet, query))
	// Every value of this request that must not reach a log.
	var sent redact.Sent
	sent.AddAs(mobile, masked)
	sent.Add(code, params["TemplateParam"], a.cfg.AccessKeySecret, sig)
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.endpoint+"?Signature="+redact.PercentEncode(sig)+"&"+query, nil)
	if err != nil {
		return fmt.Errorf("sms: aliyun SendSms: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		// A *url.Error quotes the whole URL: mobile, key ID, signature.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("sms: aliyun SendSms to %s via %s: %w", masked, a.cfg.Endpoint, sent.Wrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("sms: aliyun SendSms to %s: read answer: %w", masked, err)
	}
	var r struct {
		RequestID string `json:"RequestId"`
		Code      string `json:"Code"`
		Message   string `json:"Message"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Code == "" {
		return fmt.Errorf("sms: aliyun SendSms to %s: HTTP %d without a JSON answer (%s)", masked, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if r.Code == AliyunOK && resp.StatusCode == http.StatusOK {
		return nil
	}
	e := sent.Error("sms: aliyun SendSms", r.Code, resp.StatusCode, r.RequestID, r.Message)
	if r.Code == AliyunBusinessLimitControl {
		return gatewayLimit(e)
	}
	return e
}

// canonicalQuery sorts the parameters by name and joins the
// percent-encoded name=value pairs with & (signature version 1.0).
func canonicalQuery(params map[string]string) string {
	names := slices.Sorted(maps.Keys(params))
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(redact.PercentEncode(k))
		b.WriteByte('=')
		b.WriteString(redact.PercentEncode(params[k]))
	}
	return b.String()
}

// stringToSign is method & PercentEncode("/") & PercentEncode(query).
func stringToSign(method, query string) string {
	return method + "&" + redact.PercentEncode("/") + "&" + redact.PercentEncode(query)
}

// signature is base64(HMAC-SHA1(secret + "&", stringToSign)).
func signature(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// uuid is a random (version 4) UUID, the SignatureNonce Alibaba suggests.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
