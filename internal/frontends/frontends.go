// Package frontends serves one set of framework-neutral routes behind each of
// the module's front ends (net/http Manager.Middleware, Gin, Echo v4 and Fiber
// v2) on real listeners, and gives each a client with a cookie jar, so that a
// behaviour table runs unchanged against all four.
package frontends

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"

	echosession "github.com/ignitego/session/adapters/echo"
	fibersession "github.com/ignitego/session/adapters/fiber"
	ginsession "github.com/ignitego/session/adapters/gin"
	"github.com/ignitego/session/core"
)

// Names lists the front ends, in the order tables run them.
var Names = []string{"net/http", "gin", "echo", "fiber"}

// Ctx is what a route handler sees, whatever the framework.
type Ctx interface {
	Session() *core.Session
	Context() context.Context // the request's context, as the framework gives it
	Query(key string) string
	Header(key, value string) // sets a response header
	String(status int, body string)
	Redirect(status int, location string)
}

// Route is a framework-neutral route.
type Route struct {
	Method string
	Path   string
	Handle func(c Ctx)
}

// Options tune the middlewares.
type Options struct {
	// ErrorHandler, when set, replaces every front end's default error
	// handler: it answers with the status and body it returns.
	ErrorHandler func(status int, err error) (int, string)
}

// Server is one front end serving the routes.
type Server struct {
	Name  string
	URL   string
	close func()
	once  sync.Once
}

// Close stops the server now (it also stops when the test ends).
func (s *Server) Close() { s.once.Do(s.close) }

// Start serves routes with m behind the named front end until the test ends.
func Start(t testing.TB, name string, m *core.Manager, routes []Route, opt Options) *Server {
	t.Helper()
	var h http.Handler
	switch name {
	case "net/http":
		h = netHTTP(t, m, routes, opt)
	case "gin":
		h = ginEngine(m, routes, opt)
	case "echo":
		h = echoServer(m, routes, opt)
	case "fiber":
		return fiberServer(t, m, routes, opt)
	default:
		t.Fatalf("frontends: unknown front end %q", name)
	}
	srv := httptest.NewServer(h)
	s := &Server{Name: name, URL: srv.URL, close: srv.Close}
	t.Cleanup(s.Close)
	return s
}

// --- net/http

type httpCtx struct {
	w http.ResponseWriter
	r *http.Request
}

func (c *httpCtx) Session() *core.Session   { return core.FromContext(c.r.Context()) }
func (c *httpCtx) Context() context.Context { return c.r.Context() }
func (c *httpCtx) Query(k string) string    { return c.r.URL.Query().Get(k) }
func (c *httpCtx) Header(k, v string)       { c.w.Header().Set(k, v) }
func (c *httpCtx) Redirect(s int, l string) { http.Redirect(c.w, c.r, l, s) }
func (c *httpCtx) String(s int, b string) {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(s)
	_, _ = io.WriteString(c.w, b)
}

func netHTTP(t testing.TB, m *core.Manager, routes []Route, opt Options) http.Handler {
	if opt.ErrorHandler != nil {
		cfg := m.Config()
		cfg.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, status int, err error) {
			s, body := opt.ErrorHandler(status, err)
			w.WriteHeader(s)
			_, _ = io.WriteString(w, body)
		}
		var err error
		if m, err = core.New(cfg); err != nil {
			t.Fatalf("frontends: %v", err)
		}
		t.Cleanup(func() { _ = m.Close() })
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		rt := rt
		mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
			rt.Handle(&httpCtx{w: w, r: r})
		})
	}
	return m.Middleware(mux)
}

// --- Gin

type ginCtx struct{ c *gin.Context }

func (c ginCtx) Session() *core.Session   { return ginsession.From(c.c) }
func (c ginCtx) Context() context.Context { return c.c.Request.Context() }
func (c ginCtx) Query(k string) string    { return c.c.Query(k) }
func (c ginCtx) Header(k, v string)       { c.c.Header(k, v) }
func (c ginCtx) String(s int, b string)   { c.c.String(s, "%s", b) }
func (c ginCtx) Redirect(s int, l string) { c.c.Redirect(s, l) }

func ginEngine(m *core.Manager, routes []Route, opt Options) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	cfg := ginsession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c *gin.Context, status int, err error) {
			s, body := opt.ErrorHandler(status, err)
			c.String(s, "%s", body)
		}
	}
	r.Use(ginsession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		rt := rt
		r.Handle(rt.Method, rt.Path, func(c *gin.Context) { rt.Handle(ginCtx{c}) })
	}
	return r
}

// --- Echo

type echoCtx struct{ c echo.Context }

func (c echoCtx) Session() *core.Session   { return echosession.From(c.c) }
func (c echoCtx) Context() context.Context { return c.c.Request().Context() }
func (c echoCtx) Query(k string) string    { return c.c.QueryParam(k) }
func (c echoCtx) Header(k, v string)       { c.c.Response().Header().Set(k, v) }
func (c echoCtx) String(s int, b string)   { _ = c.c.String(s, b) }
func (c echoCtx) Redirect(s int, l string) { _ = c.c.Redirect(s, l) }

func echoServer(m *core.Manager, routes []Route, opt Options) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	cfg := echosession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c echo.Context, status int, err error) error {
			s, body := opt.ErrorHandler(status, err)
			return c.String(s, body)
		}
	}
	e.Use(echosession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		rt := rt
		e.Add(rt.Method, rt.Path, func(c echo.Context) error { rt.Handle(echoCtx{c}); return nil })
	}
	return e
}

// --- Fiber

type fiberCtx struct{ c *fiber.Ctx }

func (c fiberCtx) Session() *core.Session   { return fibersession.From(c.c) }
func (c fiberCtx) Context() context.Context { return c.c.UserContext() }
func (c fiberCtx) Query(k string) string    { return c.c.Query(k) }
func (c fiberCtx) Header(k, v string)       { c.c.Set(k, v) }
func (c fiberCtx) String(s int, b string)   { _ = c.c.Status(s).SendString(b) }
func (c fiberCtx) Redirect(s int, l string) { _ = c.c.Redirect(l, s) }

func fiberServer(t testing.TB, m *core.Manager, routes []Route, opt Options) *Server {
	// A 16 KiB read buffer (fasthttp's default is 4 KiB) lets oversized
	// cookies reach the session middleware instead of failing with 431.
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: 16 << 10})
	cfg := fibersession.Config{}
	if opt.ErrorHandler != nil {
		cfg.ErrorHandler = func(c *fiber.Ctx, status int, err error) error {
			s, body := opt.ErrorHandler(status, err)
			return c.Status(s).SendString(body)
		}
	}
	app.Use(fibersession.NewWithConfig(m, cfg))
	for _, rt := range routes {
		rt := rt
		app.Add(rt.Method, rt.Path, func(c *fiber.Ctx) error { rt.Handle(fiberCtx{c}); return nil })
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("frontends: listen: %v", err)
	}
	go func() { _ = app.Listener(ln) }()
	s := &Server{Name: "fiber", URL: "http://" + ln.Addr().String(), close: func() { _ = app.ShutdownWithTimeout(5 * time.Second) }}
	t.Cleanup(s.Close)
	return s
}

// --- Client

// Client talks to one Server with a cookie jar, like a browser.
type Client struct {
	t      testing.TB
	srv    *Server
	http   *http.Client
	Jar    http.CookieJar
	Header http.Header // sent with every request
	tr     *http.Transport
}

// Close closes the client's idle connections.
func (c *Client) Close() { c.tr.CloseIdleConnections() }

// NewClient returns a client with an empty cookie jar. localIP, when not
// empty, is the loopback address the client connects from (127.0.0.2, say),
// so that the server sees another client IP.
func (s *Server) NewClient(t testing.TB, localIP string) *Client {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if localIP != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(localIP)}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: localIP != ""}
	t.Cleanup(tr.CloseIdleConnections)
	return &Client{
		t: t, srv: s, Jar: jar, Header: http.Header{}, tr: tr,
		http: &http.Client{
			Jar:           jar,
			Transport:     tr,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Response is what the server answered.
type Response struct {
	Status int
	Body   string
	Header http.Header
}

// SetCookies returns the Set-Cookie headers that name the cookie.
func (r *Response) SetCookies(name string) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Do sends one request and reads the whole answer.
func (c *Client) Do(method, path string) *Response {
	c.t.Helper()
	resp, err := c.Send(method, path, nil)
	if err != nil {
		c.t.Fatalf("%s %s %s: %v", c.srv.Name, method, path, err)
	}
	return resp
}

// Get is Do with GET.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(http.MethodGet, path)
}

// Send sends one request with extra headers and returns the answer or the
// transport error.
func (c *Client) Send(method, path string, header http.Header) (*Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.srv.URL+path, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Body: string(body), Header: resp.Header}, nil
}

// Cookie returns the value the jar holds for the named cookie, "" if none.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// SetCookie puts a cookie in the jar, as if the server had set it.
func (c *Client) SetCookie(name, value string) {
	u, _ := url.Parse(c.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// Join joins strings with "," (a small helper for route bodies).
func Join(parts ...string) string { return strings.Join(parts, ",") }
