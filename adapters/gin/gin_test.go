package ginsession_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	ginsession "github.com/ignitego/session/adapters/gin"
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
	gin.SetMode(gin.ReleaseMode)
	m := manager(nil)
	defer m.Close()

	r := gin.New()
	r.Use(ginsession.New(m))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		visits := core.GetOr(s, "visits", 0) + 1
		s.SetUserdata("visits", visits)
		c.String(http.StatusOK, "visit %d", visits)
	})

	srv := httptest.NewServer(r)
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
	gin.SetMode(gin.ReleaseMode)
	m := manager(t)
	defer m.Close()
	r := gin.New()
	r.Use(ginsession.NewWithConfig(m, ginsession.Config{Skipper: func(c *gin.Context) bool { return c.Request.URL.Path == "/health" }}))
	var exists bool
	r.GET("/health", func(c *gin.Context) { _, exists = c.Get(ginsession.Key); c.Status(http.StatusNoContent) })
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusNoContent, w.Code)
	require.False(t, exists, "a skipped request has no session")
}

// Outer middlewares read the response through c.Writer after the session
// middleware returns (Gin's Logger calls Status and Size).
func TestOuterMiddlewareReadsTheWriter(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	m := manager(t)
	defer m.Close()
	r := gin.New()
	var status, size int
	r.Use(func(c *gin.Context) {
		c.Next()
		status, size = c.Writer.Status(), c.Writer.Size()
	})
	r.Use(ginsession.New(m))
	r.GET("/", func(c *gin.Context) {
		ginsession.From(c).SetUserdata("k", 1)
		c.String(http.StatusCreated, "hello")
	})
	for range 3 {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		require.Equal(t, http.StatusCreated, w.Code)
		require.Equal(t, http.StatusCreated, status)
		require.Equal(t, 5, size)
	}
}

func TestMatchIPIgnoresForwardedHeaders(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store, cfg.MatchIP = core.DriverNative, memstore.New(), true
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	r := gin.New()
	r.Use(ginsession.New(m))
	r.GET("/login", func(c *gin.Context) { ginsession.From(c).SetUserdata("user", "ada"); c.String(200, "ok") })
	r.GET("/me", func(c *gin.Context) { u, _ := ginsession.From(c).Userdata("user").(string); c.String(200, u) })
	v := httptest.NewRequest("GET", "/login", nil)
	v.RemoteAddr = "198.51.100.7:5000"
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, v)
	ck := rec.Result().Cookies()[0]
	a := httptest.NewRequest("GET", "/me", nil)
	a.RemoteAddr = "203.0.113.66:4000"
	a.AddCookie(ck)
	a.Header.Set("X-Forwarded-For", "198.51.100.7")
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, a)
	require.Empty(t, rec.Body.String(), "MatchIP bypassed with a spoofed X-Forwarded-For")
}

// A streaming handler that sends its headers first and reads the session
// afterwards (auth check): at rotation time the store rotates, no cookie can
// go out, and the user is logged out once RotationGrace passes.
func TestReadAfterTheHeadersKeepsTheSession(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	now := time.Now()
	clock := func() time.Time { return now }
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store, cfg.Now = core.DriverNative, memstore.New(), clock
	var logs bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	r := gin.New()
	r.Use(ginsession.New(m))
	r.GET("/login", func(c *gin.Context) { ginsession.From(c).SetUserdata("user", "ada"); c.String(200, "ok") })
	r.GET("/stream", func(c *gin.Context) {
		c.Writer.WriteHeaderNow()
		u, _ := ginsession.From(c).Userdata("user").(string)
		_, _ = c.Writer.WriteString(u)
	})
	r.GET("/me", func(c *gin.Context) { u, _ := ginsession.From(c).Userdata("user").(string); c.String(200, u) })
	do := func(path string, ck *http.Cookie) *httptest.ResponseRecorder {
		q := httptest.NewRequest("GET", path, nil)
		if ck != nil {
			q.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, q)
		return rec
	}
	ck := do("/login", nil).Result().Cookies()[0]
	now = now.Add(6 * time.Minute)
	rec := do("/stream", ck)
	require.Equal(t, "ada", rec.Body.String())
	require.Empty(t, rec.Result().Cookies())
	now = now.Add(11 * time.Second)
	require.Equal(t, "ada", do("/me", ck).Body.String(), "logged out by a read-only streaming request; logs: %s", logs.String())
}

// A failed session is reported through the Manager's logger and through
// c.Error, so that Gin's logger and error middlewares see it, whichever
// error handler answers; gin.New() has no middleware that would.
func TestFailureIsReported(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	custom := func(c *gin.Context, status int, _ error) { c.String(http.StatusTeapot, "custom %d", status) }
	for _, tc := range []struct {
		name       string
		handler    func(c *gin.Context, status int, err error)
		wantStatus int
	}{
		{"default error handler", nil, http.StatusInternalServerError},
		{"custom error handler", custom, http.StatusTeapot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := core.DefaultConfig()
			cfg.Driver, cfg.Store = core.DriverNative, memstore.New()
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			m, err := core.New(cfg)
			require.NoError(t, err)
			defer m.Close()
			r := gin.New()
			var reported []error
			r.Use(func(c *gin.Context) {
				c.Next()
				for _, e := range c.Errors {
					reported = append(reported, e.Err)
				}
			})
			r.Use(ginsession.NewWithConfig(m, ginsession.Config{ErrorHandler: tc.handler}))
			r.GET("/", func(c *gin.Context) {
				ginsession.From(c).SetUserdata("fn", func() {})
				c.String(http.StatusOK, "ok")
			})
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, tc.wantStatus, w.Code)
			require.Len(t, reported, 1, "c.Errors: got %v", reported)
			var ee *core.EncodeError
			require.True(t, errors.As(reported[0], &ee), "got %v, want a *core.EncodeError", reported[0])
			require.Contains(t, logs.String(), `level=ERROR msg="session: request failed" status=500`)
			require.Contains(t, logs.String(), `cannot encode key \"fn\"`)
		})
	}
}

// From on a route the middleware did not serve panics with a message that
// says how to add it, as c.MustGet would, whether the middleware is missing
// or skipped the request.
func TestFromWithoutTheMiddleware(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	m := manager(t)
	defer m.Close()
	for _, tc := range []struct {
		name string
		use  []gin.HandlerFunc
	}{
		{"no middleware", nil},
		{"skipped", []gin.HandlerFunc{ginsession.NewWithConfig(m, ginsession.Config{Skipper: func(*gin.Context) bool { return true }})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gin.New()
			r.Use(tc.use...)
			var got any
			r.GET("/", func(c *gin.Context) {
				defer func() { got = recover() }()
				ginsession.From(c)
			})
			r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, "ginsession: no session on this route: add router.Use(ginsession.New(m)) before it", got)
		})
	}
}
