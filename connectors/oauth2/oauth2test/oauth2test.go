// Package oauth2test is a fake of a Guangdong-style unified identity
// authentication platform (广东省统一身份认证平台, the OAuth2-like API in
// docs/connectors-provincial.md#guangdong) for tests and `gjjid dev`, in
// the style of net/http/httptest.
//
//	GET  /tif/sso/connect/page/oauth2/authorize?service=initService&response_type=code&client_id=…&scope=all&redirect_uri=…&state=…
//	GET  /tif/sso/connect/page/oauth2/access_token?client_id=…&client_secret=…&code=…&grant_type=authorization_code&scope=all&redirect_uri=…
//	GET  /tif/sso/connect/page/oauth2/tokeninfo?access_token=…
//
// The token call takes the secret where SecretIn says (query, as the
// platform does, or form or Basic) and refuses it anywhere else; codes
// work once and only with the redirect_uri they were issued for. The user
// answer is {signdata, userobj, pareobj, user_creditable_level}; failures
// carry errcode and errmsg (HTTP 200, as the platform answers).
package oauth2test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
)

// Base is the path prefix of the API.
const Base = "/tif/sso/connect/page/oauth2"

// Account is a platform account. UserType is "1" for a natural person
// (个人) and "2" for a legal person (法人).
type Account struct {
	UID          string
	CN           string // person's name, or the legal person's (unit's) name
	UserType     string
	IDCardType   string // "111": 居民身份证
	IDCardNumber string
	UserIDCode   string // 统一社会信用代码 of a legal person
	Level        string // 可信等级 2–5
	IsReal       string // "1": real-name verified
	Mobile       string
	LinkPerson   string // legal person's contact (经办人) name
}

// Server is a fake platform. Handler serves it; NewServer runs it.
type Server struct {
	URL                    string
	ClientID, ClientSecret string
	srv                    *httptest.Server

	mu        sync.Mutex
	secretIn  string
	accounts  []Account
	current   string
	codes     map[string]code
	tokens    map[string]string // access token → UID
	failInfo  string            // errcode of later tokeninfo answers
	tokenReqs []*http.Request
	echo      map[string]bool // "token", "userinfo": fail quoting the request
	received  []url.Values
}

// FailEchoing makes later answers of call ("token" or "userinfo") fail
// with an errcode and errmsg that quote everything the request carried
// (query, form, Authorization header), as a careless platform might.
// Tests use it to check that nothing the client sent reaches a log.
func (s *Server) FailEchoing(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.echo[call] = true
}

// Received returns what every token and tokeninfo request carried: query
// and form, and the Authorization header under "authorization".
func (s *Server) Received() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.received...)
}

// echoed records r (its form parsed) and, when call is to fail echoing,
// answers and reports true.
func (s *Server) echoed(w http.ResponseWriter, call string, r *http.Request) bool {
	v := url.Values{}
	for k, vs := range r.Form {
		v[k] = vs
	}
	v.Set("authorization", r.Header.Get("Authorization"))
	s.mu.Lock()
	s.received = append(s.received, v)
	echo := s.echo[call]
	s.mu.Unlock()
	if echo {
		text := "request was: " + v.Encode()
		writeJSON(w, map[string]any{"errcode": "40009 " + text, "errmsg": text})
	}
	return echo
}

type code struct{ uid, redirect string }

// New returns a fake for one client; the first account signs in by
// default. The secret is expected in the query.
func New(clientID, clientSecret string, accounts ...Account) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, secretIn: "query", accounts: accounts,
		codes: map[string]code{}, tokens: map[string]string{}, echo: map[string]bool{}}
	if len(accounts) > 0 {
		s.current = accounts[0].UID
	}
	return s
}

// NewServer starts a fake on a loopback port; Close it when done.
func NewServer(clientID, clientSecret string, accounts ...Account) *Server {
	s := New(clientID, clientSecret, accounts...)
	s.srv = httptest.NewServer(s.Handler())
	s.URL = s.srv.URL
	return s
}

// Close stops a server NewServer started.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// SecretIn sets where the token call must carry the client secret:
// query, form or basic.
func (s *Server) SecretIn(where string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secretIn = where
}

// As makes later logins without a choice sign in as account uid.
func (s *Server) As(uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = uid
}

// FailUserInfo makes later tokeninfo answers carry errcode ("" stops it).
func (s *Server) FailUserInfo(errcode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failInfo = errcode
}

// Handler serves the API under Base.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Base+"/authorize", s.authorize)
	mux.HandleFunc(Base+"/access_token", s.token)
	mux.HandleFunc("GET "+Base+"/tokeninfo", s.tokenInfo)
	return mux
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("service") != "initService" || q.Get("scope") != "all" || q.Get("response_type") != "code" || q.Get("client_id") != s.ClientID {
		http.Error(w, "统一身份认证平台：参数错误 (service=initService, scope=all, response_type=code and a known client_id are required)", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	uid := q.Get("as")
	if uid == "" && len(s.accounts) > 1 {
		s.mu.Unlock()
		s.chooser(w, q)
		return
	}
	if uid == "" {
		uid = s.current
	}
	c := random()
	s.codes[c] = code{uid: uid, redirect: q.Get("redirect_uri")}
	s.mu.Unlock()
	bq := back.Query()
	bq.Set("code", c)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) chooser(w http.ResponseWriter, q url.Values) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>统一身份认证平台 (fake)</title><body><h1>模拟广东省统一身份认证平台</h1><ul>`)
	for _, a := range s.accounts {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("as", a.UID)
		kind := "个人"
		if a.UserType == "2" {
			kind = "法人"
		}
		fmt.Fprintf(w, `<li><a href="%s/authorize?%s">%s（%s）</a></li>`, Base, html.EscapeString(qq.Encode()), html.EscapeString(a.CN), kind)
	}
	fmt.Fprint(w, `</ul></body></html>`)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenReqs = append(s.tokenReqs, r)
	where := s.secretIn
	s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		writeJSON(w, map[string]any{"errcode": "40001", "errmsg": "bad request"})
		return
	}
	if s.echoed(w, "token", r) {
		return
	}
	q, f := r.URL.Query(), r.PostForm
	user, pass, basic := r.BasicAuth()
	var id, secret string
	ok := true
	switch where {
	case "query":
		id, secret = q.Get("client_id"), q.Get("client_secret")
		ok = r.Method == http.MethodGet && f.Get("client_secret") == "" && !basic
	case "form":
		id, secret = f.Get("client_id"), f.Get("client_secret")
		ok = r.Method == http.MethodPost && q.Get("client_secret") == "" && !basic
	case "basic":
		id, _ = url.QueryUnescape(user)
		secret, _ = url.QueryUnescape(pass)
		ok = basic && q.Get("client_secret") == "" && f.Get("client_secret") == ""
	}
	if !ok || id != s.ClientID || secret != s.ClientSecret {
		writeJSON(w, map[string]any{"errcode": "40002", "errmsg": "client authentication failed"})
		return
	}
	p := r.Form
	s.mu.Lock()
	c, found := s.codes[p.Get("code")]
	delete(s.codes, p.Get("code"))
	s.mu.Unlock()
	if !found || p.Get("grant_type") != "authorization_code" || p.Get("redirect_uri") != c.redirect || p.Get("scope") != "all" {
		writeJSON(w, map[string]any{"errcode": "40003", "errmsg": "invalid code"})
		return
	}
	at := random()
	s.mu.Lock()
	s.tokens[at] = c.uid
	s.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": at, "expires_in": 7200, "token_type": "bearer"})
}

func (s *Server) tokenInfo(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if s.echoed(w, "userinfo", r) {
		return
	}
	s.mu.Lock()
	uid, ok := s.tokens[r.URL.Query().Get("access_token")]
	fail := s.failInfo
	var acct *Account
	for i := range s.accounts {
		if s.accounts[i].UID == uid {
			acct = &s.accounts[i]
		}
	}
	s.mu.Unlock()
	switch {
	case fail != "":
		writeJSON(w, map[string]any{"errcode": fail, "errmsg": "系统繁忙"})
		return
	case !ok || acct == nil:
		writeJSON(w, map[string]any{"errcode": "40004", "errmsg": "invalid access_token"})
		return
	}
	user := map[string]any{"uid": acct.UID, "cn": acct.CN, "usertype": acct.UserType, "isreal": acct.IsReal,
		"idcardtype": acct.IDCardType, "idcardnumber": acct.IDCardNumber, "useridcode": acct.UserIDCode,
		"telephonenumber": acct.Mobile, "realtype": "YSS", "creditable_level_of_account": "L" + acct.Level,
		"link_person_name": acct.LinkPerson}
	pare := map[string]any{}
	if acct.UserType == "2" {
		pare = map[string]any{"cn": acct.LinkPerson}
	}
	writeJSON(w, map[string]any{"signdata": random(), "userobj": user, "pareobj": pare, "user_creditable_level": acct.Level})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
