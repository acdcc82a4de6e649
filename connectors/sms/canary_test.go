package sms

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gjjid/gjjid/connectors/redact/redacttest"
	"github.com/gjjid/gjjid/connectors/sms/aliyuntest"
)

// codeTap records the codes handed to the real sender.
type codeTap struct {
	next  sender
	mu    sync.Mutex
	codes []string
}

func (s *codeTap) Send(ctx context.Context, mobile, code string) error {
	s.mu.Lock()
	s.codes = append(s.codes, code)
	s.mu.Unlock()
	return s.next.Send(ctx, mobile, code)
}

// TestCanarySMS sends codes through the aliyun sender to the fake
// endpoint when it answers SignatureDoesNotMatch with its string to sign
// (the access key secret one character off), when it fails echoing every
// parameter it received, and when it succeeds; no code, mobile, signature
// or secret may reach the log in any encoding.
func TestCanarySMS(t *testing.T) {
	t.Parallel()
	const secret = "s3cret*~ +/"
	for _, tc := range []struct {
		name    string
		secret  string // the connector's; the server's is secret
		prepare func(*aliyuntest.Server)
		wantLog string
	}{
		{name: "signature does not match", secret: secret[:len(secret)-1] + "0", wantLog: "SignatureDoesNotMatch"},
		{name: "failure echoing the request", secret: secret, prepare: func(s *aliyuntest.Server) { s.FailEchoing("ServiceUnavailable") }, wantLog: "ServiceUnavailable"},
		{name: "success", secret: secret, wantLog: "sms code sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := aliyuntest.NewServer("LTAI5tTest", secret)
			defer srv.Close()
			if tc.prepare != nil {
				tc.prepare(srv)
			}
			f := newFixture(t, "")
			tap := &codeTap{next: newTestAliyun(srv, tc.secret)}
			f.c.sender = tap
			if err := f.send(agentMobile, clientIP); err != nil {
				t.Fatalf("SendCode: %v", err)
			}
			logs := f.log.String()
			if !strings.Contains(logs, tc.wantLog) {
				t.Fatalf("log lacks %q:\n%s", tc.wantLog, logs)
			}
			canaries := append([]string{agentMobile, secret, tc.secret}, tap.codes...)
			if len(tap.codes) == 0 {
				t.Fatal("no code was handed to the sender")
			}
			for _, q := range srv.Received() {
				canaries = append(canaries, q.Get("Signature"), q.Get("TemplateParam"))
			}
			redacttest.AssertNoCanary(t, logs+"\n"+f.st.Dump(), canaries...)
		})
	}
}
