package bench

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// userAgent is every request's User-Agent (ours binds a session to it).
const userAgent = "session-bench/1"

// target serves requests to one mounted application, in process.
type target interface {
	// prepare returns a function that serves one GET of path with the given
	// Cookie header ("" for none) and reports the response's status and
	// how many Set-Cookie headers it carried. The function reuses one
	// request and one response, resetting them each time.
	prepare(path, cookie string) func() (status, setCookies int)

	// cookies serves one GET of path and returns the Cookie header a
	// browser would send back.
	cookies(tb testing.TB, path string) string

	// listen serves the application on ln, with the framework's own
	// server, until tb ends.
	listen(tb testing.TB, ln net.Listener)
}

// httpTarget serves a net/http handler (Gin's and Echo's engines).
type httpTarget struct{ h http.Handler }

// discard is a reusable http.ResponseWriter that keeps only the headers.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header { return d.h }

func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(p)
	return len(p), nil
}

func (d *discard) WriteString(s string) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(s)
	return len(s), nil
}

func (d *discard) reset() {
	clear(d.h)
	d.status, d.n = 0, 0
}

func (t httpTarget) prepare(path, cookie string) func() (int, int) {
	tmpl := *httptest.NewRequest(http.MethodGet, path, nil)
	tmpl.Header.Set("User-Agent", userAgent)
	if cookie != "" {
		tmpl.Header.Set("Cookie", cookie)
	}
	req := new(http.Request)
	w := &discard{h: make(http.Header)}
	return func() (int, int) {
		// gorilla/sessions caches the sessions of a request in its context
		// and replaces *r to do so: start from the same request each time.
		*req = tmpl
		w.reset()
		t.h.ServeHTTP(w, req)
		if w.n != len(body) {
			return -w.status, len(w.h["Set-Cookie"])
		}
		return w.status, len(w.h["Set-Cookie"])
	}
}

func (t httpTarget) cookies(tb testing.TB, path string) string {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("User-Agent", userAgent)
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: status %d, want 200", path, rec.Code)
	}
	var pairs []string
	for _, c := range rec.Result().Cookies() {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	if len(pairs) == 0 {
		tb.Fatalf("GET %s: no Set-Cookie", path)
	}
	return strings.Join(pairs, "; ")
}

// fastTarget serves a Fiber application's fasthttp handler.
type fastTarget struct {
	app *fiber.App
	h   fasthttp.RequestHandler
}

func fiberTarget(app *fiber.App) fastTarget { return fastTarget{app: app, h: app.Handler()} }

var clientAddr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}

func (t fastTarget) request(path, cookie string) *fasthttp.Request {
	req := new(fasthttp.Request)
	req.Header.SetMethod(fasthttp.MethodGet)
	req.SetRequestURI(path)
	req.Header.Set("User-Agent", userAgent)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return req
}

func (t fastTarget) prepare(path, cookie string) func() (int, int) {
	tmpl := t.request(path, cookie)
	ctx := new(fasthttp.RequestCtx)
	ctx.Init(tmpl, clientAddr, nil)
	n := 0
	return func() (int, int) {
		// What fasthttp's server does between two requests on one
		// connection, bar the parsing.
		tmpl.CopyTo(&ctx.Request)
		ctx.Response.Reset()
		ctx.ResetUserValues()
		t.h(ctx)
		n = 0
		for range ctx.Response.Header.Cookies() {
			n++
		}
		status := ctx.Response.StatusCode()
		if string(ctx.Response.Body()) != body {
			status = -status
		}
		return status, n
	}
}

func (t fastTarget) cookies(tb testing.TB, path string) string {
	tb.Helper()
	ctx := new(fasthttp.RequestCtx)
	ctx.Init(t.request(path, ""), clientAddr, nil)
	t.h(ctx)
	if code := ctx.Response.StatusCode(); code != fasthttp.StatusOK {
		tb.Fatalf("GET %s: status %d, want 200", path, code)
	}
	var pairs []string
	for _, v := range ctx.Response.Header.Cookies() {
		var c fasthttp.Cookie
		if err := c.ParseBytes(v); err == nil {
			pairs = append(pairs, string(c.Key())+"="+string(c.Value()))
		}
	}
	if len(pairs) == 0 {
		tb.Fatalf("GET %s: no Set-Cookie", path)
	}
	return strings.Join(pairs, "; ")
}

func (t httpTarget) listen(tb testing.TB, ln net.Listener) {
	srv := &http.Server{Handler: t.h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
}

func (t fastTarget) listen(tb testing.TB, ln net.Listener) {
	go func() { _ = t.app.Listener(ln) }()
	tb.Cleanup(func() { _ = t.app.ShutdownWithTimeout(5 * time.Second) })
}
