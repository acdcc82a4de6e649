package logmask

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
)

// ReplaceAttr masks ID and mobile numbers in the message and in every
// attribute value; use it as slog.HandlerOptions.ReplaceAttr. Strings are
// masked in place. Integers that look like such a number become masked
// strings. Errors, fmt.Stringers, string slices and other values (as their
// JSON) become masked strings when they contain one, and are kept as they
// are otherwise.
func ReplaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 {
		switch a.Key {
		case slog.TimeKey, slog.LevelKey, slog.SourceKey:
			return a
		}
	}
	a.Value = maskValue(a.Value)
	return a
}

// Chain returns a ReplaceAttr that masks first and then calls next, for a
// broker that has its own ReplaceAttr.
func Chain(next func(groups []string, a slog.Attr) slog.Attr) func([]string, slog.Attr) slog.Attr {
	if next == nil {
		return ReplaceAttr
	}
	return func(groups []string, a slog.Attr) slog.Attr { return next(groups, ReplaceAttr(groups, a)) }
}

func maskValue(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		if m := Mask(v.String()); m != v.String() {
			return slog.StringValue(m)
		}
	case slog.KindInt64:
		return maskNumber(v, strconv.FormatInt(v.Int64(), 10))
	case slog.KindUint64:
		return maskNumber(v, strconv.FormatUint(v.Uint64(), 10))
	case slog.KindGroup:
		as := v.Group()
		out := make([]slog.Attr, len(as))
		for i, a := range as {
			out[i] = slog.Attr{Key: a.Key, Value: maskValue(a.Value)}
		}
		return slog.GroupValue(out...)
	case slog.KindLogValuer:
		return maskValue(v.Resolve())
	case slog.KindAny:
		return maskAny(v)
	}
	return v
}

func maskNumber(v slog.Value, s string) slog.Value {
	if len(s) < 11 {
		return v
	}
	if m := Mask(s); m != s {
		return slog.StringValue(m)
	}
	return v
}

func maskAny(v slog.Value) slog.Value {
	var s string
	switch x := v.Any().(type) {
	case nil, slog.Level:
		return v
	case error:
		s = x.Error()
	case fmt.Stringer:
		s = x.String()
	case []string:
		out, changed := make([]string, len(x)), false
		for i, e := range x {
			out[i] = Mask(e)
			changed = changed || out[i] != e
		}
		if changed {
			return slog.AnyValue(out)
		}
		return v
	default:
		// What the JSON handler would print: structs, maps, slices.
		b, err := json.Marshal(x)
		if err != nil {
			return v
		}
		if m := Mask(string(b)); m != string(b) {
			if json.Valid([]byte(m)) {
				return slog.AnyValue(json.RawMessage(m))
			}
			return slog.StringValue(m) // a masked JSON number is no number
		}
		return v
	}
	if m := Mask(s); m != s {
		return slog.StringValue(m)
	}
	return v
}

// Handler masks records before passing them to another handler: for
// handlers without a ReplaceAttr option. It is safe for concurrent use if
// the wrapped handler is.
type Handler struct{ next slog.Handler }

var _ slog.Handler = (*Handler)(nil)

// NewHandler wraps next.
func NewHandler(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether next handles level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle masks the message and the attributes of r and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, Mask(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(slog.Attr{Key: a.Key, Value: maskValue(a.Value)})
		return true
	})
	return h.next.Handle(ctx, nr)
}

// WithAttrs masks as and adds them to next.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = slog.Attr{Key: a.Key, Value: maskValue(a.Value)}
	}
	return &Handler{next: h.next.WithAttrs(out)}
}

// WithGroup opens a group on next.
func (h *Handler) WithGroup(name string) slog.Handler { return &Handler{next: h.next.WithGroup(name)} }
