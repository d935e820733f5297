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
	"context"
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
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise. The
	// middleware has logged err with the Manager's Config.Logger by then.
	// Default: err logged with c.Logger() too, and the status code and its
	// text.
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
	answer := cfg.ErrorHandler
	if answer == nil {
		answer = func(c echo.Context, status int, err error) error {
			c.Logger().Error(err)
			return c.String(status, http.StatusText(status))
		}
	}
	cfg.ErrorHandler = func(c echo.Context, status int, err error) error {
		m.LogFailure(c.Request().Context(), status, err)
		return answer(c, status, err)
	}
	cfgp := &cfg
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			q := &request{t: transport{c: c, cfg: cfgp}}
			s, _ := m.Start(c.Request().Context(), &q.t) // a transport: cannot fail
			// The writer goes under the Response, so it sees the headers go
			// out however they do: through the Response, a Flush, or a
			// handler writing to Response().Writer.
			res := c.Response()
			rw := &q.rw
			*rw = core.ResponseWriter{ResponseWriter: res.Writer, Session: s, Request: q}
			res.Writer = rw
			defer func() {
				// Echo may still write the response after this returns (its
				// error handler, a recovery middleware): the writer lets
				// that through without saving.
				if res.Writer == rw {
					res.Writer = rw.ResponseWriter
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

// request is one request in the middleware, in one allocation: the
// transport and the core.ResponseWriter under the Response, whose
// core.Answerer it is.
type request struct {
	t  transport
	rw core.ResponseWriter
}

func (q *request) Context() context.Context { return q.t.c.Request().Context() }

// Answer has the error handler respond on a fresh Response over the writer
// under the Response: the handler's Response may be committed already.
func (q *request) Answer(status int, err error) {
	c := q.t.c
	res := c.Response()
	c.SetResponse(echo.NewResponse(q.rw.ResponseWriter, c.Echo()))
	if herr := q.t.cfg.ErrorHandler(c, status, err); herr != nil {
		c.Logger().Error(herr)
	}
	c.SetResponse(res)
	res.Status = status
}

// From returns the request's session, as c.Get(Key).(*core.Session) does.
// It panics when the middleware did not serve the request (not added
// before the route, or skipped by Config.Skipper), with a message that says
// how to add it; c.Get(Key) tells whether there is a session.
func From(c echo.Context) *core.Session {
	if s, ok := c.Get(Key).(*core.Session); ok {
		return s
	}
	panic("echosession: no session on this route: add e.Use(echosession.New(m)) before it")
}

// transport is the session's core.Transport over the echo.Context.
type transport struct {
	c   echo.Context
	cfg *Config
}

func (t *transport) Cookie(name string) string { return core.CookieValue(t.c.Request().Header, name) }
func (t *transport) SetCookie(ck *http.Cookie) { core.SetCookieHeader(t.c.Response().Header(), ck) }
func (t *transport) ClientIP() string          { return t.cfg.ClientIP(t.c) }
func (t *transport) UserAgent() string         { return t.c.Request().UserAgent() }
