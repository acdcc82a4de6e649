package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// wrap names the failed operation and classifies err: redis.Nil becomes
// store.ErrNotFound and anything meaning "Redis cannot answer now" becomes
// store.ErrUnavailable. The result wraps both the sentinel and the cause, so
// errors.Is works for either.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, goredis.Nil):
		return fmt.Errorf("redis: %s: %w: %w", op, store.ErrNotFound, err)
	case unavailable(err):
		return fmt.Errorf("redis: %s: %w: %w", op, store.ErrUnavailable, err)
	default:
		return fmt.Errorf("redis: %s: %w", op, err)
	}
}

// unavailable reports whether err means Redis could not be reached or cannot
// serve right now, as opposed to a refused command or a bug.
func unavailable(err error) bool {
	var netErr net.Error
	switch {
	case errors.As(err, &netErr), // dial errors, i/o timeouts, resets
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, goredis.ErrClosed),
		errors.Is(err, goredis.ErrPoolTimeout),
		errors.Is(err, goredis.ErrPoolExhausted),
		// The request's deadline ran out waiting for Redis; a cancelled
		// request (the caller went away) is not Redis's fault.
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return goredis.IsLoadingError(err) ||
		goredis.IsClusterDownError(err) ||
		goredis.IsMasterDownError(err) ||
		goredis.IsTryAgainError(err) ||
		goredis.IsReadOnlyError(err) || // a failover is promoting a replica
		goredis.IsMaxClientsError(err) ||
		goredis.HasErrorPrefix(err, "BUSY") // a script is running too long
}
