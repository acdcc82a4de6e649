package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerScope names the instrumentation of the store's queries.
const tracerScope = "github.com/gjjid/gjjid/broker/store/postgres"

// queryTracer is pgx's tracer hook: a client span per query, named by its
// operation ("postgresql SELECT"). Neither the SQL text nor its arguments
// are recorded: the arguments are ID-number hashes, sealed values and
// password hashes, and the operation is what a trace reader needs.
type queryTracer struct{ t trace.Tracer }

var _ pgx.QueryTracer = queryTracer{}

// TraceQueryStart starts the query's span.
func (q queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	op := operation(data.SQL)
	ctx, _ = q.t.Start(ctx, "postgresql "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", op)))
	return ctx
}

// TraceQueryEnd ends it, marking a failure by its SQLSTATE-bearing type
// only: pgx's error text may quote the offending value.
func (q queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span := trace.SpanFromContext(ctx)
	if data.Err != nil {
		span.SetStatus(codes.Error, errorCode(data.Err))
	}
	span.End()
}

// operation is the first keyword of sql, upper-cased (WITH for a CTE).
func operation(sql string) string {
	f := strings.Fields(sql)
	if len(f) == 0 {
		return "QUERY"
	}
	op := strings.ToUpper(f[0])
	for _, r := range op {
		if r < 'A' || r > 'Z' {
			return "QUERY"
		}
	}
	return op
}

// errorCode describes a failed query without its message: the SQLSTATE of
// a server error, else whether the context ended.
func errorCode(err error) string {
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		return "SQLSTATE " + pgErr.Code
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "context ended"
	}
	return "query failed"
}
