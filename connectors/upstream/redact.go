package upstream

import (
	"errors"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/redact"
)

// RedactError returns err with every value recorded in sent removed from
// its text (package redact): a *connectors.LoginError keeps its code and
// user's text and gets a redacted cause, which the connector and the
// broker log; any other error is wrapped whole. errors.Is and errors.As
// still see the original chain.
//
// The upstream connectors call it once, where HandleCallback returns, with
// sent holding what the login sent upstream: the client secret, the code
// or ticket, the PKCE verifier and the tokens received.
func RedactError(err error, sent *redact.Sent) error {
	if err == nil {
		return nil
	}
	var le *connectors.LoginError
	if errors.As(err, &le) && err == error(le) {
		cp := *le
		cp.Err = sent.Wrap(le.Err)
		return &cp
	}
	return sent.Wrap(err)
}
