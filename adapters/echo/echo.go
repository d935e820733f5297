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
// The middleware saves the session just before the response headers go out
// (in a Response().Before hook), even when the handler writes a body first.
package echosession

import (
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
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			h := &hook{c: c, onError: cfg.ErrorHandler}
			h.t.h, h.t.ip = h, cfg.ClientIP
			s, _ := m.Start(c.Request().Context(), &h.t)
			defer func() {
				// Echo may still write the response after this returns (its
				// error handler, a recovery middleware): the session is
				// released by then, and the hook must not save it.
				h.done = true
				s.Release()
			}()
			h.s = s
			c.Set(Key, s)
			c.Response().Before(h.before)
			err := next(c)
			if h.done {
				if !h.failed {
					_ = s.Save(c.Request().Context()) // reports a change made after the headers went out
				}
				return err
			}
			h.done = true
			if serr := s.Commit(c.Request().Context()); core.ErrorStatus(serr) != 0 {
				if c.Response().Committed {
					return err
				}
				h.failed = true
				return h.onError(c, core.ErrorStatus(serr), serr)
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

// transport is core.Transport over an echo.Context.
type transport struct {
	h  *hook
	ip func(c echo.Context) string
}

func (t *transport) Cookie(name string) string {
	return core.CookieValue(t.h.c.Request().Header, name)
}
func (t *transport) SetCookie(ck *http.Cookie) { core.SetCookieHeader(t.h.c.Response().Header(), ck) }
func (t *transport) ClientIP() string          { return t.ip(t.h.c) }
func (t *transport) UserAgent() string         { return t.h.c.Request().UserAgent() }

type hook struct {
	c       echo.Context
	s       *core.Session
	t       transport
	onError func(c echo.Context, status int, err error) error
	done    bool // the session was committed (or released)
	failed  bool // the error handler answered instead of the handler
}

// before runs inside Response.WriteHeader, just before the headers go out.
// When the session fails, the handler's response is dropped and the error
// handler answers on a fresh Response over the same writer.
func (h *hook) before() {
	if h.done {
		return
	}
	h.done = true
	err := h.s.Commit(h.c.Request().Context())
	status := core.ErrorStatus(err)
	if status == 0 {
		return
	}
	h.failed = true
	res := h.c.Response()
	hdr := res.Header()
	hdr.Del(echo.HeaderContentType)
	hdr.Del(echo.HeaderContentLength)
	hdr.Del(echo.HeaderLocation)
	orig := res.Writer
	res.Writer = dropWriter{orig}
	h.c.SetResponse(echo.NewResponse(orig, h.c.Echo()))
	if herr := h.onError(h.c, status, err); herr != nil {
		h.c.Logger().Error(herr)
	}
	h.c.SetResponse(res)
	res.Status = status
}

// dropWriter swallows the response of a handler whose session failed.
type dropWriter struct{ w http.ResponseWriter }

func (d dropWriter) Header() http.Header         { return d.w.Header() }
func (d dropWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d dropWriter) WriteHeader(int)             {}
