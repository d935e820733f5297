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
	// core.ErrorStatus(err): 503 for a store failure, 500 otherwise.
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
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c *gin.Context, status int, err error) {
			_ = c.Error(err)
			c.Header("Content-Type", "text/plain; charset=utf-8")
			c.String(status, http.StatusText(status))
		}
	}
	cfgp := &cfg
	return func(c *gin.Context) {
		if cfg.Skipper != nil && cfg.Skipper(c) {
			c.Next()
			return
		}
		// One allocation per request holds the writer, which is also the
		// transport, and the session handle.
		w := &writer{ResponseWriter: c.Writer, c: c, cfg: cfgp}
		s := &w.session
		_ = m.StartIn(s, c.Request.Context(), w) // a new Session and a transport: cannot fail
		defer func() {
			// A panic unwinding past here may still write through w (a
			// recovery middleware): the session is released, not saved.
			w.committed = true
			s.Release()
		}()
		c.Set(Key, s)
		c.Writer = w
		c.Next()
		if !w.committed {
			w.commit()
			return
		}
		if !w.failed {
			_ = s.Save(c.Request.Context()) // reports a change made after the headers went out (logged when it happened)
		}
	}
}

// From returns the request's session; it panics, like c.MustGet, when the
// middleware did not run.
func From(c *gin.Context) *core.Session { return c.MustGet(Key).(*core.Session) }

// writer saves the session before the first byte of the response goes out.
// Gin's WriteHeader only records the status; the headers go out with the
// first Write, WriteString, WriteHeaderNow, Flush or Hijack.
type writer struct {
	gin.ResponseWriter
	session core.Session
	c       *gin.Context
	cfg     *Config

	committed bool
	answering bool // the error handler is writing: let it through
	failed    bool // the error handler answered: drop the handler's response
}

// commit saves the session and reports whether the handler's response may
// go out.
func (w *writer) commit() bool {
	if w.answering {
		return true
	}
	if w.committed {
		return !w.failed
	}
	w.committed = true
	err := w.session.Commit(w.c.Request.Context())
	status := core.ErrorStatus(err)
	if status == 0 {
		return true
	}
	h := w.ResponseWriter.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	h.Del("Location")
	w.answering = true
	w.cfg.ErrorHandler(w.c, status, err)
	w.answering = false
	w.failed = true
	w.c.Abort()
	return false
}

func (w *writer) WriteHeaderNow() {
	if w.commit() {
		w.ResponseWriter.WriteHeaderNow()
	}
}

func (w *writer) Write(p []byte) (int, error) {
	if !w.commit() {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

func (w *writer) WriteString(s string) (int, error) {
	if !w.commit() {
		return len(s), nil
	}
	return w.ResponseWriter.WriteString(s)
}

func (w *writer) Flush() {
	if w.commit() {
		w.ResponseWriter.Flush()
	}
}

func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, http.ErrNotSupported
	}
	return w.ResponseWriter.Hijack()
}

// The writer is the session's core.Transport over the gin.Context.

func (w *writer) Cookie(name string) string { return core.CookieValue(w.c.Request.Header, name) }
func (w *writer) SetCookie(ck *http.Cookie) { core.SetCookieHeader(w.ResponseWriter.Header(), ck) }
func (w *writer) ClientIP() string          { return w.cfg.ClientIP(w.c) }
func (w *writer) UserAgent() string         { return w.c.Request.UserAgent() }

// CopiesCookieValue reports that SetCookie copies the value (core.Transport).
func (*writer) CopiesCookieValue() bool { return true }

// Unwrap returns the writer underneath, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
