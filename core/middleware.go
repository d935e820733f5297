package core

import (
	"context"
	"net/http"
)

type contextKey struct{}

// FromContext returns the session Manager.Middleware put in ctx, or nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(contextKey{}).(*Session)
	return s
}

// NewContext returns a copy of ctx carrying s, for FromContext.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, contextKey{}, s)
}

// Middleware serves sessions to a net/http handler (the standard library,
// chi, gorilla/mux): FromContext(r.Context()) returns the request's session.
// It saves the session just before the response headers go out, even when
// the handler writes a body first, and when the handler writes nothing, when
// it returns (see ResponseWriter). A session that cannot be loaded or saved
// gets Config.ErrorHandler's response (503 for a store failure by default)
// in place of the handler's. Session locks are released when the handler
// ends, panics included.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := &HTTPTransport{Writer: w}
		s, _ := m.Start(r.Context(), t) // a transport: cannot fail
		r = r.WithContext(NewContext(r.Context(), s))
		t.Request = r
		rw := &ResponseWriter{ResponseWriter: w, Session: s, Context: r.Context}
		rw.Answer = func(status int, err error) { m.handleError(w, r, status, err) }
		defer rw.Release()
		next.ServeHTTP(rw, r)
		rw.Finish()
	})
}
