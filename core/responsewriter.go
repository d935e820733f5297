package core

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
)

// ResponseWriter commits a request's session (Session.Commit) just before
// the response headers go out: at the first WriteHeader (informational 1xx
// aside), Write, ReadFrom, Flush or Hijack, or at Finish when the handler
// wrote nothing. When the commit fails, the Request answers in the
// handler's place, and what the handler writes afterwards is dropped.
//
// Manager.Middleware and the adapters for frameworks that write through an
// http.ResponseWriter (Gin, Echo) put one under the response. It keeps
// http.Flusher, http.Hijacker, io.ReaderFrom and Unwrap (for
// http.ResponseController) working.
type ResponseWriter struct {
	http.ResponseWriter

	// Session is the request's session.
	Session *Session

	// Request is the request, as the writer needs it.
	Request Answerer

	committed bool // the commit ran, or Release ended the writer's part
	answering bool // Answer is running
	failed    bool // Answer responded: the handler's response is dropped
}

// Answerer is a ResponseWriter's request: an adapter implements it in its
// framework's terms.
type Answerer interface {
	// Context returns the request's context, for the commit.
	Context() context.Context

	// Answer responds in place of the handler when the commit fails, with
	// the status ErrorStatus(err). Its own writes through the ResponseWriter
	// go through. The Content-Type, Content-Length, Content-Encoding and
	// Location headers the handler (or a compressor) set are gone by then.
	Answer(status int, err error)
}

// Commit commits the session unless that was done, and reports whether the
// handler's response may go out.
func (w *ResponseWriter) Commit() bool {
	if w.answering {
		return true
	}
	if w.committed {
		return !w.failed
	}
	w.committed = true
	err := w.Session.Commit(w.Request.Context())
	status := ErrorStatus(err)
	if status == 0 {
		return true
	}
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	h.Del("Content-Encoding") // a compressor's above: the answer is not compressed
	h.Del("Location")
	w.failed, w.answering = true, true
	w.Request.Answer(status, err)
	w.answering = false
	return false
}

// Failed reports whether Answer responded in place of the handler.
func (w *ResponseWriter) Failed() bool { return w.failed }

// Finish runs when the handler returns. When no header went out, it
// commits the session; otherwise it saves what changed since the headers
// went out (a change a cookie can no longer carry, logged when it
// happened).
func (w *ResponseWriter) Finish() {
	if !w.committed {
		w.Commit()
		return
	}
	if !w.failed {
		_ = w.Session.Save(w.Request.Context())
	}
}

// Release ends the writer's part and releases the session (Session.Release).
// Writes after it, a recovery middleware's after a panic say, go through
// without a commit. The middlewares defer it.
func (w *ResponseWriter) Release() {
	w.committed = true
	w.Session.Release()
}

func (w *ResponseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the final headers come later
		return
	}
	if w.Commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *ResponseWriter) Write(p []byte) (int, error) {
	if !w.Commit() {
		return len(p), nil // Answer's response stands
	}
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps sendfile and splice working for io.Copy into the response.
func (w *ResponseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.Commit() {
		return io.Copy(io.Discard, src)
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(w.ResponseWriter, src)
}

// Flush sends the headers (committing the session first) and any buffered
// body.
func (w *ResponseWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush, with the error of a writer underneath that cannot
// flush, for http.ResponseController.
func (w *ResponseWriter) FlushError() error {
	if !w.Commit() {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack commits the session, then hands over the connection. Cookies the
// commit set reach the client only if the hijacker writes w.Header().
func (w *ResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.Commit() {
		return nil, nil, fmt.Errorf("session: could not save the session before hijacking: %w", http.ErrNotSupported)
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped ResponseWriter, for http.ResponseController.
func (w *ResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
