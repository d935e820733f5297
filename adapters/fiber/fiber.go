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
	"bytes"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

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
	// cookie too large among them, see "Cookie size").
	// Default: logs err with the Manager's Config.Logger, and answers the
	// status code and its text.
	ErrorHandler func(c *fiber.Ctx, status int, err error) error
}

// New returns the middleware with the default Config.
func New(m *core.Manager) fiber.Handler { return NewWithConfig(m, Config{}) }

// NewWithConfig returns the middleware with cfg.
func NewWithConfig(m *core.Manager, cfg Config) fiber.Handler {
	if cfg.ErrorHandler == nil {
		logger := m.Config().Logger
		cfg.ErrorHandler = func(c *fiber.Ctx, status int, err error) error {
			logger.Error("session: request failed", slog.Int("status", status), slog.Any("error", err))
			return c.Status(status).SendString(http.StatusText(status))
		}
	}
	var apps appCache
	return func(c *fiber.Ctx) error {
		if cfg.Next != nil && cfg.Next(c) {
			return c.Next()
		}
		// One allocation per request holds the transport and the session
		// handle.
		t := &transport{c: c, apps: &apps}
		s := &t.session
		_ = m.StartIn(s, c.UserContext(), t) // a new Session and a transport: cannot fail
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

// From returns the request's session, or nil when the middleware did not
// run.
func From(c *fiber.Ctx) *core.Session {
	s, _ := c.Locals(Key).(*core.Session)
	return s
}

// transport is core.Transport over a fiber.Ctx. Strings Fiber returns live
// in buffers it reuses after the request, so the cookie, which the engine
// keeps as the session id, is copied; the engine copies the client IP and
// User-Agent itself when it keeps them.
type transport struct {
	c       *fiber.Ctx
	apps    *appCache
	session core.Session
	ip      [len("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]byte // the longest unmapped address
	refused []*CookieTooLargeError                               // cookies SetCookie did not send, at most one per name
}

func (t *transport) Cookie(name string) string { return strings.Clone(t.c.Cookies(name)) }

// BorrowCookie is Cookie without the copy, valid during the request
// (core.Transport).
func (t *transport) BorrowCookie(name string) string { return t.c.Cookies(name) }
func (t *transport) UserAgent() string               { return t.c.Get(fiber.HeaderUserAgent) }

// CopiesCookieValue reports that SetCookie copies the value (core.Transport).
func (*transport) CopiesCookieValue() bool { return true }

// ClientIP is c.IP(). Without a proxy header it formats the connection's
// address into the transport's own memory rather than a new string, as the
// engine copies what it keeps.
func (t *transport) ClientIP() string {
	if t.apps.get(t.c.App()).proxied {
		return t.c.IP()
	}
	addr, ok := netip.AddrFromSlice(t.c.Context().RemoteIP())
	if !ok {
		return t.c.IP()
	}
	b := addr.Unmap().AppendTo(t.ip[:0])
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appCache remembers what the middleware needs of the last Fiber app it
// served, as reading the app's Config copies it.
type appCache struct{ last atomic.Pointer[appInfo] }

type appInfo struct {
	app       *fiber.App
	proxied   bool // the client address comes from a proxy header
	readLimit int  // fiber.Config.ReadBufferSize
}

func (a *appCache) get(app *fiber.App) *appInfo {
	if p := a.last.Load(); p != nil && p.app == app {
		return p
	}
	cfg := app.Config()
	p := &appInfo{app: app, proxied: cfg.ProxyHeader != "", readLimit: cfg.ReadBufferSize}
	a.last.Store(p)
	return p
}

// SetCookie sets ck on the response (replacing one of the same name) and
// marks the response as varying by cookie and not cacheable by shared
// caches. The Set-Cookie value is the one net/http would write, Expires
// and Max-Age alike. A cookie the app could not read back is not sent (see
// "Cookie size"): the middleware reports it.
func (t *transport) SetCookie(ck *http.Cookie) {
	if !t.fits(ck) {
		return
	}
	bp := lines.Get().(*[]byte)
	defer lines.Put(bp)
	line := core.AppendSetCookie((*bp)[:0], ck)
	*bp = line
	if len(line) == 0 {
		return
	}
	h := &t.c.Response().Header
	h.DelCookie(ck.Name)
	h.SetCanonical(keySetCookie, line)
	switch v := h.Peek(fiber.HeaderVary); {
	case len(v) == 0:
		h.SetCanonical(keyVary, valCookie)
	case !hasToken(v, "Cookie"):
		h.SetCanonical(keyVary, append(append(line[:0], v...), ", Cookie"...))
	}
	const noCache = `no-cache="Set-Cookie"`
	switch cc := h.Peek(fiber.HeaderCacheControl); {
	case len(cc) == 0:
		h.SetCanonical(keyCacheControl, valNoCache)
	case !hasToken(cc, noCache):
		h.SetCanonical(keyCacheControl, append(append(line[:0], cc...), ", "+noCache...))
	}
}

// Canonical header keys and values, for SetCanonical.
var (
	keySetCookie    = []byte(fiber.HeaderSetCookie)
	keyVary         = []byte(fiber.HeaderVary)
	keyCacheControl = []byte(fiber.HeaderCacheControl)
	valCookie       = []byte("Cookie")
	valNoCache      = []byte(`no-cache="Set-Cookie"`)
)

// lines are scratch buffers for header values: fasthttp copies them.
var lines = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// hasToken reports whether the comma-separated list v holds token,
// ignoring case.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var part []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			part, v = v[:i], v[i+1:]
		} else {
			part, v = v, nil
		}
		if strings.EqualFold(string(bytes.TrimSpace(part)), token) {
			return true
		}
	}
	return false
}
