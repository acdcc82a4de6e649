package logmask_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/gjjid/gjjid/broker/logmask"
)

const (
	idNo   = "510107199003071236"
	mobile = "13800138000"
)

type login struct {
	User   string
	Mobile int64
}

type person struct{ id string }

func (p person) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", p.id), slog.String("kind", "person"))
}

type stringer struct{}

func (stringer) String() string { return "agent " + mobile }

// logEverything logs the numbers in every place a value can hide.
func logEverything(l *slog.Logger) {
	l = l.With("bound", "for "+idNo)
	l.Info("login by "+idNo+" from "+mobile,
		"user", idNo,
		"mobile_int", int64(13800138000),
		"id_uint", uint64(510107199003071236),
		"err", fmt.Errorf("find person %s: %w", mobile, errors.New("not found")),
		"stringer", stringer{},
		"list", []string{"ok", "+86 138 0013 8000"},
		"struct", login{User: idNo, Mobile: 13800138000},
		"valuer", person{id: idNo},
		slog.Group("req", slog.String("query", "user="+mobile), slog.Int("status", 401)),
		"fullwidth", "５１０１０７１９９００３０７１２３６",
	)
	l.WithGroup("g").Warn("nested", "user", mobile)
}

// timestamps are the handlers' own time fields, JSON and text.
var timestamps = regexp.MustCompile(`"(?i:time)":"[^"]*"|time=\S+`)

func TestNoRawNumberReachesTheLog(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"JSON handler with ReplaceAttr": func(b *bytes.Buffer) slog.Handler {
			return slog.NewJSONHandler(b, &slog.HandlerOptions{ReplaceAttr: logmask.ReplaceAttr})
		},
		"text handler with ReplaceAttr": func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{ReplaceAttr: logmask.ReplaceAttr})
		},
		"JSON handler wrapped": func(b *bytes.Buffer) slog.Handler {
			return logmask.NewHandler(slog.NewJSONHandler(b, nil))
		},
		"JSON handler with a chained ReplaceAttr": func(b *bytes.Buffer) slog.Handler {
			upper := func(_ []string, a slog.Attr) slog.Attr { a.Key = strings.ToUpper(a.Key); return a }
			return slog.NewJSONHandler(b, &slog.HandlerOptions{ReplaceAttr: logmask.Chain(upper)})
		},
	}
	for name, newHandler := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logEverything(slog.New(newHandler(&buf)))
			// The timestamps' nanoseconds are digits too ("…866900131Z"
			// holds "0013"): only what was logged is checked.
			out := timestamps.ReplaceAllString(buf.String(), "")
			for _, raw := range []string{idNo, mobile, "0013", "19900307", "５１０１０７１９９００３０７１２３６"} {
				if strings.Contains(out, raw) {
					t.Errorf("output contains %q:\n%s", raw, out)
				}
			}
			for _, want := range []string{"510***********1236", "138****8000", "401", "not found", "person"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestUntouchedValuesKeepTheirType(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: logmask.ReplaceAttr}))
	l.Info("ok", "n", 1735689600000, "s", struct{ A int }{3}, "e", errors.New("plain"))
	if got := buf.String(); !strings.Contains(got, `"n":1735689600000`) || !strings.Contains(got, `"s":{"A":3}`) || !strings.Contains(got, `"e":"plain"`) {
		t.Errorf("output = %s", got)
	}
}

func TestHandlerPassesEnabled(t *testing.T) {
	t.Parallel()
	h := logmask.NewHandler(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled does not follow the wrapped handler")
	}
}
