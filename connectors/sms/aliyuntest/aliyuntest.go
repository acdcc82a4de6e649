// Package aliyuntest is a fake Alibaba Cloud SMS endpoint for tests, in the
// style of net/http/httptest: NewServer starts it on a loopback port.
//
// It answers the RPC-style SendSms API (version 2017-05-25) as the real
// dysmsapi.aliyuncs.com does for the cases a client must handle: it checks
// the required parameters, recomputes the signature (version 1.0,
// HMAC-SHA1) from the request as received, accepts a Timestamp only within
// 15 minutes of its clock and a SignatureNonce only once, and answers with
// the real error shapes (SignatureDoesNotMatch, SignatureNonceUsed,
// InvalidTimeStamp.Expired, isv.MOBILE_NUMBER_ILLEGAL,
// isv.BUSINESS_LIMIT_CONTROL when told to, …). Accepted messages are
// recorded, so a test can read the code sent to a mobile.
//
// Its signature check is written independently of the connector's signer
// (query escaping plus replacements, as Alibaba's own samples do), so the
// two check each other.
package aliyuntest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Message is one text the server accepted.
type Message struct {
	PhoneNumber   string
	SignName      string
	TemplateCode  string
	TemplateParam map[string]string
	RequestID     string
	BizID         string
}

// Code is the template's ${code} variable: the verification code.
func (m Message) Code() string { return m.TemplateParam["code"] }

// Server is a running fake SendSms endpoint; URL is its endpoint.
type Server struct {
	*httptest.Server
	AccessKeyID string
	secret      string

	mu      sync.Mutex
	now     func() time.Time
	nonces  map[string]bool
	limited map[string]bool
	msgs    []Message
	calls   int
	echo    string        // FailEchoing's code
	queries []url.Values  // every request's parameters, as received
	changed chan struct{} // closed and replaced when a message arrives
}

// NewServer starts a fake endpoint that accepts requests signed with
// accessKeyID and secret. Close it when done.
func NewServer(accessKeyID, secret string) *Server {
	s := &Server{AccessKeyID: accessKeyID, secret: secret, now: time.Now,
		nonces: map[string]bool{}, limited: map[string]bool{}, changed: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetNow replaces the clock Timestamps are checked against.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// LimitControl makes every later send to mobile answer
// isv.BUSINESS_LIMIT_CONTROL, as Alibaba's flow control does.
func (s *Server) LimitControl(mobile string) {
	s.mu.Lock()
	s.limited[mobile] = true
	s.mu.Unlock()
}

// FailEchoing makes every later request fail with code (e.g.
// ServiceUnavailable) and a Message that quotes every parameter received,
// Signature included, as a careless provider might; "" ends it. Tests use
// it to check that nothing the client sent reaches its logs.
func (s *Server) FailEchoing(code string) {
	s.mu.Lock()
	s.echo = code
	s.mu.Unlock()
}

// Received returns the parameters of every request, oldest first.
func (s *Server) Received() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.queries...)
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Calls is the number of requests received, accepted or not.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Await waits until at least n messages were accepted and returns them.
func (s *Server) Await(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		msgs, changed := append([]Message(nil), s.msgs...), s.changed
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return msgs, fmt.Errorf("aliyuntest: %d of %d messages: %w", len(msgs), n, ctx.Err())
		}
	}
}

// Code returns the code of the last message to mobile.
func (s *Server) Code(mobile string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if s.msgs[i].PhoneNumber == mobile {
			return s.msgs[i].Code(), true
		}
	}
	return "", false
}

// StringToSign is the string signature version 1.0 signs: method, the
// encoded "/", and the encoded canonicalised query of params (all but
// Signature, sorted by name, names and values percent-encoded).
func StringToSign(method string, params url.Values) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]string, len(names))
	for i, k := range names {
		pairs[i] = encode(k) + "=" + encode(params.Get(k))
	}
	return method + "&" + encode("/") + "&" + encode(strings.Join(pairs, "&"))
}

// Signature is base64(HMAC-SHA1(secret + "&", stringToSign)).
func Signature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// encode is Alibaba's "special URL encode": form escaping with + as %20,
// * as %2A and ~ left alone.
func encode(s string) string {
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(url.QueryEscape(s))
}

var mobileRe = regexp.MustCompile(`^(\+?86)?1[3-9][0-9]{9}$`)

type answer struct {
	status int
	code   string
	msg    string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	requestID := newID()
	a, msgs := s.check(r, requestID)
	body := map[string]string{"RequestId": requestID, "Code": a.code, "Message": a.msg}
	if a.status != http.StatusOK {
		body["HostId"] = "dysmsapi.aliyuncs.com"
		body["Recommend"] = "https://api.aliyun.com/troubleshoot?q=" + a.code + "&product=Dysmsapi"
	}
	if a.code == "OK" {
		body["BizId"] = msgs[0].BizID
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) check(r *http.Request, requestID string) (answer, []Message) {
	s.mu.Lock()
	s.calls++
	now := s.now()
	s.mu.Unlock()
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return answer{http.StatusMethodNotAllowed, "UnsupportedHTTPMethod", "Specified HTTP method is not supported."}, nil
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil && r.Method == http.MethodPost {
		err = r.ParseForm()
		for k, v := range r.PostForm {
			params[k] = append(params[k], v...)
		}
	}
	if err != nil {
		return answer{http.StatusBadRequest, "InvalidParameter", "The request parameters could not be parsed."}, nil
	}
	s.mu.Lock()
	s.queries = append(s.queries, params)
	echo := s.echo
	s.mu.Unlock()
	if echo != "" {
		raw, _ := json.Marshal(params)
		return answer{http.StatusServiceUnavailable, echo, "The request failed. Received: " + r.URL.RawQuery + " " + string(raw)}, nil
	}
	for k, v := range params {
		if len(v) > 1 {
			return answer{http.StatusBadRequest, "InvalidParameter", "Parameter " + k + " is given more than once."}, nil
		}
	}
	for _, k := range []string{"AccessKeyId", "Action", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version", "Signature"} {
		if params.Get(k) == "" {
			return answer{http.StatusBadRequest, "Missing" + k, k + " is mandatory for this action."}, nil
		}
	}
	switch {
	case params.Get("Version") != "2017-05-25":
		return answer{http.StatusBadRequest, "InvalidVersion", "Specified parameter Version is not valid."}, nil
	case params.Get("Action") != "SendSms":
		return answer{http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}, nil
	case params.Get("SignatureMethod") != "HMAC-SHA1":
		return answer{http.StatusBadRequest, "InvalidSignatureMethod", "Specified signature method is not supported."}, nil
	case params.Get("SignatureVersion") != "1.0":
		return answer{http.StatusBadRequest, "InvalidSignatureVersion", "Specified signature version is not supported."}, nil
	case params.Has("Format") && params.Get("Format") != "JSON" && params.Get("Format") != "XML":
		return answer{http.StatusBadRequest, "InvalidParameter", "Specified parameter Format is not valid."}, nil
	}
	ts, err := time.Parse("2006-01-02T15:04:05Z", params.Get("Timestamp"))
	if err != nil {
		return answer{http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."}, nil
	}
	if d := now.Sub(ts); d > 15*time.Minute || d < -15*time.Minute {
		return answer{http.StatusBadRequest, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}, nil
	}
	if params.Get("AccessKeyId") != s.AccessKeyID {
		return answer{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}, nil
	}
	sts := StringToSign(r.Method, params)
	if !hmac.Equal([]byte(Signature(s.secret, sts)), []byte(params.Get("Signature"))) {
		return answer{http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:" + sts}, nil
	}
	s.mu.Lock()
	used := s.nonces[params.Get("SignatureNonce")]
	s.nonces[params.Get("SignatureNonce")] = true
	s.mu.Unlock()
	if used {
		return answer{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}, nil
	}
	for _, k := range []string{"PhoneNumbers", "SignName", "TemplateCode"} {
		if params.Get(k) == "" {
			return answer{http.StatusBadRequest, "Missing" + k, k + " is mandatory for this action."}, nil
		}
	}
	var msgs []Message
	var tp map[string]string
	if raw := params.Get("TemplateParam"); raw != "" {
		if json.Unmarshal([]byte(raw), &tp) != nil {
			return answer{http.StatusOK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"}, nil
		}
	}
	if tp["code"] == "" {
		return answer{http.StatusOK, "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量"}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range strings.Split(params.Get("PhoneNumbers"), ",") {
		if !mobileRe.MatchString(m) {
			return answer{http.StatusOK, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"}, nil
		}
		if s.limited[m] {
			return answer{http.StatusOK, "isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5"}, nil
		}
		msgs = append(msgs, Message{PhoneNumber: m, SignName: params.Get("SignName"), TemplateCode: params.Get("TemplateCode"),
			TemplateParam: tp, RequestID: requestID, BizID: fmt.Sprintf("%d^0", now.UnixNano())})
	}
	s.msgs = append(s.msgs, msgs...)
	close(s.changed)
	s.changed = make(chan struct{})
	return answer{http.StatusOK, "OK", "OK"}, msgs
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}
