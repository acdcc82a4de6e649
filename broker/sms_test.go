package broker_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/oauth2"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/sms"
	"github.com/gjjid/gjjid/connectors/sms/aliyuntest"
)

// TestSMSLogin logs in through the real RP libraries with an SMS code, once
// with the log sender (the code read from the broker's log) and once with
// the aliyun sender against the fake Alibaba Cloud endpoint, on both
// stores.
func TestSMSLogin(t *testing.T) {
	senders := map[string]func(t *testing.T) (sender string, codeOf func(t *testing.T, logs *bt.LogBuffer) string){
		"log": func(t *testing.T) (string, func(*testing.T, *bt.LogBuffer) string) {
			return "sender: {type: log}", codeInLog
		},
		"aliyun": func(t *testing.T) (string, func(*testing.T, *bt.LogBuffer) string) {
			srv := aliyuntest.NewServer("LTAI5tTest", "s3cret")
			t.Cleanup(srv.Close)
			sender := "sender:\n  type: aliyun\n  aliyun:\n    endpoint: " + srv.URL + "\n    access_key_id: LTAI5tTest\n" +
				"    access_key_secret: s3cret\n    sign_name: 成都住房公积金\n    template_code: SMS_123456789\n"
			return sender, func(t *testing.T, _ *bt.LogBuffer) string {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				msgs, err := srv.Await(ctx, 1)
				if err != nil {
					t.Fatalf("no text message: %v", err)
				}
				for _, m := range msgs {
					if m.PhoneNumber != bt.AgentMobile {
						t.Errorf("a text to %s, which no account has", m.PhoneNumber)
					}
				}
				last := msgs[len(msgs)-1]
				if last.PhoneNumber != bt.AgentMobile || last.SignName != "成都住房公积金" || last.TemplateCode != "SMS_123456789" {
					t.Fatalf("text message %+v", last)
				}
				return last.Code()
			}
		},
	}
	for _, backend := range []string{"memory", "redis"} {
		for name, newSender := range senders {
			t.Run(backend+"/"+name, func(t *testing.T) {
				t.Parallel()
				sender, codeOf := newSender(t)
				logs := &bt.LogBuffer{}
				o := bt.Options{Log: logs, Edit: withSMS(t, sender)}
				if backend == "redis" {
					o.RedisURL, o.KeyPrefix = redistest.URL(t), redistest.Prefix(t)
				}
				b := bt.Start(t, o)
				rp := bt.NewRP(t, b.URL)
				br := bt.NewBrowser(t)
				f := rp.NewFlow()

				if loc, err := br.Get(f.URL); err != nil || loc != nil {
					t.Fatalf("authorize: %v %v", loc, err)
				}
				for _, want := range []string{`id="send-code"`, `name="action" value="send"`, "formnovalidate", "获取验证码", ">验证码<", ">手机号<"} {
					if !strings.Contains(br.Page, want) {
						t.Fatalf("login page lacks %s: %.1500s", want, br.Page)
					}
				}
				// An unknown mobile gets the very answer a registered one does.
				unknown := sendCode(t, b, br, "13700137000")
				page := sendCode(t, b, br, bt.AgentMobile)
				if want := "如果该手机号已登记，验证码已发送"; !strings.Contains(page, want) || !strings.Contains(unknown, want) {
					t.Fatalf("notice missing: %.1500s", page)
				}
				if !strings.Contains(page, `value="`+bt.AgentMobile+`"`) {
					t.Errorf("mobile not kept in the form: %.1500s", page)
				}
				code := codeOf(t, logs)

				loc, err := br.SubmitPassword(b.URL, bt.AgentMobile, code)
				if err != nil {
					t.Fatal(err)
				}
				var claims map[string]any
				rp.Redeem(t, f, loc, br, &claims)
				if amr, _ := claims["amr"].([]any); !slices.Contains(amr, any("sms")) {
					t.Errorf("amr = %v, want sms", claims["amr"])
				}
				for k, want := range map[string]any{"idp": "sms", "acr": "gjj:loa:1", "name": bt.AgentName, "unit_id": bt.UnitID} {
					if claims[k] != want {
						t.Errorf("id token %s = %v, want %v", k, claims[k], want)
					}
				}

				// The code was consumed: a second login with it is refused.
				f2 := rp.NewFlow(oauth2AuthParam("prompt", "login"))
				if _, err := br.Get(f2.URL); err != nil {
					t.Fatal(err)
				}
				if loc, err := br.SubmitPassword(b.URL, bt.AgentMobile, code); err != nil || loc != nil || !strings.Contains(br.Page, "验证码错误或已失效") {
					t.Errorf("replayed code: %v %v, page %.500s", loc, err, br.Page)
				}

				if !strings.Contains(logs.String(), `"reason":"unknown_account"`) {
					t.Errorf("the unknown mobile's request is not in the log:\n%s", logs.String())
				}
				if strings.Contains(logs.String(), bt.AgentMobile) || strings.Contains(logs.String(), "13700137000") {
					t.Errorf("a mobile in the log unmasked:\n%s", logs.String())
				}
			})
		}
	}
}

// TestSMSSendRateLimited: a second code inside resend_interval is refused
// with the retry time, in the page's language.
func TestSMSSendRateLimited(t *testing.T) {
	t.Parallel()
	b := bt.Start(t, bt.Options{Edit: withSMS(t, "sender: {type: log}")})
	rp := bt.NewRP(t, b.URL)
	br := bt.NewBrowser(t)
	f := rp.NewFlow(oauth2AuthParam("ui_locales", "en"))
	if _, err := br.Get(f.URL); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(br.Page, "Send code") || !strings.Contains(br.Page, "Verification code") {
		t.Fatalf("English page: %.1500s", br.Page)
	}
	if page := sendCode(t, b, br, bt.AgentMobile); !strings.Contains(page, "If this mobile is registered, a code has been sent") {
		t.Fatalf("first send: %.1500s", page)
	}
	page := sendCode(t, b, br, bt.AgentMobile)
	if !strings.Contains(page, "A code was sent moments ago. Try again in") || strings.Contains(page, "a code has been sent") {
		t.Errorf("second send: %.1500s", page)
	}
}

// sendCode presses "send code" on the current login page with mobile.
func sendCode(t *testing.T, b *bt.Broker, br *bt.Browser, mobile string) string {
	t.Helper()
	action, vals, err := br.Form(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	vals.Set("user", mobile)
	vals.Set("action", "send")
	if loc, err := br.Post(action, vals); err != nil || loc != nil || br.Last != http.StatusOK {
		t.Fatalf("send code: %v %v, status %d: %.500s", loc, err, br.Last, br.Page)
	}
	return br.Page
}

// withSMS adds an sms connector with the given config and makes it the demo
// client's only one, so /login goes straight to its form.
func withSMS(t *testing.T, connectorConfig string) func(*config.Config) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(connectorConfig), &n); err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) {
		c.Connectors = append(c.Connectors, config.Connector{ID: "sms", Type: sms.Type, Name: "短信验证码登录", NameEN: "Text message code", Config: n})
		c.Clients[0].Connectors = []string{"sms"}
	}
}

// codeInLog waits for the log sender's line and returns its code.
func codeInLog(t *testing.T, logs *bt.LogBuffer) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line struct {
				Msg    string `json:"msg"`
				Mobile string `json:"mobile"`
				Code   string `json:"code"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && strings.HasPrefix(line.Msg, "sms code (log sender") {
				if line.Mobile != "138****8000" {
					t.Fatalf("log sender line for %q, want the masked agent mobile", line.Mobile)
				}
				return line.Code
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no code in the log:\n%s", logs.String())
	return ""
}

func oauth2AuthParam(k, v string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam(k, v) }
