// Package echosession serves ignitego/session sessions to Echo v5 handlers.
//
//	m, err := core.New(cfg)
//	e.Use(echosession.New(m))
//	e.GET("/", func(c *echo.Context) error {
//		s := echosession.From(c)
//		s.SetUserdata("visits", core.GetOr(s, "visits", 0)+1)
//		return c.String(http.StatusOK, "hello")
//	})
//
// The middleware saves the session just before the response headers go out,
// even when the handler writes a body first: it puts a writer under Echo's
// Response while the handler runs.
package echosession

import (
	"bufio"
	"fmt"
	"net"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/ignitego/session/core"
)

// Key is the echo.Context key under which the middleware stores the
// request's *core.Session.
const Key = "session"

// Config configures the middleware.
type Config struct {
	// Skipper skips the middleware for the requests it returns true for:
	// they have no session.
	// Default: nil (no request is skipped).
	Skipper func(c *echo.Context) bool

	// ErrorHandler answers a request whose session could not be loaded or
	// saved, in place of the handler's response; status is
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise. The
	// middleware has logged err with the Manager's Config.Logger by then.
	// An error it returns is logged with c.Logger().
	// Default: err logged with c.Logger() too, and the status code and its
	// text.
	ErrorHandler func(c *echo.Context, status int, err error) error

	// ClientIP is the client address a new session records and MatchIP
	// compares.
	// Default: c.RealIP(): the Echo instance's IPExtractor when it has one
	// (set one for the proxies you trust), else the connection's address,
	// which a client cannot forge with X-Forwarded-For.
	ClientIP func(c *echo.Context) string
}

// New returns the middleware with the default Config.
func New(m *core.Manager) echo.MiddlewareFunc { return NewWithConfig(m, Config{}) }

// NewWithConfig returns the middleware with cfg.
func NewWithConfig(m *core.Manager, cfg Config) echo.MiddlewareFunc {
	if cfg.ClientIP == nil {
		cfg.ClientIP = (*echo.Context).RealIP
	}
	answer := cfg.ErrorHandler
	if answer == nil {
		answer = func(c *echo.Context, status int, err error) error {
			c.Logger().Error("session failed", "status", status, "error", err)
			return c.String(status, http.StatusText(status))
		}
	}
	cfg.ErrorHandler = func(c *echo.Context, status int, err error) error {
		m.LogFailure(c.Request().Context(), status, err)
		return answer(c, status, err)
	}
	cfgp := &cfg
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			// The writer goes under Echo's Response, so it sees the headers
			// go out however they do: through the Response, a Flush, or a
			// handler writing to the Response's ResponseWriter.
			prev := c.Response()
			res, uerr := echo.UnwrapResponse(prev)
			if uerr != nil {
				// A writer set with c.SetResponse hides Echo's Response: a
				// Response over it stands in while the handler runs.
				res = echo.NewResponse(prev, c.Logger())
				c.SetResponse(res)
			}
			// One allocation per request holds the writer, the transport
			// and the session handle.
			w := &writer{ResponseWriter: res.ResponseWriter, res: res, c: c, cfg: cfgp}
			s := &w.session
			_ = m.StartIn(s, c.Request().Context(), w) // a new Session and a transport: cannot fail
			res.ResponseWriter = w
			defer func() {
				// Echo may still write the response after this returns (its
				// error handler, a recovery middleware): the session is
				// released by then, and the writer must not save it. After
				// a failure the writer stays, to drop what follows.
				w.done = true
				if !w.failed {
					if res.ResponseWriter == w {
						res.ResponseWriter = w.ResponseWriter
					}
					if uerr != nil {
						c.SetResponse(prev)
					}
				}
				s.Release()
			}()
			c.Set(Key, s)
			err := next(c)
			if !w.done {
				// Nothing reached the writer: the handler wrote nothing, or
				// a writer above holds its response back (Echo's automatic
				// HEAD handling, a compressor's buffer) until later.
				w.commit()
				return err
			}
			if !w.failed {
				_ = s.Save(c.Request().Context()) // reports a change made after the headers went out
			}
			return err
		}
	}
}

// From returns the request's session, as c.Get(Key).(*core.Session) does.
// It panics when the middleware did not serve the request (not added
// before the route, or skipped by Config.Skipper), with a message that says
// how to add it; c.Get(Key) tells whether there is a session.
func From(c *echo.Context) *core.Session {
	if s, ok := c.Get(Key).(*core.Session); ok {
		return s
	}
	panic("echosession: no session on this route: add e.Use(echosession.New(m)) before it")
}

// writer is the Response's ResponseWriter while the middleware runs: it
// saves the session just before the headers go out. When the session
// fails, the handler's response is dropped and the error handler answers
// on a fresh Response over the writer.
type writer struct {
	http.ResponseWriter // the Response's writer before the middleware
	res                 *echo.Response
	c                   *echo.Context
	session             core.Session
	cfg                 *Config
	status              int  // the error handler's status, once failed
	done                bool // the session was committed (or released)
	answering           bool // the error handler is writing: let it through
	failed              bool // the error handler answered: drop the handler's response
}

// commit saves the session and reports whether a write may go out.
func (w *writer) commit() bool {
	if w.answering {
		return true
	}
	if w.done {
		return !w.failed
	}
	w.done = true
	err := w.session.Commit(w.c.Request().Context())
	status := core.ErrorStatus(err)
	if status == 0 {
		return true
	}
	w.fail(status, err)
	return false
}

// fail answers with the error handler in place of the handler, on a fresh
// Response over the writer: the context's own Response and the writers
// above it may be in the middle of the handler's write, or hold part of
// it back.
func (w *writer) fail(status int, err error) {
	w.failed, w.status = true, status
	clearBodyHeaders(w.ResponseWriter.Header())
	prev := w.c.Response()
	w.c.SetResponse(echo.NewResponse(w, w.c.Logger()))
	w.answering = true
	if herr := w.cfg.ErrorHandler(w.c, status, err); herr != nil {
		w.c.Logger().Error("session error handler failed", "error", herr)
	}
	w.answering = false
	w.c.SetResponse(prev)
	w.res.Status = status
}

// clearBodyHeaders removes the headers that describe the handler's body,
// which the error handler's answer replaces.
func clearBodyHeaders(h http.Header) {
	h.Del(echo.HeaderContentType)
	h.Del(echo.HeaderContentLength)
	h.Del(echo.HeaderContentEncoding)
	h.Del(echo.HeaderLocation)
}

func (w *writer) WriteHeader(code int) {
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.res.Status = w.status // the Response records the handler's status before it writes
}

func (w *writer) Write(p []byte) (int, error) {
	if !w.commit() {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush flushes through the writer underneath (Response.Flush). It panics
// like Echo's when that writer cannot flush.
func (w *writer) Flush() {
	if err := w.FlushError(); err != nil {
		panic(fmt.Errorf("echosession: response writer %T cannot flush: %w", w.ResponseWriter, err))
	}
}

// FlushError flushes through the writer underneath, for
// http.ResponseController.
func (w *writer) FlushError() error {
	if !w.commit() {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, http.ErrNotSupported
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// The writer is the session's core.Transport over the echo.Context.

func (w *writer) Cookie(name string) string { return core.CookieValue(w.c.Request().Header, name) }
func (w *writer) SetCookie(ck *http.Cookie) { core.SetCookieHeader(w.ResponseWriter.Header(), ck) }
func (w *writer) ClientIP() string          { return w.cfg.ClientIP(w.c) }
func (w *writer) UserAgent() string         { return w.c.Request().UserAgent() }

// CopiesCookieValue reports that SetCookie copies the value (core.Transport).
func (*writer) CopiesCookieValue() bool { return true }

// Unwrap returns the writer underneath, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
