package sms

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/sms/aliyuntest"
)

// Alibaba Cloud's published SendSms example (HTTP协议及签名, document
// 56189): these parameters signed with AccessKey secret "testSecret" give
// the string to sign and signature below. The string to sign was checked
// with `openssl dgst -sha1 -hmac 'testSecret&' -binary | base64`.
var (
	vendorParams = map[string]string{
		"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
		"RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
		"TemplateParam": `{"customer":"test"}`, "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
	}
	vendorStringToSign = "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001" +
		"%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8" +
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007" +
		"%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
	vendorSignature = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
)

func TestSignatureVendorExample(t *testing.T) {
	t.Parallel()
	sts := stringToSign(http.MethodGet, canonicalQuery(vendorParams))
	if sts != vendorStringToSign {
		t.Errorf("string to sign\n got %s\nwant %s", sts, vendorStringToSign)
	}
	if sig := signature("testSecret", sts); sig != vendorSignature {
		t.Errorf("signature %s, want %s", sig, vendorSignature)
	}
}

// TestSendSmsStringToSign is the known answer for the request the sender
// builds, with a fixed nonce and clock; the signature was computed with
// openssl from the string to sign.
func TestSendSmsStringToSign(t *testing.T) {
	t.Parallel()
	a := newAliyun(AliyunConfig{AccessKeyID: "testId", AccessKeySecret: "testSecret", SignName: "阿里云短信测试专用",
		TemplateCode: "SMS_71390007", RegionID: "cn-hangzhou", Endpoint: DefaultAliyunEndpoint, Timeout: time.Second}, nil)
	a.nonce = func() string { return "45e25e9b-0a6f-4070-8c85-2956eda1b466" }
	a.now = func() time.Time { return time.Date(2026, 3, 1, 9, 30, 0, 0, chinaTime) } // 01:30 UTC
	const want = "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DJSON%26PhoneNumbers%3D13800138000%26RegionId%3Dcn-hangzhou" +
		"%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8" +
		"%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007" +
		"%26TemplateParam%3D%257B%2522code%2522%253A%2522123456%2522%257D%26Timestamp%3D2026-03-01T01%253A30%253A00Z%26Version%3D2017-05-25"
	sts := stringToSign(http.MethodGet, canonicalQuery(a.params(agentMobile, "123456")))
	if sts != want {
		t.Errorf("string to sign\n got %s\nwant %s", sts, want)
	}
	if sig := signature("testSecret", sts); sig != "p0YAfwyhK/UAZNsiB64z2Og8w6c=" {
		t.Errorf("signature %s", sig)
	}
}

func newTestAliyun(srv *aliyuntest.Server, secret string) *aliyun {
	return newAliyun(AliyunConfig{Endpoint: srv.URL, AccessKeyID: "LTAI5tTest", AccessKeySecret: secret,
		SignName: "成都住房公积金", TemplateCode: "SMS_123456789", RegionID: "cn-hangzhou", Timeout: 5 * time.Second}, srv.Client())
}

func TestAliyunSender(t *testing.T) {
	t.Parallel()
	const secret = "s3cret*~ +/"
	tests := []struct {
		name     string
		prepare  func(t *testing.T, srv *aliyuntest.Server, a *aliyun)
		mobile   string
		wantCode string // AliyunError code, "rate_limited", or "" for success
		wantSent bool
	}{
		{name: "sent", mobile: agentMobile, wantSent: true},
		{name: "wrong secret", mobile: agentMobile, wantCode: "SignatureDoesNotMatch",
			prepare: func(_ *testing.T, _ *aliyuntest.Server, a *aliyun) { a.cfg.AccessKeySecret = "other" }},
		{name: "unknown key ID", mobile: agentMobile, wantCode: "InvalidAccessKeyId.NotFound",
			prepare: func(_ *testing.T, _ *aliyuntest.Server, a *aliyun) { a.cfg.AccessKeyID = "LTAIother" }},
		{name: "flow control", mobile: agentMobile, wantCode: CodeRateLimited,
			prepare: func(_ *testing.T, srv *aliyuntest.Server, _ *aliyun) { srv.LimitControl(agentMobile) }},
		{name: "illegal mobile", mobile: "12000000000", wantCode: "isv.MOBILE_NUMBER_ILLEGAL"},
		{name: "stale timestamp", mobile: agentMobile, wantCode: "InvalidTimeStamp.Expired",
			prepare: func(_ *testing.T, _ *aliyuntest.Server, a *aliyun) {
				a.now = func() time.Time { return time.Now().Add(-16 * time.Minute) }
			}},
		{name: "nonce used twice", mobile: agentMobile, wantCode: "SignatureNonceUsed",
			prepare: func(t *testing.T, _ *aliyuntest.Server, a *aliyun) {
				a.nonce = func() string { return "fixed-nonce" }
				if err := a.Send(context.Background(), "13800138001", "111111"); err != nil {
					t.Fatalf("first send: %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := aliyuntest.NewServer("LTAI5tTest", secret)
			defer srv.Close()
			a := newTestAliyun(srv, secret)
			if tt.prepare != nil {
				tt.prepare(t, srv, a)
			}
			err := a.Send(context.Background(), tt.mobile, "654321")
			var ae *AliyunError
			switch {
			case tt.wantCode == "" && err != nil:
				t.Fatalf("Send: %v", err)
			case tt.wantCode == CodeRateLimited:
				if le, ok := connectors.AsLoginError(err); !ok || le.Code != CodeRateLimited || !errors.As(err, &ae) || ae.Code != AliyunBusinessLimitControl {
					t.Fatalf("Send = %v, want a rate_limited LoginError caused by %s", err, AliyunBusinessLimitControl)
				}
			case tt.wantCode != "":
				if !errors.As(err, &ae) || ae.Code != tt.wantCode || ae.RequestID == "" {
					t.Fatalf("Send = %v, want an AliyunError %s with a RequestId", err, tt.wantCode)
				}
				if _, isLogin := connectors.AsLoginError(err); isLogin {
					t.Errorf("Send = %v: a provider refusal is a server error, not a LoginError", err)
				}
			}
			if err != nil && strings.Contains(err.Error(), tt.mobile) {
				t.Errorf("error text holds the mobile unmasked: %v", err)
			}
			code, sent := srv.Code(tt.mobile)
			if sent != tt.wantSent || (sent && code != "654321") {
				t.Errorf("message to %s: %q, %v; want sent %v", tt.mobile, code, sent, tt.wantSent)
			}
			if sent {
				m := srv.Messages()[len(srv.Messages())-1]
				if m.SignName != "成都住房公积金" || m.TemplateCode != "SMS_123456789" {
					t.Errorf("message %+v", m)
				}
			}
		})
	}
}

// TestSignatureMismatchHidesTheMobile: SignatureDoesNotMatch quotes the
// server's string to sign, which holds the mobile.
func TestSignatureMismatchHidesTheMobile(t *testing.T) {
	t.Parallel()
	srv := aliyuntest.NewServer("LTAI5tTest", "right")
	defer srv.Close()
	err := newTestAliyun(srv, "wrong").Send(context.Background(), agentMobile, "654321")
	if err == nil || !strings.Contains(err.Error(), "138****8000") || strings.Contains(err.Error(), agentMobile) {
		t.Errorf("error %v: want the mobile masked", err)
	}
}

func TestAliyunUnreachable(t *testing.T) {
	t.Parallel()
	srv := aliyuntest.NewServer("LTAI5tTest", "s")
	a := newTestAliyun(srv, "s")
	srv.Close()
	err := a.Send(context.Background(), agentMobile, "654321")
	if err == nil || strings.Contains(err.Error(), agentMobile) || strings.Contains(err.Error(), "LTAI5tTest") || strings.Contains(err.Error(), "Signature=") {
		t.Errorf("error %v: want a failure that quotes neither mobile, key ID nor signature", err)
	}
}

// TestConnectorWithAliyun runs the connector end to end with the aliyun
// sender against the fake endpoint.
func TestConnectorWithAliyun(t *testing.T) {
	t.Parallel()
	srv := aliyuntest.NewServer("LTAI5tTest", "s3cret")
	defer srv.Close()
	f := newFixture(t, "")
	f.c.sender = newTestAliyun(srv, "s3cret")
	if err := f.send("+86 138 0013 8000", clientIP); err != nil {
		t.Fatal(err)
	}
	if err := f.send(unknownMobile, clientIP); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.Await(context.Background(), 1)
	if err != nil || len(msgs) != 1 || msgs[0].PhoneNumber != agentMobile || srv.Calls() != 1 {
		t.Fatalf("messages %+v (%d calls), %v: want exactly one, to %s", msgs, srv.Calls(), err, agentMobile)
	}
	id, err := f.login(agentMobile, msgs[0].Code())
	if err != nil || id.Subject != "p_agent" {
		t.Fatalf("login with the texted code: %+v, %v", id, err)
	}
	// A provider refusal is logged, not shown: the page must not tell
	// registered mobiles apart.
	srv.LimitControl(agentMobile)
	f.st.Advance(time.Minute)
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatalf("send under provider flow control: %v", err)
	}
	if logs := f.log.String(); !strings.Contains(logs, "isv.BUSINESS_LIMIT_CONTROL") || strings.Contains(logs, agentMobile) {
		t.Errorf("logs:\n%s", logs)
	}
}
