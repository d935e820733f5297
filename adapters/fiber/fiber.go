// Package fibersession serves ignitego/session sessions to Fiber v2 handlers.
//
//	m, err := core.New(cfg)
//	app.Use(fibersession.New(m))
//	app.Get("/", func(c *fiber.Ctx) error {
//		s := fibersession.From(c)
//		s.SetUserdata("visits", core.GetOr(s, "visits", 0)+1)
//		return c.SendString("hello")
//	})
//
// Fiber sends a response only after the handler chain returns: the
// middleware saves the session then, after c.Next(). The session's lazy load
// uses c.UserContext().
//
// # Cookie size
//
// Fiber reads a request's headers into a buffer of
// fiber.Config.ReadBufferSize bytes (4096 by default) and answers 431
// Request Header Fields Too Large, before any middleware runs, to a request
// whose headers do not fit. A session cookie the app cannot read back would
// lock its user out: the server never sees the request that could replace
// it. So the middleware sends no cookie longer than ReadBufferSize less
// HeaderMargin (2560 bytes by default, where the engine's own limit is
// core.MaxCookieSize, 4096): Save fails as for core.ErrCookieTooLarge, the
// cookie the client holds stays valid, and the error names the setting to
// raise. With the cookie driver, give the app a ReadBufferSize of 8192 or
// more to store cookies up to the engine's limit.
package fibersession

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ignitego/session/core"
)

// Key is the c.Locals key under which the middleware stores the request's
// *core.Session.
const Key = "session"

// Config configures the middleware.
type Config struct {
	// Next skips the middleware for the requests it returns true for: they
	// have no session.
	// Default: nil (no request is skipped).
	Next func(c *fiber.Ctx) bool

	// ErrorHandler answers a request whose session could not be loaded or
	// saved, in place of the handler's response; status is
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise (a
	// cookie too large among them, see "Cookie size"). The middleware has
	// logged err with the Manager's Config.Logger by then.
	// Default: the status code and its text.
	ErrorHandler func(c *fiber.Ctx, status int, err error) error
}

// New returns the middleware with the default Config.
func New(m *core.Manager) fiber.Handler { return NewWithConfig(m, Config{}) }

// NewWithConfig returns the middleware with cfg.
func NewWithConfig(m *core.Manager, cfg Config) fiber.Handler {
	answer := cfg.ErrorHandler
	if answer == nil {
		answer = func(c *fiber.Ctx, status int, _ error) error {
			return c.Status(status).SendString(http.StatusText(status))
		}
	}
	cfg.ErrorHandler = func(c *fiber.Ctx, status int, err error) error {
		m.LogFailure(c.UserContext(), status, err)
		return answer(c, status, err)
	}
	return func(c *fiber.Ctx) error {
		if cfg.Next != nil && cfg.Next(c) {
			return c.Next()
		}
		t := &transport{c: c}
		s, _ := m.Start(c.UserContext(), t) // a transport: cannot fail
		defer s.Release()
		c.Locals(Key, s)
		err := c.Next()
		serr := t.refusals(s.Commit(c.UserContext()))
		if status := core.ErrorStatus(serr); status != 0 {
			res := c.Response()
			res.ResetBody()
			res.Header.Del(fiber.HeaderLocation)
			res.Header.Del(fiber.HeaderContentType)
			return cfg.ErrorHandler(c, status, serr)
		}
		return err
	}
}

// From returns the request's session, as c.Locals(Key).(*core.Session)
// does. It panics when the middleware did not serve the request (not added
// before the route, or skipped by Config.Next), with a message that says
// how to add it; c.Locals(Key) tells whether there is a session.
func From(c *fiber.Ctx) *core.Session {
	if s, ok := c.Locals(Key).(*core.Session); ok {
		return s
	}
	panic("fibersession: no session on this route: add app.Use(fibersession.New(m)) before it")
}

// transport is core.Transport over a fiber.Ctx. Strings Fiber returns live
// in buffers it reuses after the request: the transport copies them.
type transport struct {
	c       *fiber.Ctx
	refused []*CookieTooLargeError // cookies SetCookie did not send, at most one per name
}

func (t *transport) Cookie(name string) string { return strings.Clone(t.c.Cookies(name)) }
func (t *transport) UserAgent() string         { return strings.Clone(t.c.Get(fiber.HeaderUserAgent)) }
func (t *transport) ClientIP() string          { return strings.Clone(t.c.IP()) }

// SetCookie sets ck on the response, replacing one of the same name, with
// the Vary and Cache-Control values core.SetCookieHeader gives a net/http
// response. A cookie the app could not read back is not sent (see "Cookie
// size"): the middleware reports it.
func (t *transport) SetCookie(ck *http.Cookie) {
	if !t.fits(ck) {
		return
	}
	res := &t.c.Response().Header
	h := http.Header{}
	for _, k := range [...]string{fiber.HeaderVary, fiber.HeaderCacheControl} {
		if v := res.Peek(k); len(v) > 0 {
			h.Set(k, string(v))
		}
	}
	core.SetCookieHeader(h, ck)
	line := h.Get(fiber.HeaderSetCookie)
	if line == "" {
		return // an invalid cookie
	}
	res.DelCookie(ck.Name)
	res.Set(fiber.HeaderSetCookie, line)
	for _, k := range [...]string{fiber.HeaderVary, fiber.HeaderCacheControl} {
		res.Set(k, strings.Join(h.Values(k), ", "))
	}
}
