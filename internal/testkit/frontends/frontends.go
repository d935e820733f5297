// Package frontends serves one set of framework-neutral routes behind each
// registered front end on real listeners, and gives each a client with a
// cookie jar, so that a behaviour table runs unchanged against all of them.
// net/http (Manager.Middleware) is always there; importing
// internal/testkit/frameworks adds Gin, Echo v4, Echo v5 and Fiber v2.
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

	"github.com/ignitego/session/core"
)

// StartFunc serves routes with m behind one front end until the test ends.
type StartFunc func(t testing.TB, m *core.Manager, routes []Route, opt Options) *Server

var (
	regMu    sync.Mutex
	regNames = []string{"net/http"}
	regStart = map[string]StartFunc{"net/http": startNetHTTP}
)

// Register adds a front end; the frameworks' own front ends live in the
// module internal/testkit/frameworks, which registers them when imported,
// so that this package, and the root module's tests, need no framework.
func Register(name string, start StartFunc) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := regStart[name]; !dup {
		regNames = append(regNames, name)
	}
	regStart[name] = start
}

// Names lists the registered front ends, net/http first, in the order
// tables run them.
func Names() []string {
	regMu.Lock()
	defer regMu.Unlock()
	return append([]string(nil), regNames...)
}

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

// NewServer returns the Server of a front end listening at url; close stops
// it, once, and runs when the test ends.
func NewServer(t testing.TB, name, url string, close func()) *Server {
	s := &Server{Name: name, URL: url, close: close}
	t.Cleanup(s.Close)
	return s
}

// Serve serves h on a loopback httptest server until the test ends.
func Serve(t testing.TB, name string, h http.Handler) *Server {
	srv := httptest.NewServer(h)
	return NewServer(t, name, srv.URL, srv.Close)
}

// Close stops the server now (it also stops when the test ends).
func (s *Server) Close() { s.once.Do(s.close) }

// Start serves routes with m behind the named front end until the test ends.
func Start(t testing.TB, name string, m *core.Manager, routes []Route, opt Options) *Server {
	t.Helper()
	regMu.Lock()
	start := regStart[name]
	regMu.Unlock()
	if start == nil {
		t.Fatalf("frontends: unknown front end %q (the frameworks register when internal/testkit/frameworks is imported)", name)
	}
	return start(t, m, routes, opt)
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

func startNetHTTP(t testing.TB, m *core.Manager, routes []Route, opt Options) *Server {
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
	return Serve(t, "net/http", m.Middleware(mux))
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

// On returns the client as it talks to another server: the same cookie
// jar (cookies do not depend on the port) and connections, as a browser
// whose requests a load balancer sends to another instance.
func (c *Client) On(s *Server) *Client {
	cp := *c
	cp.srv = s
	return &cp
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
