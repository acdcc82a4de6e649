package login

import (
	"context"
	"strconv"
	"time"
)

// ipAttempts counts an attempt of kind ("login", "bind") from ip in the
// current fixed window of length window and returns the window's count.
//
// The window is in the key, not in the key's lifetime: the store's Incr
// renews a key's lifetime on every increment, so a plain "login:ip:<ip>"
// key with a one-minute lifetime never expired while an address kept
// signing in at least once a minute, and an office behind one address
// was refused for good after its 30th login of the morning. A window in
// the key starts from zero at every boundary (at most twice the limit
// within one window's length across a boundary, the usual price of fixed
// windows).
func (l *Login) ipAttempts(ctx context.Context, kind, ip string, window time.Duration) (int64, error) {
	start := l.o.Now().Truncate(window).Unix()
	return l.o.Store.Incr(ctx, kind+":ip:"+ip+":"+strconv.FormatInt(start, 10), window+time.Minute)
}
