package login

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gjjid/gjjid/connectors"
)

// Login steps, the names of their spans: a connector begins a login
// (redirects upstream, sends a code, shows a QR code) and finishes it
// (checks a password or code, takes the upstream's answer, verifies a
// certificate, redeems a confirmed QR code).
const (
	stepBegin  = "login.begin"
	stepFinish = "login.finish"
)

// traced runs one connector call of a login step in a span of its own,
// carrying the connector's ID and type and the result: "success", the
// LoginError code of a refusal, or "error". Only an error that is no
// refusal marks the span failed, and never with its text: connector
// errors may quote what the user typed.
func traced[T any](ctx context.Context, l *Login, step string, cn connectors.Connector, call func(context.Context) (T, error)) (T, error) {
	ctx, span := l.tracer.Start(ctx, step, trace.WithAttributes(
		attribute.String("gjjid.connector.id", cn.ID()), attribute.String("gjjid.connector.type", cn.Type())))
	defer span.End()
	v, err := call(ctx)
	result := "success"
	if err != nil {
		result = loginResult(err)
		if _, refusal := connectors.AsLoginError(err); !refusal {
			span.SetStatus(codes.Error, "connector error")
		}
	}
	span.SetAttributes(attribute.String("gjjid.login.result", result))
	return v, err
}

// tracedErr is traced for a call that returns only an error.
func tracedErr(ctx context.Context, l *Login, step string, cn connectors.Connector, call func(context.Context) error) error {
	_, err := traced(ctx, l, step, cn, func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) })
	return err
}
