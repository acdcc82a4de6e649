package broker_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
	"github.com/gjjid/gjjid/connectors/sms/aliyuntest"
)

// TestSMSProviderFailing runs the broker's SMS login against the fake
// Alibaba Cloud endpoint with the access key secret one character off, so
// every send answers SignatureDoesNotMatch quoting the string it signed
// (the code included), as the real service does. After the provider counts
// as failing (unavailable_after: 1), a registered and an unknown mobile get
// the same page: the same status and the same "unavailable" text, no
// promise of a text. No code, signature, secret or mobile reaches the log
// or the audit trail; the failure is counted in
// gjjid_sms_send_failures_total and audited as sms.provider_failure.
func TestSMSProviderFailing(t *testing.T) {
	t.Parallel()
	srv := aliyuntest.NewServer("LTAI5tTest", "s3cret")
	t.Cleanup(srv.Close)
	sender := "unavailable_after: 1\nsender:\n  type: aliyun\n  aliyun:\n    endpoint: " + srv.URL + "\n    access_key_id: LTAI5tTest\n" +
		"    access_key_secret: s3creu\n    sign_name: 成都住房公积金\n    template_code: SMS_123456789\n"
	logs := &bt.LogBuffer{}
	addSMS := withSMS(t, sender)
	b := bt.Start(t, bt.Options{Log: logs, LogLevel: "debug", Edit: func(c *config.Config) {
		addSMS(c)
		c.Clients[0].Connectors = []string{"sms", "password"} // another method to offer
	}})
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	if _, err := br.Get(rp.NewFlow().URL); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Get(b.URL + regexpFind(t, br.Page, `href="(/login/sms\?[^"]+)"`)); err != nil {
		t.Fatal(err)
	}
	// While the provider's health is unknown, the answer is the usual one;
	// the send fails in the background (and once more on retry).
	if page := sendCode(t, b, br, bt.AgentMobile); !strings.Contains(page, "如果该手机号已登记，验证码已发送") {
		t.Fatalf("first send: %.1500s", page)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "sms code not delivered") {
		if time.Now().After(deadline) {
			t.Fatalf("the failed send was never logged:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Calls(); n != 2 {
		t.Errorf("%d SendSms calls, want 2 (one retry)", n)
	}

	errorText := regexp.MustCompile(`id="error" role="alert">([^<]*)<`)
	answer := func(mobile string) string {
		page := sendCode(t, b, br, mobile) // fails the test unless 200
		m := errorText.FindStringSubmatch(page)
		if m == nil || strings.Contains(page, "验证码已发送") {
			t.Fatalf("%s: no error, or a promise of a text: %.1500s", mobile, page)
		}
		if !strings.Contains(page, "其他登录方式") {
			t.Errorf("%s: the page offers no other login method: %.1500s", mobile, page)
		}
		return html.UnescapeString(m[1])
	}
	registered, unknown := answer(bt.AgentMobile), answer("13700137000")
	if want := "短信服务暂时不可用，请稍后再试或选择其他登录方式"; registered != want || unknown != registered {
		t.Errorf("registered mobile: %q, unknown mobile: %q; want both %q", registered, unknown, want)
	}
	if n := srv.Calls(); n != 2 {
		t.Errorf("%d SendSms calls, want none while the provider is failing", n-2)
	}

	resp, err := http.Get(b.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `gjjid_sms_send_failures_total{code="SignatureDoesNotMatch",connector="sms"} 1`; !strings.Contains(string(metrics), want) {
		t.Errorf("metrics lack %s", want)
	}

	admin := bt.NewAdminAPI(t, b.URL)
	var trail listPage[json.RawMessage]
	admin.Want(http.StatusOK, "GET", "/admin/v1/audit?limit=500", nil, &trail)
	all, _ := json.Marshal(trail.Items)
	if !strings.Contains(string(all), `"type":"sms.provider_failure"`) || !strings.Contains(string(all), "SignatureDoesNotMatch") {
		t.Errorf("audit trail lacks the provider failure: %s", all)
	}

	canaries := []string{bt.AgentMobile, "13700137000", "s3cret", "s3creu"}
	for _, q := range srv.Received() {
		var tp map[string]string
		_ = json.Unmarshal([]byte(q.Get("TemplateParam")), &tp)
		canaries = append(canaries, q.Get("Signature"), q.Get("TemplateParam"), tp["code"])
	}
	if !strings.Contains(logs.String(), "SignatureDoesNotMatch") {
		t.Fatalf("the log does not name the provider's code:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"level":"DEBUG"`) {
		t.Fatal("no debug lines were captured: the canary check would not cover debug level")
	}
	redacttest.AssertNoCanary(t, logs.String(), canaries...)
	redacttest.AssertNoCanary(t, string(all), canaries...)
}
