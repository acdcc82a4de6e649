package broker_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	bt "github.com/gjjid/gjjid/broker/brokertest"
	"github.com/gjjid/gjjid/broker/store/redistest"
	"github.com/gjjid/gjjid/broker/tracing/tracingtest"
	"github.com/gjjid/gjjid/config"
	"github.com/gjjid/gjjid/connectors/redact/redacttest"
	"github.com/gjjid/gjjid/connectors/sms/aliyuntest"
)

// A relying party's trace context (W3C Trace Context §3.2), sent with one
// request to the broker.
const (
	rpTraceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
	rpParentID = "00f067aa0ba902b7"
)

// TestTracingExportsScrubbedSpans runs an SMS login (against the fake
// Alibaba Cloud endpoint) and a password login on the Redis store, each
// redeemed at the token endpoint by the real RP libraries, with tracing
// exported to an in-process OTLP/HTTP receiver. The broker's shutdown
// flushes the spans; they must hold a server span per route, named by
// route pattern, Redis command spans, the upstream SendSms call without
// its query string, a span per login step, and a server span that is the
// child of a relying party's traceparent, whose trace ID and span ID are
// on that request's log line. No text of any span holds the agent's ID
// number, mobile or password, the SMS code, the authorization codes, the
// tokens or the SMS access key secret.
func TestTracingExportsScrubbedSpans(t *testing.T) {
	t.Parallel()
	rcv := tracingtest.NewReceiver()
	t.Cleanup(rcv.Close)
	sms := aliyuntest.NewServer("LTAI5tTest", "s3cret")
	t.Cleanup(sms.Close)
	sender := "sender:\n  type: aliyun\n  aliyun:\n    endpoint: " + sms.URL + "\n    access_key_id: LTAI5tTest\n" +
		"    access_key_secret: s3cret\n    sign_name: 成都住房公积金\n    template_code: SMS_123456789\n"
	const apiKey = "collector-api-key-7f3e"
	logs := &bt.LogBuffer{}
	addSMS := withSMS(t, sender)
	b := bt.Start(t, bt.Options{Log: logs, LogLevel: "debug", RedisURL: redistest.URL(t), KeyPrefix: redistest.Prefix(t),
		Edit: func(c *config.Config) {
			addSMS(c)
			c.Clients[0].Connectors = []string{"sms", "password"}
			c.Tracing = config.Tracing{Endpoint: rcv.URL, Headers: map[string]string{"X-Api-Key": apiKey}}
			c.ApplyDefaults() // sampling_ratio, service_name
		}})
	rp := bt.NewRP(t, b.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// SMS login.
	br := bt.NewBrowser(t)
	smsFlow := rp.NewFlow()
	if _, err := br.Get(smsFlow.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Get(b.URL + regexpFind(t, br.Page, `href="(/login/sms\?[^"]+)"`)); err != nil {
		t.Fatal(err)
	}
	sendCode(t, b, br, bt.AgentMobile)
	msgs, err := sms.Await(ctx, 1)
	if err != nil {
		t.Fatalf("no text message: %v", err)
	}
	smsCode := msgs[len(msgs)-1].Code()
	loc, err := br.SubmitPassword(b.URL, bt.AgentMobile, smsCode)
	if err != nil {
		t.Fatal(err)
	}
	smsAuthCode, err := rp.Callback(smsFlow, loc)
	if err != nil {
		t.Fatalf("sms login: %v (page %.500s)", err, br.Page)
	}
	smsTok, _, err := rp.Exchange(ctx, smsFlow, smsAuthCode)
	if err != nil {
		t.Fatal(err)
	}

	// Password login, by ID number.
	br2 := bt.NewBrowser(t)
	pwFlow := rp.NewFlow(oauth2.SetAuthURLParam("prompt", "login"))
	if _, err := br2.Get(pwFlow.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := br2.Get(b.URL + regexpFind(t, br2.Page, `href="(/login/password\?[^"]+)"`)); err != nil {
		t.Fatal(err)
	}
	loc, err = br2.SubmitPassword(b.URL, bt.AgentIDNumber, bt.AgentPassword)
	if err != nil {
		t.Fatal(err)
	}
	pwAuthCode, err := rp.Callback(pwFlow, loc)
	if err != nil {
		t.Fatalf("password login: %v (page %.500s)", err, br2.Page)
	}
	pwTok, _, err := rp.Exchange(ctx, pwFlow, pwAuthCode)
	if err != nil {
		t.Fatal(err)
	}

	// A relying party's request carrying its trace context and a bearer
	// token.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.URL+"/userinfo", nil)
	req.Header.Set("Traceparent", "00-"+rpTraceID+"-"+rpParentID+"-01")
	req.Header.Set("Authorization", "Bearer "+pwTok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("userinfo: %s", resp.Status)
	}

	b.Stop() // shuts the tracer provider down: every span is exported
	spans := rcv.Spans()
	if errs := rcv.Errors(); len(errs) > 0 {
		t.Fatalf("invalid exports: %v", errs)
	}
	if len(spans) == 0 {
		t.Fatal("no spans exported")
	}
	for _, h := range rcv.Headers() {
		if h.Get("X-Api-Key") != apiKey {
			t.Errorf("export without tracing.headers: %v", h)
		}
	}

	// A server span per route, named by pattern.
	for _, want := range []string{"GET /authorize", "GET /login", "GET /login/:connector", "POST /login/:connector",
		"POST /oauth/token", "GET /userinfo"} {
		route := want[strings.IndexByte(want, ' ')+1:]
		if s := find(spans, func(s tracingtest.Span) bool {
			return s.GetKind() == tracepb.Span_SPAN_KIND_SERVER && s.GetName() == want && s.Attr("http.route") == route
		}); s == nil {
			t.Errorf("no server span %q with http.route %s; server spans: %v", want, route, names(spans, tracepb.Span_SPAN_KIND_SERVER))
		}
	}
	// Redis commands, without their arguments.
	redisSpan := find(spans, func(s tracingtest.Span) bool {
		return s.GetKind() == tracepb.Span_SPAN_KIND_CLIENT && s.Attr("db.system") == "redis"
	})
	if redisSpan == nil {
		t.Errorf("no Redis command span; client spans: %v", names(spans, tracepb.Span_SPAN_KIND_CLIENT))
	}
	for _, s := range spans {
		if s.Attr("db.statement") != "" {
			t.Errorf("span %s records db.statement %q", s.GetName(), s.Attr("db.statement"))
		}
	}
	// The SendSms call, its URL without the query that carries the mobile
	// and the code.
	upstream := find(spans, func(s tracingtest.Span) bool {
		return s.GetKind() == tracepb.Span_SPAN_KIND_CLIENT && strings.HasPrefix(s.Attr("url.full"), sms.URL)
	})
	switch {
	case upstream == nil:
		t.Errorf("no span of the call to %s; client spans: %v", sms.URL, names(spans, tracepb.Span_SPAN_KIND_CLIENT))
	case strings.ContainsAny(upstream.Attr("url.full"), "?#"):
		t.Errorf("upstream url.full keeps its query: %s", upstream.Attr("url.full"))
	case upstream.Attr("http.response.status_code") != "200":
		t.Errorf("upstream span status code %q", upstream.Attr("http.response.status_code"))
	}
	// A span per login step, with the connector and result.
	for _, want := range []struct{ step, connector string }{{"login.begin", "sms"}, {"login.finish", "sms"}, {"login.finish", "password"}} {
		if s := find(spans, func(s tracingtest.Span) bool {
			return s.GetName() == want.step && s.Attr("gjjid.connector.id") == want.connector && s.Attr("gjjid.login.result") == "success"
		}); s == nil {
			t.Errorf("no successful %s span of connector %s", want.step, want.connector)
		}
	}
	// The relying party's traceparent: the userinfo span is its child.
	userinfo := find(spans, func(s tracingtest.Span) bool {
		return s.GetKind() == tracepb.Span_SPAN_KIND_SERVER && s.GetName() == "GET /userinfo"
	})
	if userinfo == nil {
		t.Fatal("no userinfo span")
	}
	if userinfo.TraceID() != rpTraceID || userinfo.ParentID() != rpParentID {
		t.Errorf("userinfo span in trace %s under %s, want trace %s under %s", userinfo.TraceID(), userinfo.ParentID(), rpTraceID, rpParentID)
	}
	for _, s := range spans {
		if s.GetName() == "GET /authorize" && s.TraceID() == rpTraceID {
			t.Errorf("a request without traceparent joined the relying party's trace")
		}
	}
	// …and its log line carries that trace and span.
	if line := logLine(t, logs, "/userinfo"); line.TraceID != rpTraceID || line.SpanID != userinfo.SpanID() {
		t.Errorf("userinfo log line has trace_id %q span_id %q, want %s %s", line.TraceID, line.SpanID, rpTraceID, userinfo.SpanID())
	}

	// Every request's access log line names its trace.
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l accessLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "http" && (len(l.TraceID) != 32 || len(l.SpanID) != 16) {
			t.Errorf("access log line without trace: %s", sc.Text())
		}
	}

	// Nothing secret or personal in any text of any span.
	var all []string
	for _, s := range spans {
		all = append(all, s.Strings()...)
	}
	texts := strings.Join(all, "\n")
	canaries := []string{bt.AgentIDNumber, bt.AgentMobile, bt.AgentPassword, smsCode, smsAuthCode, pwAuthCode, "s3cret",
		smsTok.AccessToken, pwTok.AccessToken, smsTok.RefreshToken, pwTok.RefreshToken, apiKey}
	if idt, ok := pwTok.Extra("id_token").(string); ok {
		canaries = append(canaries, idt)
	}
	for _, q := range sms.Received() {
		canaries = append(canaries, q.Get("Signature"), q.Get("TemplateParam"))
	}
	redacttest.AssertNoCanary(t, texts, canaries...)
	if strings.Contains(texts, smsFlow.State) || strings.Contains(texts, pwFlow.State) {
		t.Errorf("spans hold the authorization request's state (a query parameter)")
	}
}

// find returns the first span that matches, or nil.
func find(spans []tracingtest.Span, match func(tracingtest.Span) bool) *tracingtest.Span {
	for i := range spans {
		if match(spans[i]) {
			return &spans[i]
		}
	}
	return nil
}

// names lists the names of the spans of kind, for failure messages.
func names(spans []tracingtest.Span, kind tracepb.Span_SpanKind) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range spans {
		if s.GetKind() == kind && !seen[s.GetName()] {
			seen[s.GetName()] = true
			out = append(out, s.GetName())
		}
	}
	return out
}

// accessLine is the access log line of one request.
type accessLine struct {
	Msg     string `json:"msg"`
	Path    string `json:"path"`
	TraceID string `json:"trace_id"`
	SpanID  string `json:"span_id"`
}

// logLine returns the access log line of the request to path.
func logLine(t *testing.T, logs *bt.LogBuffer, path string) accessLine {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l accessLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "http" && l.Path == path {
			return l
		}
	}
	t.Fatalf("no access log line for %s:\n%s", path, logs.String())
	return accessLine{}
}
