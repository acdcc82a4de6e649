package sms

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

// TestSendLimits plays scripted sends against a connector with the default
// limits (resend_interval 60s, daily_limit 10, ip_hourly_limit 30); the
// clock starts at 09:30 China time.
func TestSendLimits(t *testing.T) {
	t.Parallel()
	type step struct {
		after  time.Duration
		mobile string // default agentMobile; "each" is a new mobile per repeat
		ip     string // default clientIP
		want   string // "" or a LoginError code
		times  int
	}
	tests := []struct {
		name     string
		config   string
		steps    []step
		wantSent int
	}{
		{name: "resend interval", steps: []step{
			{},
			{after: 59 * time.Second, want: CodeRateLimited},
			{after: time.Second},
		}, wantSent: 2},
		{name: "refused resends do not prolong the wait", steps: []step{
			{},
			{after: 10 * time.Second, want: CodeRateLimited, times: 5},
			{after: 10 * time.Second},
		}, wantSent: 2},
		{name: "resend interval is per mobile", steps: []step{
			{},
			{mobile: "13800138001"},
		}, wantSent: 1},
		{name: "daily limit per mobile, reset at midnight China time", steps: []step{
			{after: time.Minute, times: 10},
			{after: time.Minute, want: CodeRateLimited},
			{after: 14*time.Hour + 18*time.Minute, want: CodeRateLimited}, // 23:59
			{after: time.Minute},                                          // 00:00 next day
		}, wantSent: 11},
		{name: "daily limit counts unknown mobiles too", steps: []step{
			{after: time.Minute, mobile: unknownMobile, times: 10},
			{after: time.Minute, mobile: unknownMobile, want: CodeRateLimited},
		}},
		{name: "IP hourly limit, reset at the next hour", steps: []step{
			{mobile: "each", times: 30},
			{mobile: "each", want: CodeRateLimited},
			{mobile: "each", ip: "192.0.2.8"},
			{after: 29 * time.Minute, mobile: "each", want: CodeRateLimited}, // 09:59
			{after: time.Minute, mobile: "each"},                             // 10:00
		}},
		{name: "IP hourly limit as configured", config: "ip_hourly_limit: 2", steps: []step{
			{mobile: "each", times: 2},
			{mobile: "each", want: CodeRateLimited},
		}},
		{name: "malformed mobiles are refused before any limit", config: "ip_hourly_limit: 1", steps: []step{
			{mobile: "1380013800", want: CodeInvalidLogin, times: 3},
			{},
		}, wantSent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.config)
			each := 0
			for i, s := range tt.steps {
				for range max(s.times, 1) {
					f.st.Advance(s.after)
					mobile, ip := s.mobile, s.ip
					switch mobile {
					case "":
						mobile = agentMobile
					case "each":
						each++
						mobile = fmt.Sprintf("1350000%04d", each)
					}
					if ip == "" {
						ip = clientIP
					}
					if got := connectorstest.LoginErrorCode(f.send(mobile, ip)); got != s.want {
						t.Fatalf("step %d (%s at %s): code %q, want %q", i, mobile, f.st.Now().Format("15:04:05"), got, s.want)
					}
				}
			}
			if n := len(f.sent.texts()); n != tt.wantSent {
				t.Errorf("%d texts sent, want %d", n, tt.wantSent)
			}
		})
	}
}

func TestRateLimitTexts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "ip_hourly_limit: 3\ndaily_limit: 2")
	_ = f.send(agentMobile, clientIP)
	f.st.Advance(15 * time.Second)
	errResend := f.send(agentMobile, "192.0.2.99")
	f.st.Advance(time.Minute)
	_ = f.send(agentMobile, "192.0.2.99")
	f.st.Advance(time.Minute)
	errDaily := f.send(agentMobile, "192.0.2.99")
	_ = f.send("13800138001", clientIP)
	_ = f.send("13800138002", clientIP)
	errIP := f.send("13800138003", clientIP) // at 09:32:15
	for _, tc := range []struct {
		err    error
		zh, en string
	}{
		{errResend, "验证码发送过于频繁，请 45 秒后再试", "A code was sent moments ago. Try again in 45 seconds."},
		{errDaily, "该手机号今日获取验证码次数已达上限，请明天再试", "This mobile has had too many codes today. Try again tomorrow."},
		{errIP, "当前网络获取验证码次数过多，请 28 分钟后再试", "Too many codes were requested from your network. Try again in 28 minutes."},
	} {
		le, ok := connectors.AsLoginError(tc.err)
		if !ok || le.Code != CodeRateLimited {
			t.Fatalf("error %v, want a rate_limited LoginError", tc.err)
		}
		if le.Text("zh-CN") != tc.zh || le.Text("en") != tc.en {
			t.Errorf("texts = %q / %q, want %q / %q", le.Text("zh-CN"), le.Text("en"), tc.zh, tc.en)
		}
	}
}

// TestUnknownMobileAnsweredAlike: a registered, an unknown and a disabled
// mobile get the same answer from SendCode and Login and cost the same
// store operations in the same order; only the registered one is texted.
func TestUnknownMobileAnsweredAlike(t *testing.T) {
	t.Parallel()
	type trace struct {
		sendErr   string
		sendOps   []string
		loginErrs []string
		loginOps  []string
		texts     int
	}
	run := func(mobile string) trace {
		f := newFixture(t, "")
		var tr trace
		tr.sendErr = connectorstest.LoginErrorCode(f.send(mobile, clientIP))
		tr.sendOps = f.st.Ops()
		for range 6 {
			_, err := f.login(mobile, "000000") // wrong for all (but one in a million)
			tr.loginErrs = append(tr.loginErrs, connectorstest.LoginErrorCode(err))
		}
		tr.loginOps = f.st.Ops()
		tr.texts = len(f.sent.texts())
		return tr
	}
	known := run(agentMobile)
	if known.texts != 1 || known.sendErr != "" {
		t.Fatalf("registered mobile: %d texts, error %q", known.texts, known.sendErr)
	}
	t.Logf("send: %v\nlogins: %v %v", known.sendOps, known.loginErrs, known.loginOps)
	for _, m := range []string{unknownMobile, disabledMobile} {
		other := run(m)
		if other.texts != 0 {
			t.Errorf("%s: %d texts sent, want none", m, other.texts)
		}
		if other.sendErr != known.sendErr || !slices.Equal(other.loginErrs, known.loginErrs) {
			t.Errorf("%s: answers %q %v, registered mobile %q %v", m, other.sendErr, other.loginErrs, known.sendErr, known.loginErrs)
		}
		if !slices.Equal(other.sendOps, known.sendOps) || !slices.Equal(other.loginOps, known.loginOps) {
			t.Errorf("%s: store operations differ from a registered mobile's:\nsend  %v\nvs    %v\nlogin %v\nvs    %v",
				m, other.sendOps, known.sendOps, other.loginOps, known.loginOps)
		}
	}
}

// TestLogsAndStoreHideTheMobile: no log line, store key or stored value
// holds a mobile or a code in clear.
func TestLogsAndStoreHideTheMobile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "max_attempts: 2")
	f.c.sender = logSender{id: "sms", log: f.log} // the one sender that logs codes
	for _, m := range []string{agentMobile, unknownMobile, disabledMobile, "+86 138 0013 8001"} {
		_ = f.send(m, clientIP)
		for range 3 {
			_, _ = f.login(m, "000000")
		}
	}
	_ = f.send(agentMobile, clientIP) // refused: resend interval
	_, _ = f.login("1380013800", "000000")
	logs, dump := f.log.String(), f.st.Dump()
	for _, raw := range []string{agentMobile, unknownMobile, disabledMobile, "13800138001", "1380013800"} {
		if strings.Contains(logs, raw) {
			t.Errorf("logs contain %s:\n%s", raw, logs)
		}
		if strings.Contains(dump, raw) {
			t.Errorf("store holds %s:\n%s", raw, dump)
		}
	}
	for _, want := range []string{"138****8000", "137****7000", "reason unknown_account", "reason disabled", "sms code (log sender, development only)"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	// The log sender logs the code itself (development only), but the
	// store holds none.
	if c := codeInLog(logs); c == "" || strings.Contains(dump, c) {
		t.Errorf("code %q from the log sender: store holds it or the log lacks it:\n%s", c, dump)
	}
}

// codeInLog reads the code the log sender logged last.
func codeInLog(logs string) string {
	i := strings.LastIndex(logs, " code ")
	if i < 0 || len(logs) < i+12 {
		return ""
	}
	return logs[i+6 : i+12]
}

func TestSendErrorsAreLogged(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	f.sent.err = &AliyunError{Provider: "sms: aliyun SendSms", Code: "isv.AMOUNT_NOT_ENOUGH", Text: "账户余额不足", RequestID: "R1", HTTPStatus: 200}
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatalf("SendCode: %v: a provider failure must not reach the page (it would tell registered mobiles apart)", err)
	}
	if logs := f.log.String(); !strings.Contains(logs, "ERROR sms code not delivered") || !strings.Contains(logs, "isv.AMOUNT_NOT_ENOUGH") || !strings.Contains(logs, "R1") {
		t.Errorf("provider failure not logged with its code and request ID:\n%s", logs)
	}
}
