package login

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/connectors"
)

// Server-Sent Events for the QR page. A page waits up to the session's
// lifetime (two minutes by default) and a fund's peak has tens of
// thousands waiting at once, so a waiting stream holds no goroutine: the
// handler hijacks the connection, writes the first event and hands the
// connection to qrStreams; a wake-up from the store (a state change on any
// instance), a timer (expiry, keep-alive) or Close then runs a short
// refresh that reads the status and writes what changed. A stream costs a
// socket, a small struct, a timer and a watch entry.
//
// Where the connection cannot be hijacked (HTTP/2), the handler streams
// itself until the state changes or the poll timeout passes, and the
// browser's EventSource reconnects (retry below).

// sseRetry is the reconnection delay the stream asks of EventSource.
const sseRetry = 2 * time.Second

// sseWriteTimeout bounds one write to a stream.
const sseWriteTimeout = 10 * time.Second

// qrStreams is the login's set of hijacked event streams. The zero value
// is ready.
type qrStreams struct {
	mu     sync.Mutex
	set    map[*qrStream]struct{}
	closed bool
}

// qrStream is one browser's event stream of one QR session.
type qrStream struct {
	hub        *qrStreams
	cd         connectors.CrossDevice
	id, secret string
	every      time.Duration // re-read and keep-alive interval
	log        func(msg string, args ...any)

	stop    func() // the watch
	pending atomic.Bool
	started atomic.Bool

	mu     sync.Mutex // serialises refreshes, writes and close
	conn   net.Conn
	last   connectors.CrossDeviceStatus
	timer  *time.Timer
	closed bool
}

// CloseStreams ends every hijacked event stream (at shutdown: Shutdown
// does not know them). Pages fall back to long polls, which find the next
// instance.
func (l *Login) CloseStreams() {
	h := &l.streams
	h.mu.Lock()
	h.closed = true
	all := make([]*qrStream, 0, len(h.set))
	for s := range h.set {
		all = append(all, s)
	}
	h.mu.Unlock()
	for _, s := range all {
		s.mu.Lock()
		s.closeLocked()
		s.mu.Unlock()
	}
}

// WaitingStreams is how many event streams wait right now.
func (l *Login) WaitingStreams() int {
	l.streams.mu.Lock()
	defer l.streams.mu.Unlock()
	return len(l.streams.set)
}

func (h *qrStreams) add(s *qrStream) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if h.set == nil {
		h.set = map[*qrStream]struct{}{}
	}
	h.set[s] = struct{}{}
	return true
}

func (h *qrStreams) remove(s *qrStream) {
	h.mu.Lock()
	delete(h.set, s)
	h.mu.Unlock()
}

// qrEvents serves /login/<connector>/qr/<id>/events.
func (l *Login) qrEvents(c echo.Context) error {
	cd, id, secret, ok := l.qrTarget(c)
	if !ok {
		return nil
	}
	s := &qrStream{hub: &l.streams, cd: cd, id: id, secret: secret, every: cd.PollTimeout(), log: l.log.Warn}
	// Watch before the first read: no change can fall between the two.
	s.stop = cd.Watch(id, s.kick)
	st, err := cd.Status(c.Request().Context(), id, secret, true)
	if err != nil {
		s.stop()
		return l.qrStatusError(c, err)
	}
	conn, _, err := c.Response().Hijack()
	if err != nil {
		s.stop()
		return l.qrEventsInHandler(c, s, st)
	}
	if !s.begin(conn, st) {
		return nil
	}
	if s.pending.Load() {
		go s.refresh(false)
	}
	return nil
}

// begin writes the response head and the first event on the hijacked
// connection and, unless the state is final, hands the stream to the hub.
func (s *qrStream) begin(conn net.Conn, st connectors.CrossDeviceStatus) bool {
	_ = conn.SetDeadline(time.Time{}) // the server's read and write deadlines no longer apply
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn = conn
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n" +
		"X-Content-Type-Options: nosniff\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n" +
		"retry: " + strconv.Itoa(int(sseRetry/time.Millisecond)) + "\n\n"
	if !s.writeLocked([]byte(head)) || !s.sendLocked(st) {
		s.closeLocked()
		return false
	}
	if st.Final() || !s.hub.add(s) {
		s.closeLocked()
		return false
	}
	s.started.Store(true)
	s.armLocked()
	return true
}

// kick is the watch's wake-up: queue one refresh (never blocks).
func (s *qrStream) kick() {
	if s.pending.Swap(true) {
		return // one is queued already
	}
	if s.started.Load() {
		go s.refresh(false)
	}
}

// refresh reads the status and writes it if it changed; on the timer it
// writes a keep-alive otherwise, which also finds browsers that left.
func (s *qrStream) refresh(tick bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.pending.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := s.cd.Status(ctx, s.id, s.secret, false)
	if err != nil {
		if _, ok := connectors.AsLoginError(err); ok { // gone: it expired long ago
			s.sendLocked(connectors.CrossDeviceStatus{State: connectors.CrossDeviceExpired})
			s.closeLocked()
			return
		}
		s.log("qr event stream: read status", "err", err) // the store is away: try again on the timer
		if tick && !s.writeLocked([]byte(": retry\n\n")) {
			s.closeLocked()
			return
		}
		s.armLocked()
		return
	}
	switch {
	case st.State != s.last.State || st.Name != s.last.Name:
		if !s.sendLocked(st) {
			s.closeLocked()
			return
		}
	case tick:
		if !s.writeLocked([]byte(": keep-alive\n\n")) {
			s.closeLocked()
			return
		}
	}
	if st.Final() {
		s.closeLocked()
		return
	}
	if tick {
		s.armLocked()
	}
}

// armLocked sets the timer to the next keep-alive or the expiry, whichever
// comes first.
func (s *qrStream) armLocked() {
	d := s.every
	if left := time.Until(s.last.ExpiresAt) + 50*time.Millisecond; !s.last.ExpiresAt.IsZero() && left < d {
		d = max(left, 10*time.Millisecond)
	}
	if s.timer == nil {
		s.timer = time.AfterFunc(d, func() { s.refresh(true) })
		return
	}
	s.timer.Reset(d)
}

func (s *qrStream) sendLocked(st connectors.CrossDeviceStatus) bool {
	b, _ := json.Marshal(toQRStatus(st, time.Now()))
	if !s.writeLocked(append(append([]byte("event: status\ndata: "), b...), '\n', '\n')) {
		return false
	}
	s.last = st
	return true
}

func (s *qrStream) writeLocked(b []byte) bool {
	if s.conn == nil {
		return false
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	_, err := s.conn.Write(b)
	return err == nil
}

func (s *qrStream) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	s.stop()
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.conn != nil {
		_ = s.conn.Close()
	}
	s.hub.remove(s)
}

// qrEventsInHandler streams from the handler where hijacking is not
// possible: events until the state changes to a final one or the poll
// timeout passes, then the browser reconnects.
func (l *Login) qrEventsInHandler(c echo.Context, s *qrStream, st connectors.CrossDeviceStatus) error {
	ctx := c.Request().Context()
	woken := make(chan struct{}, 1)
	stop := s.cd.Watch(s.id, func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	})
	defer stop()
	w := c.Response()
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.every + sseWriteTimeout))
	send := func(st connectors.CrossDeviceStatus) bool {
		b, _ := json.Marshal(toQRStatus(st, time.Now()))
		if _, err := w.Write(append(append([]byte("event: status\ndata: "), b...), '\n', '\n')); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if _, err := w.Write([]byte("retry: " + strconv.Itoa(int(sseRetry/time.Millisecond)) + "\n\n")); err != nil || !send(st) {
		return nil
	}
	timer := time.NewTimer(min(s.every, time.Until(st.ExpiresAt)+50*time.Millisecond))
	defer timer.Stop()
	last := st
	for !last.Final() {
		select {
		case <-woken:
		case <-timer.C:
			return nil // the browser reconnects and counts a poll
		case <-ctx.Done():
			return nil
		}
		st, err := s.cd.Status(ctx, s.id, s.secret, false)
		if err != nil {
			return nil
		}
		if st.State != last.State || st.Name != last.Name {
			if !send(st) {
				return nil
			}
			last = st
		}
	}
	return nil
}
