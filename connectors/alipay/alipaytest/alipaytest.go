// Package alipaytest is a fake Alipay (the authorization page and the
// OpenAPI gateway) for tests and `gjjid dev`, in the style of
// net/http/httptest: NewServer starts it on a loopback port.
//
// It follows docs/connectors-alipay-wechat.md (#alipay, #test-fakes): the
// authorization page redirects back with auth_code (not code) and state;
// the gateway reads common parameters from the query and the body,
// checks them (app_id, charset, sign_type, version, a Beijing-time
// timestamp within 15 minutes), recomputes the RSA2 request signature with
// its own string-to-sign, in certificate mode also app_cert_sn and
// alipay_root_cert_sn, and answers the way the real gateway does: members
// in Alipay's order with `/` escaped as `\/`, the signature over the raw
// member bytes, grant errors in error_response, gateway errors under the
// method's key (echoing its string-to-sign with &amp;). auth_codes live 3
// minutes and are spent by their first exchange, successful or not.
//
// Faults can be injected per method: a wrong signature, a re-encoded body,
// malformed JSON, a huge body, a slow answer, a redirect to another host,
// an unsigned error, a service outage.
package alipaytest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Paths the fake serves.
const (
	AuthorizePath = "/oauth2/publicAppAuthorize.htm"
	GatewayPath   = "/gateway.do"
)

// CodeTTL is how long an auth_code works (the lower bound in
// docs/connectors-alipay-wechat.md#alipay-authorization-page).
const CodeTTL = 3 * time.Minute

// User is who logs in at the fake's authorization page.
type User struct {
	UserID   string // 2088…; empty for apps on open_id only
	OpenID   string // per app; empty for apps still on user_id
	UnionID  string
	NickName string
	Avatar   string // an https URL: its slashes are escaped in replies
}

// DefaultUser is the user until As is called.
var DefaultUser = User{UserID: "2088102177846880", OpenID: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", NickName: "张三",
	Avatar: "https://tfs.alipayobjects.com/images/partner/T1uIxXXbpXXXXXXXX"}

// Fault is a misbehaviour of the gateway's next reply to a method.
type Fault int

// Faults.
const (
	FaultNone         Fault = iota
	FaultBadSignature       // signed with another key
	FaultReencoded          // the body parsed and re-serialised after signing (escapes and order lost)
	FaultMalformed          // not JSON
	FaultHuge               // 8 MiB of JSON
	FaultSlow               // no answer until the client gives up
	FaultRedirect           // 302 to another host
	FaultUnsigned           // an error reply without sign
	FaultUnavailable        // 20000 isp.unknow-error
	FaultEcho               // 40004 whose sub_msg quotes every parameter received, sign included
)

// Options configure a fake.
type Options struct {
	AppID string
	// AppKey verifies requests in public-key mode. In certificate mode
	// (CertMode) the fake issues the app certificate for it (AppCertPEM).
	AppKey   *rsa.PublicKey
	CertMode bool
	// RedirectPrefix, when set, is the only allowed start of redirect_uri
	// (the registered 授权回调地址); others get an error page.
	RedirectPrefix string
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	AppID     string
	AlipayKey *rsa.PrivateKey // signs replies
	opts      Options
	pki       *pki
	appCert   []byte
	appCertSN string

	mu       sync.Mutex
	now      func() time.Time
	user     User
	codes    map[string]grant
	tokens   map[string]grant
	faults   map[string]Fault
	calls    map[string]int
	received []url.Values
	release  context.CancelFunc // ends every request's context: slow handlers return
	redirect string
}

type grant struct {
	user    User
	scope   string
	expires time.Time
}

// NewServer starts a fake; close it when done.
func NewServer(o Options) *Server {
	s := &Server{AppID: o.AppID, AlipayKey: GenerateKey(), opts: o, now: time.Now, user: DefaultUser,
		codes: map[string]grant{}, tokens: map[string]grant{}, faults: map[string]Fault{}, calls: map[string]int{}}
	if o.CertMode {
		s.pki = newPKI(s.AlipayKey)
		c, p := s.pki.issue(o.AppID, o.AppKey)
		s.appCert, s.appCertSN = p, certSN(c)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(AuthorizePath, s.authorize)
	mux.HandleFunc(GatewayPath, s.gateway)
	// Requests' contexts derive from one that Close cancels, so a
	// handler that stalls returns when the server closes.
	base, release := context.WithCancel(context.Background())
	s.release = release
	s.Server = httptest.NewUnstartedServer(mux)
	s.Server.Config.BaseContext = func(net.Listener) context.Context { return base }
	s.Server.Start()
	s.redirect = "http://other.example/"
	return s
}

// Close releases slow handlers, then stops the server.
func (s *Server) Close() {
	s.release()
	s.Server.Close()
}

// AuthorizeURL and GatewayURL are the endpoints to configure.
func (s *Server) AuthorizeURL() string { return s.URL + AuthorizePath }

// GatewayURL is the gateway endpoint.
func (s *Server) GatewayURL() string { return s.URL + GatewayPath }

// AlipayPublicKeyPEM is the key replies verify with (public-key mode).
func (s *Server) AlipayPublicKeyPEM() string { return PublicKeyPEM(&s.AlipayKey.PublicKey) }

// AppCertPEM, AlipayCertPEM and RootCertPEM are the three files of
// certificate mode.
func (s *Server) AppCertPEM() string { return string(s.appCert) }

// AlipayCertPEM is alipayCertPublicKey_RSA2.crt.
func (s *Server) AlipayCertPEM() string { return string(s.pki.alipayCert) }

// RootCertPEM is alipayRootCert.crt (with an SM2 root Go cannot parse).
func (s *Server) RootCertPEM() string { return string(s.pki.bundle) }

// As makes the next authorizations log in as u.
func (s *Server) As(u User) {
	s.mu.Lock()
	s.user = u
	s.mu.Unlock()
}

// SetNow replaces the clock (code expiry, timestamp checks).
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// Fail makes the next reply to method misbehave.
func (s *Server) Fail(method string, f Fault) {
	s.mu.Lock()
	s.faults[method] = f
	s.mu.Unlock()
}

// RedirectTo sets where FaultRedirect sends the client.
func (s *Server) RedirectTo(u string) {
	s.mu.Lock()
	s.redirect = u
	s.mu.Unlock()
}

// Received returns the parameters (query and body) of every gateway
// request, oldest first.
func (s *Server) Received() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.received...)
}

// Calls is how many gateway requests named method.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// IssueCode makes an auth_code for the current user as the authorization
// page would (for tests that drive the callback themselves).
func (s *Server) IssueCode(scope string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := random()
	s.codes[code] = grant{user: s.user, scope: scope, expires: s.now().Add(CodeTTL)}
	return code
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fail := func(msg string) {
		// The real page shows an error and never redirects.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<!doctype html><title>支付宝</title><p>%s</p>", html.EscapeString(msg))
	}
	if q.Get("app_id") != s.AppID {
		fail("应用不存在 (app_id)")
		return
	}
	for _, sc := range strings.Split(q.Get("scope"), ",") {
		if sc != "auth_base" && sc != "auth_user" {
			fail("scope 参数错误")
			return
		}
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" || (s.opts.RedirectPrefix != "" && !strings.HasPrefix(back.String(), s.opts.RedirectPrefix)) {
		fail("redirect_uri 与应用授权回调地址不一致")
		return
	}
	scope := q.Get("scope")
	code := s.IssueCode(scope)
	v := back.Query()
	v.Set("app_id", s.AppID)
	v.Set("source", "alipay_wallet")
	v.Set("scope", scope)
	v.Set("auth_code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// StringToSign is the gateway's own rendering of the request signature
// input: all parameters but sign, empty ones dropped, sorted, raw values.
func StringToSign(params url.Values) string {
	var keys []string
	for k := range params {
		if k == "sign" || params.Get(k) == "" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + params.Get(k)
	}
	return strings.Join(parts, "&")
}

// field is one member of an ordered JSON object.
type field struct {
	k string
	v any
}

func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil && r.Method == http.MethodPost {
		err = r.ParseForm()
		for k, v := range r.PostForm {
			params[k] = append(params[k], v...)
		}
	}
	method := params.Get("method")
	member := strings.ReplaceAll(method, ".", "_") + "_response"
	if method == "" {
		member = "error_response"
	}
	s.mu.Lock()
	s.calls[method]++
	s.received = append(s.received, params)
	fault := s.faults[method]
	delete(s.faults, method)
	now := s.now()
	redirect := s.redirect
	s.mu.Unlock()

	switch fault {
	case FaultSlow: // until the client gives up or Close
		<-r.Context().Done()
		return
	case FaultRedirect:
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write([]byte(`{"` + member + `":{"code":"10000","msg":"Succ`))
		return
	case FaultHuge:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write([]byte(`{"` + member + `":{"pad":"`))
		_, _ = w.Write(bytes.Repeat([]byte("x"), 8<<20))
		_, _ = w.Write([]byte(`"},"sign":"x"}`))
		return
	case FaultUnavailable:
		s.reply(w, member, fault, errorFields("20000", "Service Currently Unavailable", "isp.unknow-error", "系统繁忙"))
		return
	case FaultEcho:
		raw, _ := json.Marshal(params)
		s.reply(w, member, fault, errorFields("40004", "Business Failed", "isv.echo", "收到的请求: "+r.URL.RawQuery+" "+string(raw)))
		return
	}
	if err != nil {
		s.reply(w, member, fault, errorFields("40002", "Invalid Arguments", "isv.invalid-parameter", "参数无效"))
		return
	}
	for k, v := range params {
		if len(v) > 1 {
			s.reply(w, member, fault, errorFields("40002", "Invalid Arguments", "isv.invalid-parameter", "参数 "+k+" 重复"))
			return
		}
	}
	for _, k := range []string{"method", "app_id", "sign_type", "sign", "timestamp", "version", "charset"} {
		if params.Get(k) == "" {
			s.reply(w, member, fault, errorFields("40001", "Missing Required Arguments", "isv.missing-"+strings.ReplaceAll(k, "_", "-"), "缺少参数 "+k))
			return
		}
	}
	check := func(ok bool, sub, msg string) bool {
		if !ok {
			s.reply(w, member, fault, errorFields("40002", "Invalid Arguments", sub, msg))
		}
		return !ok
	}
	ts, terr := time.ParseInLocation("2006-01-02 15:04:05", params.Get("timestamp"), time.FixedZone("CST", 8*3600))
	if check(params.Get("app_id") == s.AppID, "isv.invalid-app-id", "无效的AppID参数") ||
		check(params.Get("charset") == "utf-8" || params.Get("charset") == "UTF-8", "isv.invalid-charset", "字符集错误") ||
		check(params.Get("format") == "" || params.Get("format") == "JSON", "isv.invalid-format", "无效的数据格式") ||
		check(params.Get("version") == "1.0", "isv.invalid-parameter", "版本号错误") ||
		check(params.Get("sign_type") == "RSA2", "isv.invalid-signature-type", "无效的签名类型") ||
		check(terr == nil && now.Sub(ts).Abs() <= 15*time.Minute, "isv.invalid-timestamp", "非法的时间戳参数") ||
		check(method == "alipay.system.oauth.token" || method == "alipay.user.info.share", "isv.invalid-method", "不存在的方法名") {
		return
	}
	var pub *rsa.PublicKey = s.opts.AppKey
	if s.opts.CertMode {
		if check(params.Get("app_cert_sn") == s.appCertSN, "isv.app-cert-sn-invalid", "应用公钥证书序列号不匹配") ||
			check(params.Get("alipay_root_cert_sn") == s.pki.rootSN, "isv.alipay-root-cert-sn-invalid", "支付宝根证书序列号不匹配") {
			return
		}
	}
	sts := StringToSign(params)
	sig, _ := base64.StdEncoding.DecodeString(params.Get("sign"))
	h := sha256.Sum256([]byte(sts))
	if check(rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) == nil, "isv.invalid-signature",
		"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："+strings.ReplaceAll(sts, "&", "&amp;")) {
		return
	}
	switch method {
	case "alipay.system.oauth.token":
		s.token(w, params, fault, now)
	case "alipay.user.info.share":
		s.userInfo(w, params, fault, now)
	}
}

func errorFields(code, msg, sub, subMsg string) []field {
	return []field{{"code", code}, {"msg", msg}, {"sub_code", sub}, {"sub_msg", subMsg}}
}

func (s *Server) token(w http.ResponseWriter, p url.Values, fault Fault, now time.Time) {
	const member = "alipay_system_oauth_token_response"
	grantErr := func(sub, msg string) {
		s.reply(w, "error_response", fault, errorFields("40002", "Invalid Arguments", sub, msg))
	}
	if p.Get("grant_type") != "authorization_code" {
		grantErr("isv.grant-type-invalid", "grant_type参数不正确")
		return
	}
	code := p.Get("code")
	s.mu.Lock()
	g, ok := s.codes[code]
	delete(s.codes, code) // spent by the first exchange, successful or not
	s.mu.Unlock()
	if !ok || !now.Before(g.expires) {
		grantErr("isv.code-invalid", "授权码code无效")
		return
	}
	tok := "authusrB" + random()
	s.mu.Lock()
	s.tokens[tok] = grant{user: g.user, scope: g.scope, expires: now.Add(1296000 * time.Second)}
	s.mu.Unlock()
	f := []field{{"access_token", tok}, {"auth_start", now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")}, {"expires_in", 1296000}}
	if g.user.OpenID != "" {
		f = append(f, field{"open_id", g.user.OpenID})
	}
	f = append(f, field{"re_expires_in", 2592000}, field{"refresh_token", "authusrB" + random()})
	if g.user.UnionID != "" {
		f = append(f, field{"union_id", g.user.UnionID})
	}
	if g.user.UserID != "" {
		f = append(f, field{"user_id", g.user.UserID})
	}
	s.reply(w, member, fault, f)
}

func (s *Server) userInfo(w http.ResponseWriter, p url.Values, fault Fault, now time.Time) {
	const member = "alipay_user_info_share_response"
	s.mu.Lock()
	g, ok := s.tokens[p.Get("auth_token")]
	s.mu.Unlock()
	if !ok || !now.Before(g.expires) || !strings.Contains(g.scope, "auth_user") {
		s.reply(w, member, fault, errorFields("20001", "Insufficient Token Permissions", "aop.invalid-auth-token", "无效的访问令牌"))
		return
	}
	f := []field{{"code", "10000"}, {"msg", "Success"}}
	if g.user.Avatar != "" {
		f = append(f, field{"avatar", g.user.Avatar})
	}
	f = append(f, field{"city", "成都市"}, field{"gender", "M"}, field{"is_certified", "T"}, field{"is_student_certified", "F"},
		field{"nick_name", g.user.NickName})
	if g.user.OpenID != "" {
		f = append(f, field{"open_id", g.user.OpenID})
	}
	f = append(f, field{"province", "四川省"})
	if g.user.UserID != "" {
		f = append(f, field{"user_id", g.user.UserID})
	}
	f = append(f, field{"user_status", "T"}, field{"user_type", "2"})
	s.reply(w, member, fault, f)
}

// encode writes an ordered object as Alipay does: no HTML escaping, `/`
// escaped as `\/`.
func encode(fields []field) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(marshal(f.k))
		b.WriteByte(':')
		b.Write(marshal(f.v))
	}
	b.WriteByte('}')
	// Outside strings JSON has no '/', so this escapes exactly the
	// slashes inside strings.
	return bytes.ReplaceAll(b.Bytes(), []byte("/"), []byte(`\/`))
}

func marshal(v any) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// reply signs member's content over its exact bytes and writes the body.
func (s *Server) reply(w http.ResponseWriter, member string, fault Fault, fields []field) {
	content := encode(fields)
	key := s.AlipayKey
	if fault == FaultBadSignature {
		key = otherKey()
	}
	h := sha256.Sum256(content)
	sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	var b bytes.Buffer
	b.WriteString(`{"`)
	b.WriteString(member)
	b.WriteString(`":`)
	b.Write(content)
	if s.pki != nil {
		b.WriteString(`,"alipay_cert_sn":"` + s.pki.alipaySN + `"`)
	}
	if fault != FaultUnsigned {
		b.WriteString(`,"sign":"` + base64.StdEncoding.EncodeToString(sig) + `"`)
	}
	b.WriteByte('}')
	body := b.Bytes()
	if fault == FaultReencoded {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		body, _ = json.Marshal(m)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(body)
}

var (
	otherOnce sync.Once
	other     *rsa.PrivateKey
)

func otherKey() *rsa.PrivateKey {
	otherOnce.Do(func() { other = GenerateKey() })
	return other
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
