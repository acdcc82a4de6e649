package sms

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

const (
	agentMobile    = "13800138000"
	disabledMobile = "13900139000"
	unknownMobile  = "13700137000"
	clientIP       = "192.0.2.7"
)

type fixture struct {
	c    *Connector
	st   *connectorstest.Host
	sent *fakeSender
	log  *recLogger
}

func newFixture(t *testing.T, config string) *fixture {
	t.Helper()
	st := newHost()
	st.AddAccount(connectors.Account{PersonID: "p_agent", Name: "张三"}, agentMobile)
	st.AddAccount(connectors.Account{PersonID: "p_disabled", Name: "李四", Disabled: true}, disabledMobile)
	log := &recLogger{}
	spec := connectors.Spec{ID: "sms", Type: Type, Path: "connectors[1].config", Config: yamlconfigtest.Node(t, config+"\nsender: {type: log}")}
	deps := st.Deps()
	deps.Logger = log
	c, err := Open(spec, deps)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	sent := &fakeSender{}
	c.sender = sent
	c.now = st.Now
	return &fixture{c: c, st: st, sent: sent, log: log}
}

func (f *fixture) send(mobile, ip string) error {
	err := f.c.SendCode(context.Background(), connectors.Credentials{User: mobile, RemoteIP: ip})
	f.c.sends.Wait()
	return err
}

func (f *fixture) login(mobile, code string) (connectors.Identity, error) {
	return f.c.Login(context.Background(), connectors.Credentials{User: mobile, Secret: code, RemoteIP: clientIP})
}

// lastCode is the last code texted to mobile, "" when none was.
func (f *fixture) lastCode(mobile string) string {
	texts := f.sent.texts()
	for i := len(texts) - 1; i >= 0; i-- {
		if texts[i].mobile == mobile {
			return texts[i].code
		}
	}
	return ""
}

// wrongCode is a six-digit code other than right.
func wrongCode(right string) string {
	if right == "000000" {
		return "000001"
	}
	return "000000"
}

// TestCodeLifecycle plays scripted sends and logins against a connector
// with the default limits (max_attempts 5, resend_interval 60s) and the
// code_ttl the case sets.
func TestCodeLifecycle(t *testing.T) {
	t.Parallel()
	type step struct {
		after  time.Duration // clock advance before the step
		send   bool          // request a code; else log in
		mobile string        // default agentMobile
		secret string        // "right" (the last code sent), "wrong", "old" (the one before) or literal
		want   string        // LoginError code, "" for success
		times  int           // repeat; 0 means 1
	}
	tests := []struct {
		name     string
		codeTTL  string
		steps    []step
		wantSent int
	}{
		{name: "right code logs in once, a replay is refused", steps: []step{
			{send: true},
			{secret: "right"},
			{secret: "right", want: CodeInvalidCode},
		}, wantSent: 1},
		{name: "a code works with +86 and spaces in the mobile", steps: []step{
			{send: true, mobile: "+86 138 0013 8000"},
			{mobile: "138-0013-8000", secret: "right"},
		}, wantSent: 1},
		{name: "five wrong codes kill it; the right one is refused then", steps: []step{
			{send: true},
			{secret: "wrong", want: CodeInvalidCode, times: 4},
			{secret: "wrong", want: CodeCodeDead},
			{secret: "right", want: CodeCodeDead},
		}, wantSent: 1},
		{name: "four wrong codes, then the right one", steps: []step{
			{send: true},
			{secret: "wrong", want: CodeInvalidCode, times: 4},
			{secret: "right"},
		}, wantSent: 1},
		{name: "a dead code is replaced by a new one", steps: []step{
			{send: true},
			{secret: "wrong", want: CodeInvalidCode, times: 4},
			{secret: "wrong", want: CodeCodeDead},
			{after: time.Minute, send: true},
			{secret: "wrong", want: CodeInvalidCode},
			{secret: "right"},
		}, wantSent: 2},
		{name: "a code expires after code_ttl", codeTTL: "code_ttl: 1m", steps: []step{
			{send: true},
			{after: 59 * time.Second, secret: "wrong", want: CodeInvalidCode},
			{after: 2 * time.Second, secret: "right", want: CodeInvalidCode},
		}, wantSent: 1},
		{name: "a code works until code_ttl", codeTTL: "code_ttl: 2m", steps: []step{
			{send: true},
			{after: 119 * time.Second, secret: "right"},
		}, wantSent: 1},
		{name: "a new code replaces the old", steps: []step{
			{send: true},
			{after: time.Minute, send: true},
			{secret: "old", want: CodeInvalidCode},
			{secret: "right"},
		}, wantSent: 2},
		{name: "no code was requested", steps: []step{
			{secret: "123456", want: CodeInvalidCode},
		}},
		{name: "malformed codes cost no try", steps: []step{
			{send: true},
			{secret: "12345", want: CodeInvalidCode, times: 10},
			{secret: "12345a", want: CodeInvalidCode},
			{secret: "", want: CodeInvalidCode},
			{secret: "right"},
		}, wantSent: 1},
		{name: "malformed mobile", steps: []step{
			{send: true, mobile: "1380013800", want: CodeInvalidLogin},
			{mobile: "12345678901", secret: "123456", want: CodeInvalidLogin},
		}},
		{name: "unknown mobile: accepted, nothing sent, no code works", steps: []step{
			{send: true, mobile: unknownMobile},
			{mobile: unknownMobile, secret: "123456", want: CodeInvalidCode},
		}},
		{name: "unknown mobile: its never-sent code dies like a real one", steps: []step{
			{send: true, mobile: unknownMobile},
			{mobile: unknownMobile, secret: "000000", want: CodeInvalidCode, times: 4},
			{mobile: unknownMobile, secret: "000000", want: CodeCodeDead},
			{mobile: unknownMobile, secret: "000000", want: CodeCodeDead},
		}},
		{name: "disabled account: accepted, nothing sent", steps: []step{
			{send: true, mobile: disabledMobile},
			{mobile: disabledMobile, secret: "123456", want: CodeInvalidCode},
		}},
		{name: "a code works only for its mobile", steps: []step{
			{send: true},
			{send: true, mobile: unknownMobile},
			{mobile: unknownMobile, secret: "right", want: CodeInvalidCode},
		}, wantSent: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.codeTTL)
			var codes []string // texted to agentMobile, in order
			for i, s := range tt.steps {
				f.st.Advance(s.after)
				mobile := s.mobile
				if mobile == "" {
					mobile = agentMobile
				}
				for range max(s.times, 1) {
					if s.send {
						err := f.send(mobile, clientIP)
						if got := connectorstest.LoginErrorCode(err); got != s.want {
							t.Fatalf("step %d: send: code %q, want %q", i, got, s.want)
						}
						if c := f.lastCode(agentMobile); c != "" && (len(codes) == 0 || codes[len(codes)-1] != c) {
							codes = append(codes, c)
						}
						continue
					}
					secret := s.secret
					switch secret {
					case "right", "wrong":
						if len(codes) == 0 {
							t.Fatalf("step %d: no code was sent", i)
						}
						if secret = codes[len(codes)-1]; s.secret == "wrong" {
							secret = wrongCode(secret)
						}
					case "old":
						secret = codes[len(codes)-2]
					}
					id, err := f.login(mobile, secret)
					if got := connectorstest.LoginErrorCode(err); got != s.want {
						t.Fatalf("step %d: login %s with %q: code %q, want %q", i, mobile, secret, got, s.want)
					}
					if err == nil && (id.Subject != "p_agent" || id.Kind != connectors.KindPerson || !slices.Equal(id.AMR, []string{"sms"}) ||
						id.ACR != DefaultACR || id.ConnectorID != "sms" || id.Name != "张三") {
						t.Errorf("step %d: identity %+v", i, id)
					}
				}
			}
			if n := len(f.sent.texts()); n != tt.wantSent {
				t.Errorf("%d texts sent, want %d: %v", n, tt.wantSent, f.sent.texts())
			}
		})
	}
}

func TestLoginErrorTexts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "max_attempts: 1")
	_ = f.send(agentMobile, clientIP)
	_, errWrong := f.login(agentMobile, wrongCode(f.lastCode(agentMobile)))
	_, errDead := f.login(agentMobile, f.lastCode(agentMobile))
	_, errMobile := f.login("1380013800", "123456")
	_, errShape := f.login(agentMobile, "12345")
	_, errNone := f.login(unknownMobile, "123456")
	for _, tc := range []struct {
		err      error
		wantCode string
		zh, en   string
	}{
		{errWrong, CodeCodeDead, "验证码错误次数过多，已失效，请重新获取验证码", "Too many wrong codes: this code no longer works. Request a new one."},
		{errDead, CodeCodeDead, "验证码错误次数过多，已失效，请重新获取验证码", "Too many wrong codes: this code no longer works. Request a new one."},
		{errMobile, CodeInvalidLogin, "请输入正确的11位手机号", "Enter a valid 11-digit mobile number"},
		{errShape, CodeInvalidCode, "请输入短信中的6位数字验证码", "Enter the 6-digit code from the text message"},
		{errNone, CodeInvalidCode, "验证码错误或已失效", "The verification code is wrong or no longer valid"},
	} {
		le, ok := connectors.AsLoginError(tc.err)
		if !ok || le.Code != tc.wantCode {
			t.Fatalf("error %v, want LoginError %s", tc.err, tc.wantCode)
		}
		if le.Text("zh-CN") != tc.zh || le.Text("en") != tc.en {
			t.Errorf("texts = %q / %q, want %q / %q", le.Text("zh-CN"), le.Text("en"), tc.zh, tc.en)
		}
	}
}

// TestRightCodeConsumedOnce: of many concurrent submissions of the right
// code exactly one logs in.
func TestRightCodeConsumedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatal(err)
	}
	right := f.lastCode(agentMobile)
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for range 4 { // within max_attempts: every try reaches the check
		wg.Go(func() {
			_, err := f.login(agentMobile, right)
			switch connectorstest.LoginErrorCode(err) {
			case "":
				ok.Add(1)
			case CodeInvalidCode:
				refused.Add(1)
			default:
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != 3 {
		t.Errorf("%d logins and %d refusals, want 1 and 3", ok.Load(), refused.Load())
	}
}

// TestParallelGuessesStayWithinLimit: a try is counted before the check,
// so a burst of parallel guesses kills the code like serial ones do.
func TestParallelGuessesStayWithinLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatal(err)
	}
	right := f.lastCode(agentMobile)
	var wrong atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := f.login(agentMobile, wrongCode(right)); connectorstest.LoginErrorCode(err) == CodeInvalidCode {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	if n := wrong.Load(); n != DefaultMaxAttempts-1 {
		t.Errorf("%d guesses answered as checked, want %d", n, DefaultMaxAttempts-1)
	}
	if _, err := f.login(agentMobile, right); connectorstest.LoginErrorCode(err) != CodeCodeDead {
		t.Errorf("right code after 50 guesses: %v, want code_dead", err)
	}
}

// TestReplacedCodeSurvivesARace: a right code checked while a new code
// replaces it must not log in, and must not destroy the new code.
func TestReplacedCodeSurvivesARace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	_ = f.send(agentMobile, clientIP)
	old := f.lastCode(agentMobile)
	f.st.Advance(time.Minute)
	// A store whose TakeValue first lets a new code through: the code is
	// replaced between Login's read and take.
	f.c.store = hostStore{&racingStore{Host: f.st, before: func() { _ = f.send(agentMobile, clientIP) }}, f.st}
	if _, err := f.login(agentMobile, old); connectorstest.LoginErrorCode(err) != CodeInvalidCode {
		t.Fatalf("old code during replacement: %v, want invalid_code", err)
	}
	if !strings.Contains(f.log.String(), "code_replaced") {
		t.Fatalf("the race did not happen:\n%s", f.log.String())
	}
	f.c.store = hostStore{f.st, f.st}
	if _, err := f.login(agentMobile, f.lastCode(agentMobile)); err != nil {
		t.Fatalf("new code after the race: %v", err)
	}
}

// racingStore runs before once, just before the first TakeValue.
type racingStore struct {
	*connectorstest.Host
	before func()
	once   sync.Once
}

func (s *racingStore) TakeValue(ctx context.Context, key string) ([]byte, error) {
	s.once.Do(s.before)
	return s.Host.TakeValue(ctx, key)
}

func TestLoginFailsClosed(t *testing.T) {
	t.Parallel()
	t.Run("store unavailable", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, "")
		_ = f.send(agentMobile, clientIP)
		f.st.Fail(errors.New("redis: connection refused"))
		_, err := f.login(agentMobile, f.lastCode(agentMobile))
		if _, isLogin := connectors.AsLoginError(err); err == nil || isLogin {
			t.Fatalf("Login with the store down = %v, want a server error", err)
		}
		if err := f.send(agentMobile, clientIP); err == nil || strings.HasPrefix(connectorstest.LoginErrorCode(err), CodeRateLimited) {
			t.Fatalf("SendCode with the store down = %v, want a server error", err)
		}
	})
	t.Run("directory unavailable", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, "")
		_ = f.send(agentMobile, clientIP)
		f.st.FailAccounts(errors.New("store: unavailable"))
		_, err := f.login(agentMobile, f.lastCode(agentMobile))
		if _, isLogin := connectors.AsLoginError(err); err == nil || isLogin {
			t.Fatalf("Login with the directory down = %v, want a server error", err)
		}
		f.st.Advance(time.Minute)
		if err := f.send(agentMobile, clientIP); connectorstest.LoginErrorCode(err) == "" || strings.HasPrefix(connectorstest.LoginErrorCode(err), CodeRateLimited) {
			t.Fatalf("SendCode with the directory down = %v, want a server error", err)
		}
	})
}

func TestLoginRechecksTheAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	_ = f.send(agentMobile, clientIP)
	f.st.AddAccount(connectors.Account{PersonID: "p_agent", Disabled: true}, agentMobile)
	if _, err := f.login(agentMobile, f.lastCode(agentMobile)); connectorstest.LoginErrorCode(err) != CodeInvalidCode {
		t.Errorf("right code of an account disabled since: %v, want invalid_code", err)
	}
}

// newHost is the double with its clock at 09:30 China time, as the send
// limits count China's days.
func newHost() *connectorstest.Host {
	h := connectorstest.New()
	h.SetNow(time.Date(2026, 3, 1, 9, 30, 0, 0, chinaTime))
	return h
}
