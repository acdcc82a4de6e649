package password

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

const (
	agentID     = "510107199003071236"
	agentMobile = "13800138000"
	agentPW     = "802417"
	disabledID  = "11010519491231002X"
	nopwID      = "110105200002290013"
	unknownID   = "320106198508120033"
)

type fixture struct {
	c   *Connector
	h   *connectorstest.Host
	log *recLogger
}

func newFixture(t *testing.T, config string) fixture {
	t.Helper()
	h := connectorstest.New()
	h.AddAccount(connectors.Account{PersonID: "p_agent", Name: "张三", PasswordHash: connectorstest.PasswordHash(agentPW)}, agentID, agentMobile)
	h.AddAccount(connectors.Account{PersonID: "p_disabled", Name: "李四", PasswordHash: connectorstest.PasswordHash(agentPW), Disabled: true},
		disabledID, "13900139000")
	h.AddAccount(connectors.Account{PersonID: "p_nopw", Name: "王五"}, nopwID)
	log := &recLogger{}
	spec := connectors.Spec{ID: "pwd", Type: Type, Path: "connectors[0].config", Config: yamlconfigtest.Node(t, config)}
	deps := h.Deps()
	deps.Logger = log
	c, err := Open(spec, deps)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return fixture{c: c, h: h, log: log}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, user, secret string
		wantCode           string
		wantSubject        string
		wantLookup         bool // the directory was asked
		wantDummy          bool // DummyVerify was spent instead of a real verify
	}{
		{name: "ID number", user: agentID, secret: agentPW, wantSubject: "p_agent", wantLookup: true},
		{name: "ID number with spaces", user: " 510107 19900307 1236 ", secret: agentPW, wantSubject: "p_agent", wantLookup: true},
		{name: "mobile", user: agentMobile, secret: agentPW, wantSubject: "p_agent", wantLookup: true},
		{name: "mobile with +86", user: "+86 138-0013-8000", secret: agentPW, wantSubject: "p_agent", wantLookup: true},
		{name: "wrong password", user: agentID, secret: "802418", wantCode: CodeInvalidCredentials, wantLookup: true},
		{name: "empty password", user: agentMobile, secret: "", wantCode: CodeInvalidCredentials, wantLookup: true},
		{name: "unknown ID number", user: unknownID, secret: agentPW, wantCode: CodeInvalidCredentials, wantLookup: true, wantDummy: true},
		{name: "unknown mobile", user: "13700137000", secret: agentPW, wantCode: CodeInvalidCredentials, wantLookup: true, wantDummy: true},
		{name: "disabled account, right password", user: disabledID, secret: agentPW, wantCode: CodeInvalidCredentials, wantLookup: true, wantDummy: true},
		{name: "account without password", user: nopwID, secret: "", wantCode: CodeInvalidCredentials, wantLookup: true, wantDummy: true},
		{name: "ID number check digit wrong", user: "510107199003071235", secret: agentPW, wantCode: CodeInvalidLogin},
		{name: "ID number too short", user: "51010719900307123", secret: agentPW, wantCode: CodeInvalidLogin},
		{name: "ID number impossible birth date", user: "110105199902290013", secret: agentPW, wantCode: CodeInvalidLogin},
		{name: "neither ID nor mobile", user: "zhangsan", secret: agentPW, wantCode: CodeInvalidLogin},
		{name: "empty login", user: "", secret: agentPW, wantCode: CodeInvalidLogin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			id, err := f.c.Login(context.Background(), connectors.Credentials{User: tt.user, Secret: tt.secret, RemoteIP: "192.0.2.7"})
			if got := connectorstest.LoginErrorCode(err); got != tt.wantCode {
				t.Fatalf("Login code = %q, want %q", got, tt.wantCode)
			}
			lookups, verifies, dummies := f.h.Calls()
			if (lookups > 0) != tt.wantLookup {
				t.Errorf("directory lookups = %d, want any: %v", lookups, tt.wantLookup)
			}
			if tt.wantLookup && verifies+dummies != 1 {
				t.Errorf("verifies+dummies = %d+%d, want exactly one hash computation", verifies, dummies)
			}
			if (dummies > 0) != tt.wantDummy {
				t.Errorf("DummyVerify calls = %d, want any: %v", dummies, tt.wantDummy)
			}
			if tt.wantCode == CodeInvalidLogin && len(f.h.Keys()) != 0 {
				t.Errorf("a malformed login was counted: %v", f.h.Keys())
			}
			if err != nil {
				return
			}
			want := connectors.Identity{ConnectorID: "pwd", Subject: tt.wantSubject, Kind: connectors.KindPerson, Name: "张三", AMR: []string{"pwd"}, ACR: DefaultACR}
			if id.ConnectorID != want.ConnectorID || id.Subject != want.Subject || id.Kind != want.Kind || id.Name != want.Name || !slices.Equal(id.AMR, want.AMR) || id.ACR != want.ACR {
				t.Errorf("Identity = %+v, want %+v", id, want)
			}
		})
	}
}

func TestLoginErrorTexts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "max_failures: 1\nlockout: 90s")
	ctx := context.Background()
	_, errUnknown := f.c.Login(ctx, connectors.Credentials{User: unknownID, Secret: "1"})
	_, errWrong := f.c.Login(ctx, connectors.Credentials{User: agentID, Secret: "1"})
	_, errLocked := f.c.Login(ctx, connectors.Credentials{User: agentID, Secret: agentPW})
	for _, tc := range []struct {
		err      error
		zh, en   string
		wantCode string
	}{
		{errUnknown, "证件号码/手机号或密码错误", "Incorrect ID number/mobile or password", CodeInvalidCredentials},
		{errWrong, "证件号码/手机号或密码错误", "Incorrect ID number/mobile or password", CodeInvalidCredentials},
		{errLocked, "登录失败次数过多，已暂时锁定，请 2 分钟后再试", "Too many failed attempts. Sign-in is locked; please try again in 2 minutes.", CodeLocked},
	} {
		le, ok := connectors.AsLoginError(tc.err)
		if !ok || le.Code != tc.wantCode {
			t.Fatalf("error %v, want LoginError %s", tc.err, tc.wantCode)
		}
		if le.Text("zh-CN") != tc.zh || le.Text("en") != tc.en || le.Text("fr") != tc.zh {
			t.Errorf("texts = %q / %q, want %q / %q", le.Text("zh-CN"), le.Text("en"), tc.zh, tc.en)
		}
	}
}

// TestLockout plays scripted attempts against one connector with
// max_failures 5 and lockout 15m.
func TestLockout(t *testing.T) {
	t.Parallel()
	type step struct {
		after  time.Duration // clock advance before the attempt
		user   string
		secret string
		want   string // LoginError code, "" for success
		times  int    // repeat; 0 means 1
	}
	const bad = "000001"
	tests := []struct {
		name  string
		steps []step
	}{
		{"five failures lock, even the right password is refused", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: agentID, secret: agentPW, want: CodeLocked},
			{after: 14 * time.Minute, user: agentID, secret: agentPW, want: CodeLocked},
		}},
		{"unlocked after the lockout duration", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{after: 15 * time.Minute, user: agentID, secret: agentPW},
		}},
		{"attempts while locked do not prolong the lock", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{after: 10 * time.Minute, user: agentID, secret: bad, want: CodeLocked, times: 3},
			{after: 5 * time.Minute, user: agentID, secret: agentPW},
		}},
		{"success resets the count", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 4},
			{user: agentID, secret: agentPW},
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: agentID, secret: agentPW, want: CodeLocked},
		}},
		{"failures further apart than the lockout do not add up", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 4},
			{after: 16 * time.Minute, user: agentID, secret: bad, want: CodeInvalidCredentials, times: 4},
			{user: agentID, secret: agentPW},
		}},
		{"unknown logins lock the same way", []step{
			{user: unknownID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: unknownID, secret: bad, want: CodeLocked},
		}},
		{"disabled accounts lock the same way", []step{
			{user: disabledID, secret: agentPW, want: CodeInvalidCredentials, times: 5},
			{user: disabledID, secret: agentPW, want: CodeLocked},
		}},
		{"normalised forms share one count", []step{
			{user: agentMobile, secret: bad, want: CodeInvalidCredentials, times: 3},
			{user: "+86" + agentMobile, secret: bad, want: CodeInvalidCredentials, times: 2},
			{user: "138 0013 8000", secret: agentPW, want: CodeLocked},
		}},
		{"a lock by ID number holds for the mobile too, answered as a wrong password", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: agentMobile, secret: agentPW, want: CodeInvalidCredentials},
			{after: 15 * time.Minute, user: agentMobile, secret: agentPW},
		}},
		{"failures by ID number and mobile add up per account", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 3},
			{user: agentMobile, secret: bad, want: CodeInvalidCredentials, times: 2},
			{user: agentMobile, secret: agentPW, want: CodeInvalidCredentials},
			{user: agentID, secret: agentPW, want: CodeInvalidCredentials},
		}},
		{"a locked account does not tell its mobile from a stranger's", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: agentMobile, secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: "13700137000", secret: bad, want: CodeInvalidCredentials, times: 5},
			{user: agentMobile, secret: bad, want: CodeLocked},
			{user: "13700137000", secret: bad, want: CodeLocked},
		}},
		{"success by mobile resets the account count", []step{
			{user: agentID, secret: bad, want: CodeInvalidCredentials, times: 4},
			{user: agentMobile, secret: agentPW},
			{user: agentMobile, secret: bad, want: CodeInvalidCredentials, times: 4},
			{user: agentMobile, secret: agentPW},
		}},
		{"malformed logins cost no attempt", []step{
			{user: "510107199003071235", secret: bad, want: CodeInvalidLogin, times: 10},
			{user: agentID, secret: agentPW},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			for i, s := range tt.steps {
				f.h.Advance(s.after)
				for range max(s.times, 1) {
					_, err := f.c.Login(context.Background(), connectors.Credentials{User: s.user, Secret: s.secret})
					if got := connectorstest.LoginErrorCode(err); got != s.want {
						t.Fatalf("step %d (%s): code %q, want %q", i, s.user, got, s.want)
					}
				}
			}
		})
	}
}

// TestParallelGuessesStayWithinLimit: the attempt is counted before the
// password is checked, so a burst of parallel guesses gets MaxFailures
// password checks, not one per request.
func TestParallelGuessesStayWithinLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, _ = f.c.Login(context.Background(), connectors.Credentials{User: agentID, Secret: "000001"})
		})
	}
	wg.Wait()
	if _, verifies, _ := f.h.Calls(); verifies > DefaultMaxFailures {
		t.Errorf("%d password checks for 50 parallel guesses, want at most %d", verifies, DefaultMaxFailures)
	}
}

// TestParallelGuessesByBothLoginsStayWithinLimit: the account count is
// reserved before the check too, so ID number and mobile together get
// MaxFailures checks, not twice as many.
func TestParallelGuessesByBothLoginsStayWithinLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	var wg sync.WaitGroup
	for i := range 50 {
		user := agentID
		if i%2 == 1 {
			user = agentMobile
		}
		wg.Go(func() {
			_, _ = f.c.Login(context.Background(), connectors.Credentials{User: user, Secret: "000001"})
		})
	}
	wg.Wait()
	if _, verifies, _ := f.h.Calls(); verifies > DefaultMaxFailures {
		t.Errorf("%d password checks for 50 parallel guesses, want at most %d", verifies, DefaultMaxFailures)
	}
}

func TestLoginFailsClosed(t *testing.T) {
	t.Parallel()
	t.Run("counters unavailable", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, "")
		f.h.Fail(errors.New("redis: connection refused"))
		_, err := f.c.Login(context.Background(), connectors.Credentials{User: agentID, Secret: agentPW})
		if _, isLogin := connectors.AsLoginError(err); err == nil || isLogin {
			t.Fatalf("Login with counters down = %v, want a server error", err)
		}
	})
	t.Run("directory unavailable", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, "")
		f.h.Fail(errors.New("store: unavailable"))
		_, err := f.c.Login(context.Background(), connectors.Credentials{User: agentID, Secret: agentPW})
		if _, isLogin := connectors.AsLoginError(err); err == nil || isLogin {
			t.Fatalf("Login with directory down = %v, want a server error", err)
		}
	})
}

func TestLogsAndCounterKeysHideTheLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "max_failures: 2")
	ctx := context.Background()
	for _, u := range []string{agentID, agentID, agentID, agentMobile, unknownID, "510107199003071235"} {
		_, _ = f.c.Login(ctx, connectors.Credentials{User: u, Secret: "000001"})
	}
	logs := f.log.String()
	for _, raw := range []string{agentID, agentMobile, unknownID, "510107199003071235", "19900307"} {
		if strings.Contains(logs, raw) {
			t.Errorf("logs contain %s:\n%s", raw, logs)
		}
		for _, k := range f.h.Keys() {
			if strings.Contains(k, raw) {
				t.Errorf("counter key %q contains %s", k, raw)
			}
		}
	}
	for _, masked := range []string{"510***********1236", "138****8000", "WARN password login locked"} {
		if !strings.Contains(logs, masked) {
			t.Errorf("logs lack %q:\n%s", masked, logs)
		}
	}
}

// TestLockoutFlaggedOnce: the failure that locks carries Lockout, so the
// broker audits a lockout once; failures before it and attempts on the
// locked login do not.
func TestLockoutFlaggedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	var flags []bool
	for range 7 {
		_, err := f.c.Login(context.Background(), connectors.Credentials{User: agentID, Secret: "000001"})
		le, ok := connectors.AsLoginError(err)
		if !ok {
			t.Fatalf("error %v is no LoginError", err)
		}
		flags = append(flags, le.Lockout)
	}
	if want := []bool{false, false, false, false, true, false, false}; !slices.Equal(flags, want) {
		t.Fatalf("Lockout flags %v, want %v", flags, want)
	}
}
