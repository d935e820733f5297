// Package ginsession serves ignitego/session sessions to Gin handlers.
//
//	m, err := core.New(cfg)
//	router.Use(ginsession.New(m))
//	router.GET("/", func(c *gin.Context) {
//		s := ginsession.From(c)
//		s.SetUserdata("visits", core.GetOr(s, "visits", 0)+1)
//	})
//
// The middleware saves the session just before the response headers go out,
// even when the handler writes a body first (c.JSON, c.String, c.Redirect).
package ginsession

import (
	"bufio"
	"context"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ignitego/session/core"
)

// Key is the gin.Context key under which the middleware stores the
// request's *core.Session.
const Key = "session"

// Config configures the middleware.
type Config struct {
	// Skipper skips the middleware for the requests it returns true for:
	// they have no session.
	// Default: nil (no request is skipped).
	Skipper func(c *gin.Context) bool

	// ErrorHandler answers a request whose session could not be loaded or
	// saved, in place of the handler's response; status is
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise. The
	// middleware has reported err by then: logged with the Manager's
	// Config.Logger, and added to c.Errors (c.Error) for Gin's logger and
	// error middlewares.
	// Default: the status code and its text.
	ErrorHandler func(c *gin.Context, status int, err error)

	// ClientIP is the client address a new session records and MatchIP
	// compares. Behind proxies you trust (engine.SetTrustedProxies), use
	// func(c *gin.Context) string { return c.ClientIP() }.
	// Default: c.RemoteIP(), the connection's address, which a client
	// cannot forge with X-Forwarded-For.
	ClientIP func(c *gin.Context) string
}

// New returns the middleware with the default Config.
func New(m *core.Manager) gin.HandlerFunc { return NewWithConfig(m, Config{}) }

// NewWithConfig returns the middleware with cfg.
func NewWithConfig(m *core.Manager, cfg Config) gin.HandlerFunc {
	if cfg.ClientIP == nil {
		cfg.ClientIP = (*gin.Context).RemoteIP
	}
	answer := cfg.ErrorHandler
	if answer == nil {
		answer = func(c *gin.Context, status int, _ error) {
			c.Header("Content-Type", "text/plain; charset=utf-8")
			c.String(status, http.StatusText(status))
		}
	}
	cfg.ErrorHandler = func(c *gin.Context, status int, err error) {
		m.LogFailure(c.Request.Context(), status, err)
		_ = c.Error(err)
		answer(c, status, err)
	}
	cfgp := &cfg
	return func(c *gin.Context) {
		if cfg.Skipper != nil && cfg.Skipper(c) {
			c.Next()
			return
		}
		q := &request{t: transport{c: c, cfg: cfgp}}
		s, _ := m.Start(c.Request.Context(), &q.t) // a transport: cannot fail
		q.rw = core.ResponseWriter{ResponseWriter: c.Writer, Session: s, Request: &q.t}
		q.w = writer{ResponseWriter: c.Writer, rw: &q.rw}
		defer q.rw.Release()
		c.Set(Key, s)
		c.Writer = &q.w
		c.Next()
		q.rw.Finish()
	}
}

// From returns the request's session, as c.MustGet(Key).(*core.Session)
// does. Like c.MustGet, it panics when the middleware did not serve the
// request (not added before the route, or skipped by Config.Skipper), with
// a message that says how to add it; c.Get(Key) tells whether there is a
// session.
func From(c *gin.Context) *core.Session {
	v, _ := c.Get(Key)
	if s, ok := v.(*core.Session); ok {
		return s
	}
	panic("ginsession: no session on this route: add router.Use(ginsession.New(m)) before it")
}

// request is one request in the middleware, in one allocation: the writer
// Gin sees, the core.ResponseWriter under it, and the transport.
type request struct {
	w  writer
	rw core.ResponseWriter
	t  transport
}

// writer is Gin's ResponseWriter over a core.ResponseWriter, which commits
// the session before the first byte of the response goes out. Gin's
// WriteHeader only records the status; the headers go out with the first
// Write, WriteString, WriteHeaderNow, Flush or Hijack.
type writer struct {
	gin.ResponseWriter
	rw *core.ResponseWriter // over the ResponseWriter above
}

func (w *writer) WriteHeaderNow() {
	if w.rw.Commit() {
		w.ResponseWriter.WriteHeaderNow()
	}
}

func (w *writer) WriteString(s string) (int, error) {
	if !w.rw.Commit() {
		return len(s), nil
	}
	return w.ResponseWriter.WriteString(s)
}

func (w *writer) Write(p []byte) (int, error)                  { return w.rw.Write(p) }
func (w *writer) Flush()                                       { w.rw.Flush() }
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.rw.Hijack() }

// Unwrap returns the writer underneath, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// transport is the session's core.Transport over the gin.Context, and the
// core.Answerer of its ResponseWriter.
type transport struct {
	c   *gin.Context
	cfg *Config
}

func (t *transport) Cookie(name string) string { return core.CookieValue(t.c.Request.Header, name) }
func (t *transport) SetCookie(ck *http.Cookie) { core.SetCookieHeader(t.c.Writer.Header(), ck) }
func (t *transport) ClientIP() string          { return t.cfg.ClientIP(t.c) }
func (t *transport) UserAgent() string         { return t.c.Request.UserAgent() }

func (t *transport) Context() context.Context { return t.c.Request.Context() }

func (t *transport) Answer(status int, err error) {
	t.cfg.ErrorHandler(t.c, status, err)
	t.c.Abort()
}
