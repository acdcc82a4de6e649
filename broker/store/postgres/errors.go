package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gjjid/gjjid/broker/store"
)

// SQLSTATE codes the store classifies.
const (
	uniqueViolation       = "23505"
	checkViolation        = "23514" // also: no partition of the audit table for a row
	insufficientPrivilege = "42501"
)

// wrap names the failed operation and classifies err: no rows becomes
// store.ErrNotFound, a unique violation store.ErrConflict and anything
// meaning "PostgreSQL cannot answer now" store.ErrUnavailable. The result
// wraps both the sentinel and the cause.
func wrap(op string, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrNotFound, err)
	case errors.As(err, &pgErr) && pgErr.Code == uniqueViolation:
		return fmt.Errorf("postgres: %s: %s: %w: %w", op, pgErr.ConstraintName, store.ErrConflict, err)
	case unavailable(err):
		return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
	default:
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
}

// unavailable reports whether err means the server could not be reached or
// cannot serve now (shutting down, starting up, too many connections, a
// failover in progress), as opposed to a refused statement or a bug.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources (too many connections, disk full)
			"57": // operator intervention: admin shutdown, cannot connect now
			return true
		}
		return pgErr.Code == "25006" // read-only transaction: a standby after failover
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	return errors.As(err, &netErr) ||
		errors.As(err, &connErr) ||
		pgconn.SafeToRetry(err) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded)
}

// isCode reports whether err is a PostgreSQL error with SQLSTATE code.
func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
