package sms

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
)

var errProvider = &AliyunError{Provider: "sms: aliyun SendSms", Code: "isv.AMOUNT_NOT_ENOUGH", Text: "账户余额不足", RequestID: "R1", HTTPStatus: 200}

// reports records failure metrics and audit events.
type reports struct {
	mu     sync.Mutex
	codes  []string
	events []connectors.AuditEvent
}

func (r *reports) SMSSendFailure(connector, code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes = append(r.codes, connector+"/"+code)
}

func (r *reports) Audit(_ context.Context, e connectors.AuditEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

// failProvider sends until the provider counts as failing (3 failed sends
// of 3 requests with the defaults), one minute apart.
func failProvider(t *testing.T, f *fixture) {
	t.Helper()
	f.sent.mu.Lock()
	f.sent.err = errProvider
	f.sent.mu.Unlock()
	for i := range DefaultUnavailableAfter {
		if err := f.send(agentMobile, clientIP); err != nil {
			t.Fatalf("send %d while the provider starts failing: %v", i, err)
		}
		f.st.Advance(time.Minute)
	}
}

// TestProviderFailingAnswersAlike: while the provider fails, a registered,
// an unknown and a disabled mobile get the same sms_unavailable answer
// and nothing is sent or stored for them.
func TestProviderFailingAnswersAlike(t *testing.T) {
	t.Parallel()
	type answer struct{ code, zh, en string }
	run := func(mobile string) (answer, []string) {
		f := newFixture(t, "")
		failProvider(t, f)
		f.st.Ops()
		err := f.send(mobile, clientIP)
		le, ok := connectors.AsLoginError(err)
		if !ok {
			t.Fatalf("%s: SendCode = %v, want a LoginError", mobile, err)
		}
		return answer{le.Code, le.Message["zh-CN"], le.Message["en"]}, f.st.Ops()
	}
	known, knownOps := run(agentMobile)
	want := answer{CodeSMSUnavailable, "短信服务暂时不可用，请稍后再试或选择其他登录方式",
		"Text messages cannot be sent right now. Try again later or choose another way to sign in."}
	if known != want {
		t.Fatalf("registered mobile: %+v, want %+v", known, want)
	}
	for _, m := range []string{unknownMobile, disabledMobile} {
		got, ops := run(m)
		if got != known || len(ops) != len(knownOps) {
			t.Errorf("%s: %+v after %v; registered mobile %+v after %v", m, got, ops, known, knownOps)
		}
	}
}

// TestProviderRecovers: once the failures age out of the windows, codes
// are sent again; a healthy provider's texts arrive.
func TestProviderRecovers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	failProvider(t, f)
	if got := connectorstest.LoginErrorCode(f.send(unknownMobile, clientIP)); got != CodeSMSUnavailable {
		t.Fatalf("while failing: %q, want %s", got, CodeSMSUnavailable)
	}
	f.sent.mu.Lock()
	f.sent.err = nil
	f.sent.mu.Unlock()
	f.st.Advance(2 * DefaultUnavailableWindow)
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if f.lastCode(agentMobile) == "" {
		t.Error("no text sent after recovery")
	}
}

// flakySender fails its first n sends.
type flakySender struct {
	fakeSender
	fails int
}

func (s *flakySender) Send(ctx context.Context, mobile, code string) error {
	s.mu.Lock()
	if s.fails > 0 {
		s.fails--
		s.mu.Unlock()
		return errProvider
	}
	s.mu.Unlock()
	return s.fakeSender.Send(ctx, mobile, code)
}

// TestSingleFailureIsRetried: a failed send is tried once more; one that
// then goes through is no failure, one that fails again is counted,
// reported to the metric and audited.
func TestSingleFailureIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	rep := &reports{}
	f.c.reporter, f.c.auditor = rep, rep
	flaky := &flakySender{fails: 1}
	f.c.sender = flaky
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatal(err)
	}
	if len(flaky.texts()) != 1 || len(rep.codes) != 0 {
		t.Fatalf("after one failure: %d texts, failures reported %v; want the retry delivered", len(flaky.texts()), rep.codes)
	}
	flaky.fails = 2
	f.st.Advance(time.Minute)
	if err := f.send(agentMobile, clientIP); err != nil {
		t.Fatal(err)
	}
	if len(rep.codes) != 1 || rep.codes[0] != "sms/isv.AMOUNT_NOT_ENOUGH" {
		t.Errorf("metric reports %v, want one sms/isv.AMOUNT_NOT_ENOUGH", rep.codes)
	}
	if len(rep.events) != 1 || rep.events[0].Type != connectors.AuditSMSProviderFailure || rep.events[0].PersonID != "p_agent" ||
		rep.events[0].Details["code"] != "isv.AMOUNT_NOT_ENOUGH" || rep.events[0].Details["request_id"] != "R1" {
		t.Errorf("audit events %+v", rep.events)
	}
}

// TestFlowControlIsNoProviderFailure: isv.BUSINESS_LIMIT_CONTROL limits one
// mobile; it is neither retried nor counted.
func TestFlowControlIsNoProviderFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	rep := &reports{}
	f.c.reporter = rep
	f.sent.err = gatewayLimit(errProvider)
	for range DefaultUnavailableAfter + 1 {
		if err := f.send(agentMobile, clientIP); err != nil {
			t.Fatal(err)
		}
		f.st.Advance(time.Minute)
	}
	if len(rep.codes) != 0 {
		t.Errorf("flow control reported as failures: %v", rep.codes)
	}
	if failing, err := f.c.providerFailing(context.Background()); failing || err != nil {
		t.Errorf("providerFailing = %v, %v after flow control only", failing, err)
	}
}

func TestFailureCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errProvider, "isv.AMOUNT_NOT_ENOUGH"},
		{context.DeadlineExceeded, "timeout"},
		{errors.New("connection refused"), "transport"},
	} {
		if got := failureCode(tc.err); got != tc.want {
			t.Errorf("failureCode(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
