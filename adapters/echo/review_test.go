package echosession_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	echosession "github.com/ignitego/session/adapters/echo"
	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

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
