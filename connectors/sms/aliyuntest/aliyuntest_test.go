package aliyuntest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Alibaba Cloud's published SendSms example (HTTP协议及签名): these
// parameters and AccessKey secret "testSecret" sign to vendorSignature.
var vendorParams = url.Values{
	"AccessKeyId": {"testId"}, "Action": {"SendSms"}, "Format": {"XML"}, "OutId": {"123"}, "PhoneNumbers": {"15300000001"},
	"RegionId": {"cn-hangzhou"}, "SignName": {"阿里云短信测试专用"}, "SignatureMethod": {"HMAC-SHA1"},
	"SignatureNonce": {"45e25e9b-0a6f-4070-8c85-2956eda1b466"}, "SignatureVersion": {"1.0"}, "TemplateCode": {"SMS_71390007"},
	"TemplateParam": {`{"customer":"test"}`}, "Timestamp": {"2017-07-12T02:42:19Z"}, "Version": {"2017-05-25"},
}

const vendorSignature = "zJDF+Lrzhj/ThnlvIToysFRq6t4="

func TestSignatureVendorExample(t *testing.T) {
	t.Parallel()
	if got := Signature("testSecret", StringToSign(http.MethodGet, vendorParams)); got != vendorSignature {
		t.Errorf("signature %s, want %s", got, vendorSignature)
	}
}

// request signs params (plus fresh common parameters unless given) and
// sends them; it returns the status and the answer's Code.
func request(t *testing.T, s *Server, secret string, params url.Values) (int, map[string]string) {
	t.Helper()
	p := url.Values{}
	for k, v := range map[string]string{
		"AccessKeyId": "id", "Action": "SendSms", "Format": "JSON", "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": time.Now().Format(time.RFC3339Nano), "SignatureVersion": "1.0", "Version": "2017-05-25",
		"Timestamp": time.Now().UTC().Format("2006-01-02T15:04:05Z"), "PhoneNumbers": "13800138000", "SignName": "公积金",
		"TemplateCode": "SMS_1", "TemplateParam": `{"code":"123456"}`,
	} {
		p.Set(k, v)
	}
	for k, v := range params {
		if v[0] == "" {
			p.Del(k)
		} else {
			p[k] = v
		}
	}
	if !params.Has("Signature") {
		p.Set("Signature", Signature(secret, StringToSign(http.MethodGet, p)))
	}
	resp, err := http.Get(s.URL + "/?" + p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestServerAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		secret     string
		params     url.Values
		wantStatus int
		wantCode   string
	}{
		{name: "accepted", wantStatus: 200, wantCode: "OK"},
		{name: "wrong secret", secret: "other", wantStatus: 400, wantCode: "SignatureDoesNotMatch"},
		{name: "signature of other params", params: url.Values{"Signature": {"AAAA"}}, wantStatus: 400, wantCode: "SignatureDoesNotMatch"},
		{name: "no nonce", params: url.Values{"SignatureNonce": {""}}, wantStatus: 400, wantCode: "MissingSignatureNonce"},
		{name: "no phone numbers", params: url.Values{"PhoneNumbers": {""}}, wantStatus: 400, wantCode: "MissingPhoneNumbers"},
		{name: "other action", params: url.Values{"Action": {"QuerySendDetails"}}, wantStatus: 404, wantCode: "InvalidAction.NotFound"},
		{name: "other version", params: url.Values{"Version": {"2017-05-26"}}, wantStatus: 400, wantCode: "InvalidVersion"},
		{name: "stale timestamp", params: url.Values{"Timestamp": {time.Now().Add(-16 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")}}, wantStatus: 400, wantCode: "InvalidTimeStamp.Expired"},
		{name: "local timestamp", params: url.Values{"Timestamp": {time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339)}}, wantStatus: 400, wantCode: "InvalidTimeStamp.Format"},
		{name: "unknown key", params: url.Values{"AccessKeyId": {"nobody"}}, wantStatus: 404, wantCode: "InvalidAccessKeyId.NotFound"},
		{name: "illegal mobile", params: url.Values{"PhoneNumbers": {"1380013800"}}, wantStatus: 200, wantCode: "isv.MOBILE_NUMBER_ILLEGAL"},
		{name: "template param not JSON", params: url.Values{"TemplateParam": {"code=1"}}, wantStatus: 200, wantCode: "isv.INVALID_JSON_PARAM"},
		{name: "template param without code", params: url.Values{"TemplateParam": {`{"x":"1"}`}}, wantStatus: 200, wantCode: "isv.TEMPLATE_MISSING_PARAMETERS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer("id", "secret")
			defer s.Close()
			secret := tt.secret
			if secret == "" {
				secret = "secret"
			}
			status, body := request(t, s, secret, tt.params)
			if status != tt.wantStatus || body["Code"] != tt.wantCode || body["RequestId"] == "" || body["Message"] == "" {
				t.Errorf("answer %d %v, want %d %s with RequestId and Message", status, body, tt.wantStatus, tt.wantCode)
			}
			if sent := len(s.Messages()) == 1; sent != (tt.wantCode == "OK") {
				t.Errorf("messages %v", s.Messages())
			}
		})
	}
}

func TestServerNonceOnceAndLimitControl(t *testing.T) {
	t.Parallel()
	s := NewServer("id", "secret")
	defer s.Close()
	nonce := url.Values{"SignatureNonce": {"n-1"}}
	if _, b := request(t, s, "secret", nonce); b["Code"] != "OK" {
		t.Fatalf("first use of a nonce: %v", b)
	}
	if st, b := request(t, s, "secret", nonce); st != 400 || b["Code"] != "SignatureNonceUsed" {
		t.Errorf("second use of a nonce: %d %v", st, b)
	}
	s.LimitControl("13800138000")
	if st, b := request(t, s, "secret", nil); st != 200 || b["Code"] != "isv.BUSINESS_LIMIT_CONTROL" {
		t.Errorf("limited mobile: %d %v", st, b)
	}
	if code, ok := s.Code("13800138000"); !ok || code != "123456" {
		t.Errorf("Code = %q, %v", code, ok)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Await(ctx, 2); err == nil {
		t.Errorf("Await(2) with one message did not time out")
	}
}
