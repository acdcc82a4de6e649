package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/store/pgtest"
	"github.com/gjjid/gjjid/broker/store/postgres"
)

// TestQueriesAreTracedWithoutArguments opens the store with a tracer
// provider and checks that its queries become client spans in the
// caller's trace, named by operation, and that neither the SQL nor the
// values bound to it (here a client secret hash) are recorded.
func TestQueriesAreTracedWithoutArguments(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	s, err := postgres.Open(t.Context(), postgres.Options{URL: pgtest.Schema(t, pgtest.URL(t)), TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	const secretHash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
	if err := s.PutClient(ctx, &store.Client{ID: "traced", SecretHash: secretHash}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetClient(ctx, "no-such-client"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing client: %v", err)
	}
	parent.End()

	var inTrace []sdktrace.ReadOnlySpan
	for _, sp := range rec.Ended() {
		if sp.SpanContext().TraceID() == parent.SpanContext().TraceID() && sp.Name() != "request" {
			inTrace = append(inTrace, sp)
		}
	}
	ops := map[string]bool{}
	for _, sp := range inTrace {
		ops[sp.Name()] = true
		if sp.SpanKind() != trace.SpanKindClient || sp.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("span %s: kind %v, parent %v", sp.Name(), sp.SpanKind(), sp.Parent().SpanID())
		}
		if sp.Status().Code == codes.Error {
			t.Errorf("span %s failed: %s", sp.Name(), sp.Status().Description)
		}
		for _, kv := range sp.Attributes() {
			v := kv.Value.String()
			if strings.Contains(v, secretHash) || strings.Contains(strings.ToLower(v), "from ") || strings.Contains(v, "$1") {
				t.Errorf("span %s records %s = %s", sp.Name(), kv.Key, v)
			}
		}
	}
	if !ops["postgresql SELECT"] || !(ops["postgresql INSERT"] || ops["postgresql WITH"] || ops["postgresql UPDATE"]) {
		t.Errorf("query spans in the request's trace: %v", ops)
	}
}

// TestFailedQuerySpanNamesOnlyTheSQLState: a failing statement marks its
// span failed with the SQLSTATE, not the server's message (which may quote
// a value).
func TestFailedQuerySpanNamesOnlyTheSQLState(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	o := postgres.Options{URL: pgtest.Schema(t, pgtest.URL(t)), TracerProvider: tp}
	cfg, err := o.Config()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	_, err = pool.Exec(t.Context(), "select 1/0 where 'value-13800138000' <> ''")
	if err == nil {
		t.Fatal("division by zero succeeded")
	}
	var failed sdktrace.ReadOnlySpan
	for _, sp := range rec.Ended() {
		if sp.Status().Code == codes.Error {
			failed = sp
		}
	}
	if failed == nil {
		t.Fatal("no failed span")
	}
	if failed.Name() != "postgresql SELECT" || failed.Status().Description != "SQLSTATE 22012" {
		t.Errorf("failed span %q: %q", failed.Name(), failed.Status().Description)
	}
}
