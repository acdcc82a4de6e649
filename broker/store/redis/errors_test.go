package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

func TestWrapClassifiesErrors(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name  string
		cause error
		want  error // nil: neither ErrNotFound nor ErrUnavailable
	}{
		{"nil reply", goredis.Nil, store.ErrNotFound},
		{"connection refused", dial, store.ErrUnavailable},
		{"i/o timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, store.ErrUnavailable},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), store.ErrUnavailable},
		{"connection closed", io.EOF, store.ErrUnavailable},
		{"pool timeout", goredis.ErrPoolTimeout, store.ErrUnavailable},
		{"client closed", goredis.ErrClosed, store.ErrUnavailable},
		{"deadline", context.DeadlineExceeded, store.ErrUnavailable},
		{"loading", errors.New("LOADING Redis is loading the dataset in memory"), store.ErrUnavailable},
		{"cluster down", errors.New("CLUSTERDOWN The cluster is down"), store.ErrUnavailable},
		{"master down", errors.New("MASTERDOWN Link with MASTER is down"), store.ErrUnavailable},
		{"try again", errors.New("TRYAGAIN Multiple keys request during rehashing of slot"), store.ErrUnavailable},
		{"read-only replica", errors.New("READONLY You can't write against a read only replica."), store.ErrUnavailable},
		{"canceled by the caller", context.Canceled, nil},
		{"refused command", errors.New("ERR wrong number of arguments for 'get' command"), nil},
		{"script error", errors.New("ERR user_script:1: Script attempted to access nonexistent global variable"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := wrap("get auth request", tc.cause)
			if !strings.HasPrefix(err.Error(), "redis: get auth request: ") {
				t.Errorf("message %q does not say what failed", err)
			}
			if !errors.Is(err, tc.cause) {
				t.Errorf("%v does not wrap its cause", err)
			}
			for _, sentinel := range []error{store.ErrNotFound, store.ErrUnavailable} {
				if got := errors.Is(err, sentinel); got != (sentinel == tc.want) {
					t.Errorf("errors.Is(%v, %v) = %v", err, sentinel, got)
				}
			}
		})
	}
	if wrap("x", nil) != nil {
		t.Error("wrap(nil) is not nil")
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
