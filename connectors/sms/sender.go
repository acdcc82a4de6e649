package sms

import (
	"context"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/ids"
)

// logSender writes codes to the log instead of sending them: for
// development and tests only. Anyone who can read the logs can then log in
// as anyone, so it must never be used in production; Open warns when it is
// configured.
type logSender struct {
	id  string
	log connectors.Logger
}

func (s logSender) Send(ctx context.Context, mobile, code string) error {
	s.log.InfoContext(ctx, "sms code (log sender, development only)", "connector", s.id, "mobile", ids.MaskMobile(mobile), "code", code)
	return nil
}
