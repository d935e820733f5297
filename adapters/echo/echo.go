// Package echosession serves ignitego/session sessions to Echo v4 handlers.
//
//	m, err := core.New(cfg)
//	e.Use(echosession.New(m))
//	e.GET("/", func(c echo.Context) error {
//		s := echosession.From(c)
//		s.SetUserdata("visits", core.GetOr(s, "visits", 0)+1)
//		return c.String(http.StatusOK, "hello")
//	})
//
// The middleware saves the session just before the response headers go out,
// even when the handler writes a body first: it puts a writer under the
// Response while the handler runs.
package echosession

import (
	"bufio"
	"fmt"
	"net"
	"net/http"

	"github.com/labstack/echo/v4"

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
	Skipper func(c echo.Context) bool

	// ErrorHandler answers a request whose session could not be loaded or
	// saved, in place of the handler's response; status is
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise.
	// Default: the status code and its text.
	ErrorHandler func(c echo.Context, status int, err error) error

	// ClientIP is the client address a new session records and MatchIP
	// compares.
	// Default: c.RealIP() when the Echo instance has an IPExtractor (set
	// one for the proxies you trust), else the connection's address, which
	// a client cannot forge with X-Forwarded-For.
	ClientIP func(c echo.Context) string
}

// New returns the middleware with the default Config.
func New(m *core.Manager) echo.MiddlewareFunc { return NewWithConfig(m, Config{}) }

// NewWithConfig returns the middleware with cfg.
func NewWithConfig(m *core.Manager, cfg Config) echo.MiddlewareFunc {
	if cfg.ClientIP == nil {
		direct := echo.ExtractIPDirect()
		cfg.ClientIP = func(c echo.Context) string {
			if c.Echo().IPExtractor != nil {
				return c.RealIP()
			}
			return direct(c.Request())
		}
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c echo.Context, status int, err error) error {
			c.Logger().Error(err)
			return c.String(status, http.StatusText(status))
		}
	}
	cfgp := &cfg
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			// One allocation per request holds the writer, the transport
			// and the session handle. The writer goes under the Response,
			// so it sees the headers go out however they do: through the
			// Response, a Flush, or a handler writing to Response().Writer.
			res := c.Response()
			w := &writer{ResponseWriter: res.Writer, res: res, c: c, cfg: cfgp}
			s := &w.session
			_ = m.StartIn(s, c.Request().Context(), w) // a new Session and a transport: cannot fail
			res.Writer = w
			defer func() {
				// Echo may still write the response after this returns (its
				// error handler, a recovery middleware): the session is
				// released by then, and the writer must not save it.
				w.done = true
				if res.Writer == w {
					res.Writer = w.ResponseWriter
				}
				s.Release()
			}()
			c.Set(Key, s)
			err := next(c)
			if w.done {
				if !w.failed {
					_ = s.Save(c.Request().Context()) // reports a change made after the headers went out
				}
				return err
			}
			w.done = true
			if serr := s.Commit(c.Request().Context()); core.ErrorStatus(serr) != 0 {
				if res.Committed {
					return err
				}
				w.failed = true
				return cfg.ErrorHandler(c, core.ErrorStatus(serr), serr)
			}
			return err
		}
	}
}

// From returns the request's session, or nil when the middleware did not
// run.
func From(c echo.Context) *core.Session {
	s, _ := c.Get(Key).(*core.Session)
	return s
}

// writer is the Response's writer while the middleware runs: it saves the
// session just before the headers go out. When the session fails, the
// handler's response is dropped and the error handler answers on a fresh
// Response over the writer underneath.
type writer struct {
	http.ResponseWriter // the Response's writer before the middleware
	res                 *echo.Response
	c                   echo.Context
	session             core.Session
	cfg                 *Config
	done                bool // the session was committed (or released)
	failed              bool // the error handler answered instead of the handler
}

// commit saves the session and reports whether the handler's response may
// go out.
func (w *writer) commit() bool {
	if w.done {
		return !w.failed
	}
	w.done = true
	err := w.session.Commit(w.c.Request().Context())
	status := core.ErrorStatus(err)
	if status == 0 {
		return true
	}
	w.failed = true
	hdr := w.ResponseWriter.Header()
	hdr.Del(echo.HeaderContentType)
	hdr.Del(echo.HeaderContentLength)
	hdr.Del(echo.HeaderLocation)
	res := w.c.Response()
	w.c.SetResponse(echo.NewResponse(w.ResponseWriter, w.c.Echo()))
	if herr := w.cfg.ErrorHandler(w.c, status, err); herr != nil {
		w.c.Logger().Error(herr)
	}
	w.c.SetResponse(res)
	w.res.Status = status
	return false
}

func (w *writer) WriteHeader(code int) {
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
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
