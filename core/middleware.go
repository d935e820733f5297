package core

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
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
// it returns. A session that cannot be loaded or saved gets
// Config.ErrorHandler's response (503 for a store failure by default) in
// place of the handler's. Session locks are released when the handler ends,
// panics included.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	// The wrappers are reused: net/http forbids using a ResponseWriter once
	// ServeHTTP has returned.
	pool := sync.Pool{New: func() any { return new(responseWriter) }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := pool.Get().(*responseWriter)
		*rw = responseWriter{ResponseWriter: w, m: m}
		rw.t = httpTransport{HTTPTransport{Writer: w, Request: r}}
		s, _ := m.Start(r.Context(), &rw.t)
		defer func() {
			s.Release()
			*rw = responseWriter{}
			pool.Put(rw)
		}()
		rw.s = s
		r = r.WithContext(NewContext(r.Context(), s))
		rw.r, rw.t.Request = r, r
		next.ServeHTTP(rw, r)
		if !rw.committed {
			rw.commit()
			return
		}
		if !rw.failed {
			_ = s.Save(r.Context()) // reports a change made after the headers went out (logged when it happened)
		}
	})
}

// responseWriter saves the session before the first byte of the response
// goes out. It keeps http.Flusher, http.Hijacker, io.ReaderFrom and Unwrap
// (for http.ResponseController) working.
type responseWriter struct {
	http.ResponseWriter
	m *Manager
	r *http.Request
	s *Session
	t httpTransport

	committed bool // Commit ran
	failed    bool // the error handler answered instead of the handler
}

// commit saves the session, and reports whether the handler's response may
// go out; when it may not, the error handler has answered.
func (w *responseWriter) commit() bool {
	if w.committed {
		return !w.failed
	}
	w.committed = true
	err := w.s.Commit(w.r.Context())
	if status := ErrorStatus(err); status != 0 {
		w.failed = true
		w.m.handleError(w.ResponseWriter, w.r, status, err)
		return false
	}
	return true
}

func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the final headers come later
		return
	}
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return len(p), nil // the error handler's response stands
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps sendfile and splice working for io.Copy into the response.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return io.Copy(io.Discard, src)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(w.ResponseWriter, src)
}

// Flush sends the headers (saving the session first) and any buffered body.
func (w *responseWriter) Flush() {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack saves the session, then hands over the connection. Cookies set by
// the save reach the client only if the hijacker writes w.Header().
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, errors.New("session: could not save the session before hijacking")
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// httpTransport is the Middleware's HTTPTransport, which copies the cookie
// value into the Set-Cookie line (an HTTPTransport embedded in a custom
// transport may not).
type httpTransport struct{ HTTPTransport }

func (*httpTransport) CopiesCookieValue() bool { return true }
