// Package wechattest is a fake WeChat (open.weixin.qq.com's authorization
// pages and api.weixin.qq.com's sns endpoints) for tests and `gjjid dev`,
// in the style of net/http/httptest.
//
// It follows docs/connectors-alipay-wechat.md (#wechat, #test-fakes):
// qrconnect accepts only website apps and snsapi_login, oauth2/authorize
// only official accounts and snsapi_base/snsapi_userinfo; both redirect to
// redirect_uri with code and state (state only when the user refuses), and
// only to the registered callback domain. Codes live 5 minutes and are
// single use (40029 unknown, wrong app or expired; 40163 used);
// jscode2session answers without errcode on success; every error is HTTP
// 200 with errcode and an errmsg carrying a ", rid: …" suffix; replies are
// labelled text/plain like the real sns endpoints. userinfo refuses
// snsapi_base tokens with 48001. Openids differ per app, the unionid is
// the same across apps unless the user has none.
package wechattest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"

	"sync"
	"time"
)

// CodeTTL is the fake's code lifetime (WeChat's is 5 to 10 minutes:
// docs/connectors-alipay-wechat.md#wechat-website-qr-login).
const CodeTTL = 5 * time.Minute

// App kinds.
const (
	Website         = "website"
	OfficialAccount = "official_account"
	MiniProgram     = "mini_program"
)

// App is an application registered at the fake.
type App struct {
	ID, Secret, Kind string
}

// User is who logs in. Key derives the openids; UnionID may be empty (an
// app not bound to the Open Platform account).
type User struct {
	Key      string
	UnionID  string
	Nickname string
}

// DefaultUser is the user until As is called.
var DefaultUser = User{Key: "user-1", UnionID: "o6_bmasdasdsad6_2sgVt7hMZOPfL", Nickname: "张三"}

// Fault is a misbehaviour of the next reply on a path.
type Fault int

// Faults.
const (
	FaultNone           Fault = iota
	FaultSystemError          // errcode -1
	FaultRateLimit            // errcode 45011
	FaultBlocked              // errcode 40226
	FaultMalformed            // not JSON
	FaultHuge                 // 8 MiB
	FaultSlow                 // no answer until the client gives up
	FaultRedirect             // 302 to another host
	FaultExpiredToken         // the access token issued is already expired (userinfo → 42001)
	FaultNoScope              // the token reply leaves out its scope field
	FaultEcho                 // errcode 40029 whose errmsg quotes every parameter received, secret included
	FaultVerifyMismatch       // queryverifyinfo: errcode 84002, as when WeChat holds another openid or identity for the verify_id
)

// Server is a running fake.
type Server struct {
	*httptest.Server
	apps map[string]App
	// CallbackHost, when set, is the registered 授权回调域: redirect_uri
	// must be on it (any port).
	CallbackHost string

	mu        sync.Mutex
	now       func() time.Time
	user      User
	deny      bool
	baseOnly  bool
	codes     map[string]*code
	tokens    map[string]*token
	refreshes map[string]*token
	faults    map[string]Fault
	calls     map[string]int
	received  []url.Values
	redirect  string
	release   context.CancelFunc // ends every request's context: slow handlers return
}

type code struct {
	app, scope string
	user       User
	expires    time.Time
	used       bool
}

type token struct {
	app, scope string
	user       User
	expires    time.Time
}

// NewServer starts a fake knowing apps; close it when done.
func NewServer(apps ...App) *Server {
	s := &Server{apps: map[string]App{}, now: time.Now, user: DefaultUser, codes: map[string]*code{}, tokens: map[string]*token{},
		refreshes: map[string]*token{}, faults: map[string]Fault{}, calls: map[string]int{}, redirect: "http://other.example/"}
	for _, a := range apps {
		s.apps[a.ID] = a
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/connect/qrconnect", s.authorize(Website))
	mux.HandleFunc("/connect/oauth2/authorize", s.authorize(OfficialAccount))
	mux.HandleFunc("/sns/oauth2/access_token", s.api(s.accessToken))
	mux.HandleFunc("/sns/oauth2/refresh_token", s.api(s.refreshToken))
	mux.HandleFunc("/sns/userinfo", s.api(s.userinfo))
	mux.HandleFunc("/sns/jscode2session", s.api(s.jscode2session))
	s.handleFace(mux) // face.go
	// Not WeChat's: what wx.login gives a mini program, for `gjjid dev`.
	mux.HandleFunc("/dev/js_code", func(w http.ResponseWriter, r *http.Request) {
		if a, ok := s.apps[r.URL.Query().Get("appid")]; !ok || a.Kind != MiniProgram {
			http.Error(w, "unknown mini program appid", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(s.JSCode(r.URL.Query().Get("appid"))))
	})
	// Requests' contexts derive from one that Close cancels, so a
	// handler that stalls returns when the server closes.
	base, release := context.WithCancel(context.Background())
	s.release = release
	s.Server = httptest.NewUnstartedServer(mux)
	s.Server.Config.BaseContext = func(net.Listener) context.Context { return base }
	s.Server.Start()
	return s
}

// Close releases slow handlers, then stops the server.
func (s *Server) Close() {
	s.release()
	s.Server.Close()
}

// As makes the next logins be u.
func (s *Server) As(u User) { s.mu.Lock(); s.user = u; s.mu.Unlock() }

// Deny makes the user refuse the next authorizations (no code comes back).
func (s *Server) Deny(deny bool) { s.mu.Lock(); s.deny = deny; s.mu.Unlock() }

// GrantBaseOnly makes official-account authorizations grant snsapi_base
// whatever was asked (an account without the userinfo permission).
func (s *Server) GrantBaseOnly(b bool) { s.mu.Lock(); s.baseOnly = b; s.mu.Unlock() }

// SetNow replaces the clock.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// Fail makes the next reply on path (e.g. "/sns/jscode2session") misbehave.
func (s *Server) Fail(path string, f Fault) { s.mu.Lock(); s.faults[path] = f; s.mu.Unlock() }

// RedirectTo sets where FaultRedirect sends the client.
func (s *Server) RedirectTo(u string) { s.mu.Lock(); s.redirect = u; s.mu.Unlock() }

// Received returns the query of every API request, oldest first.
func (s *Server) Received() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.received...)
}

// Calls is how many requests reached path.
func (s *Server) Calls(path string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls[path] }

// OpenID is the user's openid in app.
func OpenID(appID string, u User) string {
	h := sha256.Sum256([]byte(appID + "\x00" + u.Key))
	return "o" + hex.EncodeToString(h[:])[:27]
}

// JSCode is what wx.login gives the mini program appID for the current
// user.
func (s *Server) JSCode(appID string) string { return s.issue(appID, "") }

func (s *Server) issue(appID, scope string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := randomHex(16)
	s.codes[c] = &code{app: appID, scope: scope, user: s.user, expires: s.now().Add(CodeTTL)}
	return c
}

func (s *Server) authorize(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page := func(msg string) {
			// WeChat shows an error page and never redirects.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			fmt.Fprintf(w, "<!doctype html><title>微信</title><p>%s</p>", html.EscapeString(msg))
		}
		app, ok := s.apps[q.Get("appid")]
		if !ok || app.Kind != kind {
			page("参数错误 (appid)")
			return
		}
		scope := q.Get("scope")
		switch {
		case kind == Website && scope != "snsapi_login", kind == OfficialAccount && scope != "snsapi_base" && scope != "snsapi_userinfo":
			page("Scope 参数错误或没有 Scope 权限")
			return
		case q.Get("response_type") != "code":
			page("参数错误 (response_type)")
			return
		}
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || back.Host == "" || (s.CallbackHost != "" && back.Hostname() != s.CallbackHost) {
			page("redirect_uri 参数错误：该链接无法访问")
			return
		}
		s.mu.Lock()
		deny, baseOnly := s.deny, s.baseOnly
		s.mu.Unlock()
		if baseOnly && kind == OfficialAccount {
			scope = "snsapi_base"
		}
		v := back.Query()
		if !deny {
			v.Set("code", s.issue(app.ID, scope))
		}
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
}

// reply is an API answer: fields, or an errcode.
type reply struct {
	fields  map[string]any
	errcode int
	errmsg  string
}

func fail(code int, msg string) reply { return reply{errcode: code, errmsg: msg} }

func (s *Server) api(h func(q url.Values, now time.Time, fault Fault) reply) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.URL.Path]++
		s.received = append(s.received, r.URL.Query())
		fault := s.faults[r.URL.Path]
		delete(s.faults, r.URL.Path)
		now, redirect := s.now(), s.redirect
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		var rep reply
		switch fault {
		case FaultSlow: // until the client gives up or Close
			<-r.Context().Done()
			return
		case FaultRedirect:
			http.Redirect(w, r, redirect, http.StatusFound)
			return
		case FaultMalformed:
			_, _ = w.Write([]byte(`{"access_token":"ACCESS`))
			return
		case FaultHuge:
			_, _ = w.Write([]byte(`{"pad":"`))
			_, _ = w.Write(bytes.Repeat([]byte("x"), 8<<20))
			_, _ = w.Write([]byte(`"}`))
			return
		case FaultSystemError:
			rep = fail(-1, "system error")
		case FaultRateLimit:
			rep = fail(45011, "api minute-quota reach limit  mustslower  retry next minute")
		case FaultBlocked:
			rep = fail(40226, "code blocked")
		case FaultEcho:
			rep = fail(40029, "invalid code, hints: [ req: "+r.URL.RawQuery+" ]")
		default:
			rep = h(r.URL.Query(), now, fault)
		}
		var body []byte
		if rep.errcode != 0 {
			body, _ = json.Marshal(map[string]any{"errcode": rep.errcode, "errmsg": rep.errmsg + ", rid: " + rid()})
		} else {
			body, _ = json.Marshal(rep.fields)
		}
		_, _ = w.Write(body)
	}
}

// app checks appid and secret as the real API does.
func (s *Server) app(q url.Values, kind string) (App, *reply) {
	if q.Get("appid") == "" {
		r := fail(41002, "appid missing")
		return App{}, &r
	}
	a, ok := s.apps[q.Get("appid")]
	if !ok || (kind != "" && a.Kind != kind && !(kind == Website && a.Kind == OfficialAccount)) {
		r := fail(40013, "invalid appid")
		return App{}, &r
	}
	if q.Get("secret") == "" {
		r := fail(41004, "appsecret missing")
		return App{}, &r
	}
	if q.Get("secret") != a.Secret {
		r := fail(40125, "invalid appsecret")
		return App{}, &r
	}
	return a, nil
}

// redeem spends a code of app.
func (s *Server) redeem(app App, c string, now time.Time) (*code, *reply) {
	if c == "" {
		r := fail(41008, "missing code")
		return nil, &r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.codes[c]
	switch {
	case !ok || rec.app != app.ID || !now.Before(rec.expires):
		r := fail(40029, "invalid code")
		return nil, &r
	case rec.used:
		r := fail(40163, "code been used")
		return nil, &r
	}
	rec.used = true
	return rec, nil
}

func (s *Server) newToken(app, scope string, u User, expires time.Time) (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, rt := "ACCESS_"+randomHex(24), "REFRESH_"+randomHex(24)
	t := &token{app: app, scope: scope, user: u, expires: expires}
	s.tokens[at] = t
	s.refreshes[rt] = &token{app: app, scope: scope, user: u, expires: expires.Add(30 * 24 * time.Hour)}
	return at, rt
}

func (s *Server) accessToken(q url.Values, now time.Time, fault Fault) reply {
	app, bad := s.app(q, Website)
	if bad != nil {
		return *bad
	}
	if q.Get("grant_type") != "authorization_code" {
		return fail(40002, "invalid grant_type")
	}
	c, bad := s.redeem(app, q.Get("code"), now)
	if bad != nil {
		return *bad
	}
	exp := now.Add(7200 * time.Second)
	if fault == FaultExpiredToken {
		exp = now.Add(-time.Second)
	}
	at, rt := s.newToken(app.ID, c.scope, c.user, exp)
	f := map[string]any{"access_token": at, "expires_in": 7200, "refresh_token": rt, "openid": OpenID(app.ID, c.user), "scope": c.scope}
	if fault == FaultNoScope {
		delete(f, "scope")
	}
	if c.user.UnionID != "" && (app.Kind == Website || c.scope == "snsapi_userinfo") {
		f["unionid"] = c.user.UnionID
	}
	return reply{fields: f}
}

func (s *Server) refreshToken(q url.Values, now time.Time, _ Fault) reply {
	if q.Get("grant_type") != "refresh_token" {
		return fail(40002, "invalid grant_type")
	}
	s.mu.Lock()
	t, ok := s.refreshes[q.Get("refresh_token")]
	s.mu.Unlock()
	switch {
	case !ok || t.app != q.Get("appid"):
		return fail(40030, "invalid refresh_token")
	case !now.Before(t.expires):
		return fail(42002, "refresh_token expired")
	}
	at, rt := s.newToken(t.app, t.scope, t.user, now.Add(7200*time.Second))
	return reply{fields: map[string]any{"access_token": at, "expires_in": 7200, "refresh_token": rt, "openid": OpenID(t.app, t.user), "scope": t.scope}}
}

func (s *Server) userinfo(q url.Values, now time.Time, _ Fault) reply {
	s.mu.Lock()
	t, ok := s.tokens[q.Get("access_token")]
	s.mu.Unlock()
	switch {
	case q.Get("access_token") == "":
		return fail(41001, "access_token missing")
	case !ok:
		return fail(40001, "invalid credential, access_token is invalid or not latest")
	case !now.Before(t.expires):
		return fail(42001, "access_token expired")
	case t.scope == "snsapi_base":
		return fail(48001, "api unauthorized")
	case q.Get("openid") != OpenID(t.app, t.user):
		return fail(40003, "invalid openid")
	}
	f := map[string]any{"openid": OpenID(t.app, t.user), "nickname": t.user.Nickname, "sex": 0, "province": "", "city": "", "country": "",
		"headimgurl": "https://thirdwx.qlogo.cn/mmopen/g3MonUZtNHkdmzicIlibx6iaFqAc56vxLSUfpb6n5WKSYVY0ChQKkiaJSgQ1dZuTOgvLLrhJbERQQ4eMsv84eavHiaiceqxibJxCfHe/0",
		"privilege":  []string{}}
	if t.user.UnionID != "" {
		f["unionid"] = t.user.UnionID
	}
	return reply{fields: f}
}

func (s *Server) jscode2session(q url.Values, now time.Time, _ Fault) reply {
	app, bad := s.app(q, MiniProgram)
	if bad != nil {
		return *bad
	}
	if q.Get("grant_type") != "authorization_code" {
		return fail(40002, "invalid grant_type")
	}
	c, bad := s.redeem(app, q.Get("js_code"), now)
	if bad != nil {
		return *bad
	}
	// No errcode on success (docs/connectors-alipay-wechat.md#wechat-mini-program).
	f := map[string]any{"session_key": "tiihtNczf5v6AKRyjwEUhQ==", "openid": OpenID(app.ID, c.user)}
	if c.user.UnionID != "" {
		f["unionid"] = c.user.UnionID
	}
	return reply{fields: f}
}

func rid() string {
	b := randomHex(12)
	return b[:8] + "-" + b[8:16] + "-" + b[16:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// URL helpers for configuration.

// OpenURL is the open.weixin.qq.com base.
func (s *Server) OpenURL() string { return s.URL }

// APIURL is the api.weixin.qq.com base.
func (s *Server) APIURL() string { return s.URL }
