package login

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/ops"
)

// Logout tells relying parties that sessions ended (logout.Service).
type Logout interface {
	// EndSession queues back-channel logouts for the clients of session
	// sessionID, which ended without a browser (an upstream's single
	// logout); reason says why.
	EndSession(ctx context.Context, sessionID, reason string) ([]string, error)
	// FrontChannel returns the front-channel logout URLs to frame and
	// where to go next for the logout that state names.
	FrontChannel(ctx context.Context, state string) (frames []string, next string, ok bool)
}

// reasonUpstreamLogout is the reason of logouts an upstream's single
// logout caused (logout.ReasonUpstreamLogout).
const reasonUpstreamLogout = "upstream_logout"

// frontChannel adds the front-channel frames of the logout named by the
// fc parameter to the logged-out page's data, and their origins, and only
// theirs, to the page's CSP frame-src.
func (l *Login) frontChannel(c echo.Context, data map[string]any) {
	if l.o.Logout == nil {
		return
	}
	frames, next, ok := l.o.Logout.FrontChannel(c.Request().Context(), c.QueryParam("fc"))
	if !ok {
		return
	}
	ops.AllowFrames(c.Response().Header(), frames...)
	data["Frames"], data["Next"] = frames, next
}

// upstreamEnded tells relying parties of a session an upstream ended.
func (l *Login) upstreamEnded(ctx context.Context, sessionID string) {
	if l.o.Logout == nil {
		return
	}
	if _, err := l.o.Logout.EndSession(ctx, sessionID, reasonUpstreamLogout); err != nil {
		l.log.ErrorContext(ctx, "logout of relying parties after an upstream logout", "err", err)
	}
}
