package logout

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/gjjid/gjjid/broker/secrets"
	"github.com/gjjid/gjjid/broker/store"
)

// frontChannelTTL is how long the logged-out page can show a logout's
// frames (the browser normally loads it at once).
const frontChannelTTL = 10 * time.Minute

func frontChannelKey(state string) string { return "frontchannel:" + secrets.Hash(state) }

// frontChannel is what the logged-out page renders for one logout.
type frontChannel struct {
	Frames []string `json:"f"`
	Next   string   `json:"n,omitempty"` // where the browser goes afterwards
}

// frontChannelURL is the client's front-channel logout URI, with iss and
// sid when it asked for them (Front-Channel Logout 1.0 §2).
func frontChannelURL(c *store.Client, issuer, sid string) string {
	if !c.FrontchannelLogoutSessionRequired {
		return c.FrontchannelLogoutURI
	}
	u, err := url.Parse(c.FrontchannelLogoutURI)
	if err != nil {
		return c.FrontchannelLogoutURI // validated at registration; not reached
	}
	q := u.Query()
	q.Set("iss", issuer)
	q.Set("sid", sid)
	u.RawQuery = q.Encode()
	return u.String()
}

// BrowserLogout ends SSO session sessionID at end_session, where the
// browser is present: back-channel clients are queued, and when the
// session had front-channel clients the answer is the logged-out page,
// which frames them and then sends the browser on to next; otherwise next
// itself. A store failure is logged and the browser goes to next: the
// user's logout must not fail on it.
func (s *Service) BrowserLogout(ctx context.Context, sessionID, next string) string {
	frames, err := s.EndSession(ctx, sessionID, ReasonEndSession)
	if err != nil {
		s.log.ErrorContext(ctx, "logout of relying parties", "err", err)
	}
	if len(frames) == 0 {
		return next
	}
	if next == s.o.LoggedOutURL {
		next = ""
	}
	state := secrets.Random(32)
	rec, _ := json.Marshal(frontChannel{Frames: frames, Next: next})
	if err := s.o.Store.SetValue(ctx, frontChannelKey(state), rec, frontChannelTTL); err != nil {
		s.log.ErrorContext(ctx, "front-channel logout", "err", err)
		return next
	}
	return s.o.LoggedOutURL + "?fc=" + url.QueryEscape(state)
}

// FrontChannel returns the frames and the next stop of the logout that
// state names; ok is false for an unknown or expired state.
func (s *Service) FrontChannel(ctx context.Context, state string) (frames []string, next string, ok bool) {
	if state == "" {
		return nil, "", false
	}
	raw, err := s.o.Store.GetValue(ctx, frontChannelKey(state))
	if err != nil {
		return nil, "", false
	}
	var fc frontChannel
	if json.Unmarshal(raw, &fc) != nil {
		return nil, "", false
	}
	return fc.Frames, fc.Next, true
}

// Origins are the distinct origins of urls (scheme://host[:port]), for a
// CSP frame-src that allows exactly the frames of one page.
func Origins(urls []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " ;,'") {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}
