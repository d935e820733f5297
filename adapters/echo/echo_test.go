package echosession_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

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

func TestSkipperAndFrom(t *testing.T) {
	m := manager(t)
	defer m.Close()
	e := echo.New()
	e.Use(echosession.NewWithConfig(m, echosession.Config{Skipper: func(c echo.Context) bool { return c.Path() == "/health" }}))
	var s *core.Session
	e.GET("/health", func(c echo.Context) error { s = echosession.From(c); return c.NoContent(http.StatusNoContent) })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health", nil))
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Nil(t, s, "a skipped request has no session")
}

func TestHandlerErrorStillSaves(t *testing.T) {
	m := manager(t)
	defer m.Close()
	e := echo.New()
	e.Use(echosession.New(m))
	e.GET("/", func(c echo.Context) error {
		echosession.From(c).SetUserdata("k", "v")
		return echo.NewHTTPError(http.StatusTeapot, "no")
	})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusTeapot, w.Code, "Echo's error handler answers")
	require.NotEmpty(t, w.Header().Values("Set-Cookie"), "and the session was saved first")
}
