package ginsession_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

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
