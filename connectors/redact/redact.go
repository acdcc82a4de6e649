// Package redact turns what an upstream said about a failed request into
// text that may be logged, audited and put on a trace.
//
// Providers quote requests back in their error text: Alibaba Cloud's
// SignatureDoesNotMatch quotes the whole string it signed (the SMS code in
// TemplateParam included), OAuth servers echo a code or a redirect in
// error_description, CAS quotes the ticket. A connector therefore records
// every secret or personal value it puts into a request in a Sent, and
// builds the error it returns with Sent.Error: the provider's code, HTTP
// status and request ID are kept, and free text only after every recorded
// value is removed in each encoding a request or its echo really uses.
//
// This package imports nothing of the broker: connectors and the broker
// use it alike.
package redact

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Placeholder replaces a recorded value in free text.
const Placeholder = "[redacted]"

// maxText bounds the free text an error keeps.
const maxText = 2048

// Sent collects the values a connector put into one upstream request:
// codes, template parameters, tokens, secrets, signatures, mobiles and ID
// numbers. The zero value is ready to use; it is safe for concurrent use.
type Sent struct {
	mu     sync.Mutex
	values []value
	re     *regexp.Regexp // built lazily from values
}

type value struct{ raw, shown string }

// Add records values sent in the request; free text shows each as
// Placeholder. Empty values are ignored.
func (s *Sent) Add(values ...string) {
	for _, v := range values {
		s.AddAs(v, Placeholder)
	}
}

// AddAs records a value that free text shows as shown, e.g. a mobile as
// its masked form, so that a support ticket still says which one.
func (s *Sent) AddAs(v, shown string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	s.values = append(s.values, value{v, shown})
	s.re = nil
	s.mu.Unlock()
}

// Text is text with every recorded value removed in every encoding
// Encodings lists, control characters replaced by spaces, and cut to a
// bounded length.
func (s *Sent) Text(text string) string {
	if s != nil {
		text = s.scrub(text)
	}
	return clean(text)
}

func (s *Sent) scrub(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.values) == 0 {
		return text
	}
	if s.re == nil {
		// Longest forms first, so a value inside a longer one's encoding
		// does not leave the rest behind.
		type form struct{ text, shown string }
		var forms []form
		for _, v := range s.values {
			for _, f := range Encodings(v.raw) {
				forms = append(forms, form{f, v.shown})
			}
		}
		slices.SortStableFunc(forms, func(a, b form) int { return len(b.text) - len(a.text) })
		alts := make([]string, len(forms))
		for i, f := range forms {
			alts[i] = regexp.QuoteMeta(f.text)
		}
		// Percent-encodings differ in the case of their hex digits between
		// providers: match without regard to case.
		s.re = regexp.MustCompile("(?i)" + strings.Join(alts, "|"))
	}
	return s.re.ReplaceAllStringFunc(text, func(m string) string {
		for _, v := range s.values {
			for _, f := range Encodings(v.raw) {
				if strings.EqualFold(f, m) {
					return v.shown
				}
			}
		}
		return Placeholder
	})
}

// clean replaces control characters (a forged log line) and bounds the
// length.
func clean(text string) string {
	text = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, text)
	if len(text) > maxText {
		cut := maxText
		for cut > 0 && !utf8RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Error builds the error a connector returns for an upstream's refusal:
// code, request ID and text are kept only after Text removed every
// recorded value (a provider may put anything in any field).
func (s *Sent) Error(provider, code string, httpStatus int, requestID, text string) *UpstreamError {
	return &UpstreamError{Provider: provider, Code: s.Text(code), HTTPStatus: httpStatus, RequestID: s.Text(requestID), Text: s.Text(text)}
}

// Wrap returns err with its text redacted as Text does; errors.Is and
// errors.As still see err (a timeout stays a timeout). Use it for
// transport errors, whose text may quote the request URL.
func (s *Sent) Wrap(err error) error {
	if err == nil {
		return nil
	}
	return &wrapped{text: s.Text(err.Error()), err: err}
}

type wrapped struct {
	text string
	err  error
}

func (w *wrapped) Error() string { return w.text }
func (w *wrapped) Unwrap() error { return w.err }

// UpstreamError is an upstream's refusal, safe to log: Text was redacted
// when the error was built (Sent.Error), the other fields are the
// provider's codes.
type UpstreamError struct {
	Provider   string // e.g. "aliyun SendSms", "alipay", "wechat", "oidc token"
	Code       string // the provider's error code, e.g. SignatureDoesNotMatch, invalid_grant
	HTTPStatus int    // 0 when not known
	RequestID  string // the provider's request ID, for a support ticket
	Text       string // the provider's text, redacted
}

func (e *UpstreamError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Provider, e.Code)
	if e.Text != "" {
		fmt.Fprintf(&b, ": %s", e.Text)
	}
	switch {
	case e.HTTPStatus != 0 && e.RequestID != "":
		fmt.Fprintf(&b, " (HTTP %d, RequestId %s)", e.HTTPStatus, e.RequestID)
	case e.HTTPStatus != 0:
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	case e.RequestID != "":
		fmt.Fprintf(&b, " (RequestId %s)", e.RequestID)
	}
	return b.String()
}

// Text is text with control characters replaced and its length bounded,
// for upstream text that quotes nothing the broker sent (a URL read from
// a certificate).
func Text(text string) string { return clean(text) }
