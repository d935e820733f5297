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

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	echosession "github.com/ignitego/session/adapters/echo"
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

func Example() {
	m := manager(nil)
	defer m.Close()

	e := echo.New()
	e.Use(echosession.New(m))
	e.GET("/", func(c echo.Context) error {
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
	e.Use(echosession.NewWithConfig(m, echosession.Config{Skipper: func(c echo.Context) bool { return c.Path() == "/health" }}))
	var s any
	e.GET("/health", func(c echo.Context) error { s = c.Get(echosession.Key); return c.NoContent(http.StatusNoContent) })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Nil(t, s, "a skipped request has no session")
}

// setApp serves /set, which sets k=v in the session and answers with
// write, and /get, which answers k.
func setApp(m *core.Manager, write func(c echo.Context) error) *echo.Echo {
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	e.Use(echosession.New(m))
	e.GET("/set", func(c echo.Context) error {
		echosession.From(c).SetUserdata("k", "v")
		return write(c)
	})
	e.GET("/get", func(c echo.Context) error {
		return c.String(http.StatusOK, core.GetOr(echosession.From(c), "k", "none"))
	})
	return e
}

func TestHandlerErrorStillSaves(t *testing.T) {
	m := manager(t)
	defer m.Close()
	e := setApp(m, func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "no") })
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

// However the headers go out (through the Response, a Flush, or a handler
// writing to Response().Writer itself), the session is saved first, and a
// store failure replaces the handler's response with a 503.
func TestSavedBeforeTheHeadersHoweverTheyGoOut(t *testing.T) {
	writes := []struct {
		name  string
		write func(c echo.Context) error
	}{
		{"String", func(c echo.Context) error { return c.String(http.StatusOK, "body") }},
		{"WriteHeader then Write", func(c echo.Context) error {
			c.Response().WriteHeader(http.StatusOK)
			_, err := c.Response().Write([]byte("body"))
			return err
		}},
		{"Flush first", func(c echo.Context) error {
			c.Response().Flush()
			_, err := c.Response().Write([]byte("body"))
			return err
		}},
		{"Response().Writer directly", func(c echo.Context) error {
			_, err := c.Response().Writer.Write([]byte("body"))
			return err
		}},
		{"ResponseController Flush", func(c echo.Context) error {
			if err := http.NewResponseController(c.Response()).Flush(); err != nil {
				return err
			}
			_, err := c.Response().Write([]byte("body"))
			return err
		}},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			m := manager(t)
			defer m.Close()
			srv := httptest.NewServer(setApp(m, tt.write))
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
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, "body", body)
			_, body = get("/get")
			require.Equal(t, "v", body, "the session was saved and its cookie sent")

			cfg := core.DefaultConfig()
			cfg.Driver, cfg.Store = core.DriverNative, failingStore{memstore.New()}
			cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			down, err := core.New(cfg)
			require.NoError(t, err)
			defer down.Close()
			w := httptest.NewRecorder()
			setApp(down, tt.write).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/set", nil))
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			require.Equal(t, http.StatusText(http.StatusServiceUnavailable), w.Body.String(), "the handler's body is dropped")
			require.Empty(t, w.Header().Values("Set-Cookie"))
		})
	}
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newLogger(l *logBuf) *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func recoverMW(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				c.Error(fmt.Errorf("%v", r))
			}
		}()
		return next(c)
	}
}

// MatchIP with Echo's default RealIP: a client-supplied X-Forwarded-For
// decides the IP the session is bound to.
func TestMatchIPIgnoresForwardedHeaders(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store, cfg.MatchIP = core.DriverNative, memstore.New(), true
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	e := echo.New()
	e.Use(echosession.New(m))
	e.GET("/login", func(c echo.Context) error {
		echosession.From(c).SetUserdata("user", "ada")
		return c.String(200, "ok")
	})
	e.GET("/me", func(c echo.Context) error {
		u, _ := echosession.From(c).Userdata("user").(string)
		return c.String(200, u)
	})
	victim := httptest.NewRequest("GET", "/login", nil)
	victim.RemoteAddr = "198.51.100.7:5000"
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, victim)
	ck := rec.Result().Cookies()[0]

	attacker := httptest.NewRequest("GET", "/me", nil)
	attacker.RemoteAddr = "203.0.113.66:4000"
	attacker.AddCookie(ck)
	attacker.Header.Set("X-Forwarded-For", "198.51.100.7")
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, attacker)
	require.Empty(t, rec.Body.String(), "MatchIP bypassed with a spoofed X-Forwarded-For")
}

// Panic in a handler after the session was used: Recover (outside) writes
// the 500 after Release ran, and the middleware's writer must not save.
func TestPanicDoesNotUseAReleasedSession(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
	lw := &logBuf{}
	cfg.Logger = newLogger(lw)
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	e := echo.New()
	e.Use(recoverMW)
	e.Use(echosession.New(m))
	e.GET("/", func(c echo.Context) error {
		echosession.From(c).SetUserdata("x", 1)
		panic("boom")
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
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
	e.GET("/", func(c echo.Context) error {
		s := echosession.From(c)
		done := make(chan struct{})
		go func() { defer close(done); s.SetUserdata("audit", "seen") }()
		err := c.String(200, "ok")
		<-done
		return err
	})
	for range 50 {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	}
}

// A failed session is logged with the Manager's logger whichever error
// handler answers, and by the default one with Echo's logger too.
func TestFailureIsReported(t *testing.T) {
	custom := func(c echo.Context, status int, _ error) error {
		return c.String(http.StatusTeapot, fmt.Sprintf("custom %d", status))
	}
	for _, tc := range []struct {
		name       string
		handler    func(c echo.Context, status int, err error) error
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
			e.Logger.SetOutput(&echoLogs)
			e.Use(echosession.NewWithConfig(m, echosession.Config{ErrorHandler: tc.handler}))
			e.GET("/", func(c echo.Context) error {
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
		{"skipped", []echo.MiddlewareFunc{echosession.NewWithConfig(m, echosession.Config{Skipper: func(echo.Context) bool { return true }})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			e.Use(tc.use...)
			var got any
			e.GET("/", func(c echo.Context) error {
				defer func() { got = recover() }()
				echosession.From(c)
				return nil
			})
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, "echosession: no session on this route: add e.Use(echosession.New(m)) before it", got)
		})
	}
}
