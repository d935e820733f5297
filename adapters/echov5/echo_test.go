package echosession_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/stretchr/testify/require"

	echosession "github.com/ignitego/session/adapters/echov5"
	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

func manager(t testing.TB) *core.Manager {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	m, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// downManager is a manager whose store fails every save.
func downManager(t testing.TB) *core.Manager {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, failingStore{memstore.New()}
	cfg.Logger = slog.New(slog.DiscardHandler)
	m, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func Example() {
	m := manager(nil)
	defer m.Close()

	e := echo.New()
	e.Use(echosession.New(m))
	e.GET("/", func(c *echo.Context) error {
		s := echosession.From(c)
		visits := core.GetOr(s, "visits", 0) + 1
		s.SetUserdata("visits", visits)
		return c.String(http.StatusOK, fmt.Sprintf("visit %d", visits))
	})

	srv := httptest.NewServer(e)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for range 2 {
		resp, _ := client.Get(srv.URL)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
	// Output:
	// visit 1
	// visit 2
}

func TestSkipper(t *testing.T) {
	m := manager(t)
	defer m.Close()
	e := echo.New()
	e.Use(echosession.NewWithConfig(m, echosession.Config{Skipper: func(c *echo.Context) bool { return c.Path() == "/health" }}))
	var s any
	e.GET("/health", func(c *echo.Context) error { s = c.Get(echosession.Key); return c.NoContent(http.StatusNoContent) })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Nil(t, s, "a skipped request has no session")
}

// setApp serves /set, which sets k=v in the session and answers with
// write, and /get, which answers k. The outer middlewares run before the
// session middleware.
func setApp(m *core.Manager, write func(c *echo.Context) error, outer ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.Logger = slog.New(slog.DiscardHandler)
	e.Use(outer...)
	e.Use(echosession.New(m))
	e.GET("/set", func(c *echo.Context) error {
		echosession.From(c).SetUserdata("k", "v")
		return write(c)
	})
	e.GET("/get", func(c *echo.Context) error {
		return c.String(http.StatusOK, core.GetOr(echosession.From(c), "k", "none"))
	})
	return e
}

func TestHandlerErrorStillSaves(t *testing.T) {
	m := manager(t)
	defer m.Close()
	e := setApp(m, func(*echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "no") })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/set", nil))
	require.Equal(t, http.StatusTeapot, w.Code, "Echo's error handler answers")
	require.NotEmpty(t, w.Header().Values("Set-Cookie"), "and the session was saved first")
}

// failingStore loads nothing and fails every save, as a store that is down.
type failingStore struct{ core.Store }

func (failingStore) Save(context.Context, string, []byte, time.Time) error {
	return errors.New("store is down")
}

// hideResponse puts a writer that does not unwrap to Echo's Response over
// the context's response.
func hideResponse(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		prev := c.Response()
		c.SetResponse(struct{ http.ResponseWriter }{prev})
		defer c.SetResponse(prev)
		return next(c)
	}
}

// However the headers go out (through the Response, a Flush, a handler
// writing to the Response's ResponseWriter itself, or a writer above that
// holds the response back until the middleware has returned), the session
// is saved first, and a store failure replaces the handler's response with
// a 503.
func TestSavedBeforeTheHeadersHoweverTheyGoOut(t *testing.T) {
	writeBody := func(c *echo.Context) error { return c.String(http.StatusOK, "body") }
	writes := []struct {
		name   string
		write  func(c *echo.Context) error
		outer  []echo.MiddlewareFunc
		status int    // of /set; 0 means 200
		body   string // of /set
	}{
		{name: "String", write: writeBody, body: "body"},
		{name: "JSON", write: func(c *echo.Context) error { return c.JSON(http.StatusOK, "body") }, body: "\"body\"\n"},
		{name: "WriteHeader then Write", write: func(c *echo.Context) error {
			c.Response().WriteHeader(http.StatusOK)
			_, err := c.Response().Write([]byte("body"))
			return err
		}, body: "body"},
		{name: "Flush first", write: func(c *echo.Context) error {
			c.Response().(http.Flusher).Flush()
			_, err := c.Response().Write([]byte("body"))
			return err
		}, body: "body"},
		{name: "the Response's ResponseWriter directly", write: func(c *echo.Context) error {
			res, err := echo.UnwrapResponse(c.Response())
			if err != nil {
				return err
			}
			_, err = res.ResponseWriter.Write([]byte("body"))
			return err
		}, body: "body"},
		{name: "ResponseController Flush", write: func(c *echo.Context) error {
			if err := http.NewResponseController(c.Response()).Flush(); err != nil {
				return err
			}
			_, err := c.Response().Write([]byte("body"))
			return err
		}, body: "body"},
		{name: "nothing written", write: func(*echo.Context) error { return nil }},
		{name: "an error returned", write: func(*echo.Context) error {
			return echo.NewHTTPError(http.StatusTeapot, "no")
		}, status: http.StatusTeapot, body: "{\"message\":\"no\"}\n"},
		{name: "Gzip above", write: writeBody, outer: []echo.MiddlewareFunc{middleware.Gzip()}, body: "body"},
		{name: "Gzip above holding a short body back", write: writeBody,
			outer: []echo.MiddlewareFunc{middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024})}, body: "body"},
		{name: "a writer above that hides the Response", write: writeBody, outer: []echo.MiddlewareFunc{hideResponse}, body: "body"},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			m := manager(t)
			defer m.Close()
			srv := httptest.NewServer(setApp(m, tt.write, tt.outer...))
			defer srv.Close()
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar}
			get := func(path string) (int, string) {
				resp, err := client.Get(srv.URL + path)
				require.NoError(t, err)
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, string(b)
			}
			status, body := get("/set")
			want := tt.status
			if want == 0 {
				want = http.StatusOK
			}
			require.Equal(t, want, status)
			require.Equal(t, tt.body, body)
			_, body = get("/get")
			require.Equal(t, "v", body, "the session was saved and its cookie sent")

			var logged int // the status a request logger outside everything sees
			logStatus := func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c *echo.Context) error {
					err := next(c)
					if res, uerr := echo.UnwrapResponse(c.Response()); uerr == nil {
						logged = res.Status
					}
					return err
				}
			}
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/set", nil)
			r.Header.Set(echo.HeaderAcceptEncoding, "gzip")
			setApp(downManager(t), tt.write, append([]echo.MiddlewareFunc{logStatus}, tt.outer...)...).ServeHTTP(w, r)
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			require.Equal(t, http.StatusServiceUnavailable, logged, "the Response records the status sent")
			require.Equal(t, http.StatusText(http.StatusServiceUnavailable), w.Body.String(), "the handler's body is dropped")
			require.Empty(t, w.Header().Values("Set-Cookie"))
			require.Empty(t, w.Header().Get(echo.HeaderContentEncoding), "the error handler's body is not compressed")
		})
	}
}

// A custom error handler that answers with JSON while the handler's own
// JSON is being written: only the error handler's body goes out.
func TestCustomErrorHandlerAnswersAlone(t *testing.T) {
	writes := []struct {
		name  string
		write func(c *echo.Context) error
	}{
		{"String", func(c *echo.Context) error { return c.String(http.StatusOK, "body") }},
		{"JSON", func(c *echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"k": "v"}) }},
		{"nothing written", func(*echo.Context) error { return nil }},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			e.Logger = slog.New(slog.DiscardHandler)
			e.Use(echosession.NewWithConfig(downManager(t), echosession.Config{
				ErrorHandler: func(c *echo.Context, status int, err error) error {
					return c.JSON(status, map[string]any{"store": errors.Is(err, core.ErrStore)})
				},
			}))
			e.GET("/", func(c *echo.Context) error {
				echosession.From(c).SetUserdata("k", "v")
				return tt.write(c)
			})
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			require.Equal(t, "{\"store\":true}\n", w.Body.String())
			require.Equal(t, echo.MIMEApplicationJSON, w.Header().Get(echo.HeaderContentType))
		})
	}
}

// With AutoHandleHEAD, a GET route answers HEAD through a writer that holds
// the headers back until the route's middlewares have returned: the session
// middleware on the route still saves before they go out.
func TestAutoHandledHEAD(t *testing.T) {
	app := func(m *core.Manager) *echo.Echo {
		e := echo.NewWithConfig(echo.Config{
			Router: echo.NewRouter(echo.RouterConfig{AutoHandleHEAD: true}),
			Logger: slog.New(slog.DiscardHandler),
		})
		mw := echosession.New(m)
		e.GET("/set", func(c *echo.Context) error {
			echosession.From(c).SetUserdata("k", "v")
			return c.String(http.StatusOK, "body")
		}, mw)
		e.GET("/get", func(c *echo.Context) error {
			return c.String(http.StatusOK, core.GetOr(echosession.From(c), "k", "none"))
		}, mw)
		return e
	}
	m := manager(t)
	defer m.Close()
	e := app(m)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/set", nil))
	require.Equal(t, http.StatusOK, w.Code)
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1, "the HEAD response carries the session cookie")
	r := httptest.NewRequest(http.MethodGet, "/get", nil)
	r.AddCookie(cookies[0])
	w = httptest.NewRecorder()
	e.ServeHTTP(w, r)
	require.Equal(t, "v", w.Body.String())

	var logged int // the status a request logger outside everything sees
	e = app(downManager(t))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			err := next(c)
			if res, uerr := echo.UnwrapResponse(c.Response()); uerr == nil {
				logged = res.Status
			}
			return err
		}
	})
	w = httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/set", nil))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, http.StatusServiceUnavailable, logged, "the Response records the status sent")
	require.Empty(t, w.Header().Values("Set-Cookie"))
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newLogger(l *logBuf) *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// MatchIP binds the session to the client address: the connection's, which
// a client-supplied X-Forwarded-For cannot change, unless the Echo instance
// has an IPExtractor for the proxies it trusts.
func TestMatchIP(t *testing.T) {
	tests := []struct {
		name        string
		extractor   echo.IPExtractor
		victim      func(r *http.Request)
		other       func(r *http.Request)
		wantSession string // what the other request sees
	}{
		{
			name: "a spoofed X-Forwarded-For is ignored",
			victim: func(r *http.Request) {
				r.RemoteAddr = "198.51.100.7:5000"
			},
			other: func(r *http.Request) {
				r.RemoteAddr = "203.0.113.66:4000"
				r.Header.Set(echo.HeaderXForwardedFor, "198.51.100.7")
			},
			wantSession: "",
		},
		{
			name:      "the IPExtractor decides behind a trusted proxy",
			extractor: echo.ExtractIPFromXFFHeader(),
			victim: func(r *http.Request) {
				r.RemoteAddr = "10.0.0.1:5000"
				r.Header.Set(echo.HeaderXForwardedFor, "198.51.100.7")
			},
			other: func(r *http.Request) {
				r.RemoteAddr = "10.0.0.2:4000"
				r.Header.Set(echo.HeaderXForwardedFor, "198.51.100.7")
			},
			wantSession: "ada",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := core.DefaultConfig()
			cfg.Driver, cfg.Store, cfg.MatchIP = core.DriverNative, memstore.New(), true
			m, err := core.New(cfg)
			require.NoError(t, err)
			defer m.Close()
			e := echo.New()
			e.IPExtractor = tt.extractor
			e.Use(echosession.New(m))
			e.GET("/login", func(c *echo.Context) error {
				echosession.From(c).SetUserdata("user", "ada")
				return c.String(http.StatusOK, "ok")
			})
			e.GET("/me", func(c *echo.Context) error {
				u, _ := echosession.From(c).Userdata("user").(string)
				return c.String(http.StatusOK, u)
			})
			login := httptest.NewRequest(http.MethodGet, "/login", nil)
			tt.victim(login)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, login)
			cookies := rec.Result().Cookies()
			require.Len(t, cookies, 1)

			me := httptest.NewRequest(http.MethodGet, "/me", nil)
			tt.other(me)
			me.AddCookie(cookies[0])
			rec = httptest.NewRecorder()
			e.ServeHTTP(rec, me)
			require.Equal(t, tt.wantSession, rec.Body.String())
		})
	}
}

// Panic in a handler after the session was used: Recover (outside) makes
// Echo write the 500 after Release ran, and the middleware's writer must
// not save.
func TestPanicDoesNotUseAReleasedSession(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	lw := &logBuf{}
	cfg.Logger = newLogger(lw)
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	e := echo.New()
	e.Use(middleware.Recover())
	e.Use(echosession.New(m))
	e.GET("/", func(c *echo.Context) error {
		echosession.From(c).SetUserdata("x", 1)
		panic("boom")
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.NotContains(t, lw.String(), "used after its request ended")
}

// The Session is documented safe for concurrent use by a request's
// goroutines: a first use in a goroutine, while the handler writes the
// response, must not race with the middleware's save.
func TestFirstUseInAGoroutine(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	e := echo.New()
	e.Use(echosession.New(m))
	e.GET("/", func(c *echo.Context) error {
		s := echosession.From(c)
		done := make(chan struct{})
		go func() { defer close(done); s.SetUserdata("audit", "seen") }()
		err := c.String(http.StatusOK, "ok")
		<-done
		return err
	})
	for range 50 {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		require.Equal(t, http.StatusOK, rec.Code)
	}
}

// A failed session is logged with the Manager's logger whichever error
// handler answers, and by the default one with Echo's logger too.
func TestFailureIsReported(t *testing.T) {
	custom := func(c *echo.Context, status int, _ error) error {
		return c.String(http.StatusTeapot, fmt.Sprintf("custom %d", status))
	}
	for _, tc := range []struct {
		name       string
		handler    func(c *echo.Context, status int, err error) error
		wantStatus int
		echoLog    bool // Echo's logger has the error too
	}{
		{"default error handler", nil, http.StatusInternalServerError, true},
		{"custom error handler", custom, http.StatusTeapot, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs, echoLogs logBuf
			cfg := core.DefaultConfig()
			cfg.Driver, cfg.Store, cfg.Logger = core.DriverNative, memstore.New(), newLogger(&logs)
			m, err := core.New(cfg)
			require.NoError(t, err)
			defer m.Close()
			e := echo.New()
			e.Logger = newLogger(&echoLogs)
			e.Use(echosession.NewWithConfig(m, echosession.Config{ErrorHandler: tc.handler}))
			e.GET("/", func(c *echo.Context) error {
				echosession.From(c).SetUserdata("fn", func() {})
				return c.String(http.StatusOK, "ok")
			})
			w := httptest.NewRecorder()
			e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, tc.wantStatus, w.Code)
			require.Contains(t, logs.String(), `level=ERROR msg="session: request failed" status=500`)
			require.Contains(t, logs.String(), `cannot encode key \"fn\"`)
			require.Equal(t, tc.echoLog, strings.Contains(echoLogs.String(), `cannot encode key \"fn\"`), "Echo's log: %s", echoLogs.String())
		})
	}
}

// From on a route the middleware did not serve panics with a message that
// says how to add it, whether the middleware is missing or skipped the
// request.
func TestFromWithoutTheMiddleware(t *testing.T) {
	m := manager(t)
	defer m.Close()
	for _, tc := range []struct {
		name string
		use  []echo.MiddlewareFunc
	}{
		{"no middleware", nil},
		{"skipped", []echo.MiddlewareFunc{echosession.NewWithConfig(m, echosession.Config{Skipper: func(*echo.Context) bool { return true }})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			e.Use(tc.use...)
			var got any
			e.GET("/", func(c *echo.Context) error {
				defer func() { got = recover() }()
				echosession.From(c)
				return nil
			})
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, "echosession: no session on this route: add e.Use(echosession.New(m)) before it", got)
		})
	}
}
