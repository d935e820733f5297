package core

import (
	"context"
	"net/http"
)

type contextKey struct{}

// FromContext returns the session Manager.Middleware put in ctx, or nil
// when ctx has none (a handler the middleware does not wrap). Unlike the
// adapters' From, which panic without their middleware, it leaves the
// check to the caller: a context travels further than one handler.
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
		q := &httpRequest{m: m, t: HTTPTransport{Writer: w, Request: r}}
		s, _ := m.Start(r.Context(), &q.t) // a transport: cannot fail
		r = r.WithContext(NewContext(r.Context(), s))
		q.t.Request = r
		q.rw = ResponseWriter{ResponseWriter: w, Session: s, Request: q}
		defer q.rw.Release()
		next.ServeHTTP(&q.rw, r)
		q.rw.Finish()
	})
}

// httpRequest is one request in Middleware, in one allocation: its
// transport, and the writer that commits its session.
type httpRequest struct {
	m  *Manager
	t  HTTPTransport
	rw ResponseWriter
}

func (q *httpRequest) Context() context.Context { return q.t.Request.Context() }

func (q *httpRequest) Answer(status int, err error) {
	q.m.handleError(q.rw.ResponseWriter, q.t.Request, status, err)
}
