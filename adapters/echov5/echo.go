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
	"context"
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
			q := &request{c: c, cfg: cfgp, res: res}
			s, _ := m.Start(c.Request().Context(), q) // a transport: cannot fail
			rw := &q.rw
			*rw = core.ResponseWriter{ResponseWriter: res.ResponseWriter, Session: s, Request: q}
			res.ResponseWriter = rw
			defer func() {
				// Echo may still write the response after this returns (its
				// error handler, a recovery middleware): the writer lets
				// that through without saving. After a failure it stays, to
				// drop what a writer above held back until now (Echo's
				// automatic HEAD handling, a compressor's buffer).
				if !rw.Failed() {
					if res.ResponseWriter == rw {
						res.ResponseWriter = rw.ResponseWriter
					}
					if uerr != nil {
						c.SetResponse(prev)
					}
				}
				rw.Release()
			}()
			c.Set(Key, s)
			err := next(c)
			rw.Finish()
			if rw.Failed() {
				return nil // the error handler answered
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

// request is one request in the middleware, in one allocation: the
// session's core.Transport over the echo.Context, and the core.Answerer of
// the core.ResponseWriter under the Response.
type request struct {
	c   *echo.Context
	cfg *Config
	res *echo.Response // the Response the writer is under
	rw  core.ResponseWriter
}

func (q *request) Cookie(name string) string { return core.CookieValue(q.c.Request().Header, name) }
func (q *request) SetCookie(ck *http.Cookie) { core.SetCookieHeader(q.rw.Header(), ck) }
func (q *request) ClientIP() string          { return q.cfg.ClientIP(q.c) }
func (q *request) UserAgent() string         { return q.c.Request().UserAgent() }

func (q *request) Context() context.Context { return q.c.Request().Context() }

// Answer has the error handler respond on a fresh Response over the writer
// under the Response: the context's Response, and the writers above it,
// may be in the middle of the handler's write, or hold part of it back.
// The fresh Response writes through the core.ResponseWriter, which lets
// only the answer through: Echo reuses one JSON writer per context, so
// the handler's c.JSON may end up writing to the fresh Response too.
func (q *request) Answer(status int, err error) {
	c := q.c
	prev := c.Response()
	c.SetResponse(echo.NewResponse(&q.rw, c.Logger()))
	if herr := q.cfg.ErrorHandler(c, status, err); herr != nil {
		c.Logger().Error("session error handler failed", "error", herr)
	}
	c.SetResponse(prev)
	// The Response records the status sent, including when a writer above
	// writes the handler's held-back status through it later.
	q.res.Status = status
	q.res.Before(func() { q.res.Status = status })
}
