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
package fibersession

import (
	"bytes"
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
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise.
	// Default: the status code and its text.
	ErrorHandler func(c *fiber.Ctx, status int, err error) error
}

// New returns the middleware with the default Config.
func New(m *core.Manager) fiber.Handler { return NewWithConfig(m, Config{}) }

// NewWithConfig returns the middleware with cfg.
func NewWithConfig(m *core.Manager, cfg Config) fiber.Handler {
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c *fiber.Ctx, status int, err error) error {
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
		serr := s.Commit(c.UserContext())
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
	if t.apps.proxied(t.c.App()) {
		return t.c.IP()
	}
	addr, ok := netip.AddrFromSlice(t.c.Context().RemoteIP())
	if !ok {
		return t.c.IP()
	}
	b := addr.Unmap().AppendTo(t.ip[:0])
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appCache remembers whether the last Fiber app the middleware served reads
// the client address from a proxy header, as reading the app's Config
// copies it.
type appCache struct{ last atomic.Pointer[appProxy] }

type appProxy struct {
	app     *fiber.App
	proxied bool
}

func (a *appCache) proxied(app *fiber.App) bool {
	if p := a.last.Load(); p != nil && p.app == app {
		return p.proxied
	}
	p := &appProxy{app: app, proxied: app.Config().ProxyHeader != ""}
	a.last.Store(p)
	return p.proxied
}

// SetCookie sets ck on the response (replacing one of the same name) and
// marks the response as varying by cookie and not cacheable by shared
// caches. The Set-Cookie value is the one net/http would write, Expires
// and Max-Age alike.
func (t *transport) SetCookie(ck *http.Cookie) {
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
