package instances

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// recorder is a slog.Handler that keeps the warnings and errors an
// instance's Managers log, for its report.
type recorder struct {
	// sink is shared by the handlers WithAttrs makes.
	sink  *sink
	attrs []slog.Attr
}

type sink struct {
	mu      sync.Mutex
	records []string
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", rec.Level, rec.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range r.attrs {
		add(a)
	}
	rec.Attrs(add)
	s := r.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, b.String())
	return nil
}

func (r *recorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &recorder{sink: r.sink, attrs: append(r.attrs[:len(r.attrs):len(r.attrs)], attrs...)}
}

func (r *recorder) WithGroup(string) slog.Handler { return r }

func newRecorder() *recorder { return &recorder{sink: &sink{}} }

// all returns what was logged so far.
func (r *recorder) all() []string {
	s := r.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.records...)
}
