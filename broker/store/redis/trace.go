package redisstore

import (
	"fmt"

	"github.com/redis/go-redis/extra/redisotel/v9"
	goredis "github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
)

// instrument adds go-redis's own OpenTelemetry hook to c: a client span
// per command (named by it, e.g. "evalsha"), pipeline and dial. Command
// arguments are never recorded (db.statement off): they are session
// records, hashed codes and token families. tp nil adds nothing.
func instrument(c goredis.UniversalClient, tp trace.TracerProvider) error {
	if tp == nil {
		return nil
	}
	if err := redisotel.InstrumentTracing(c, redisotel.WithTracerProvider(tp),
		redisotel.WithDBStatement(false), redisotel.WithCallerEnabled(false)); err != nil {
		return fmt.Errorf("redis: tracing: %w", err)
	}
	return nil
}
