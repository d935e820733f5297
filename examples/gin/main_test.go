package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"github.com/ignitego/session/internal/testkit/testenv"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

var tokenField = regexp.MustCompile(`name="token" value="([0-9a-f]{64})"`)

type site struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
}

// start runs the app as main does, with its store, on a test server.
func start(t *testing.T, jar http.CookieJar) *site {
	m, closeStore, err := newManager()
	require.NoError(t, err)
	srv := httptest.NewServer(router(m))
	t.Cleanup(func() { srv.Close(); _ = m.Close(); closeStore() })
	return &site{t: t, srv: srv, client: &http.Client{Jar: jar}}
}

func (s *site) page(method, path string, form url.Values) string {
	s.t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = s.client.PostForm(s.srv.URL+path, form)
	} else {
		resp, err = s.client.Get(s.srv.URL + path)
	}
	require.NoError(s.t, err)
	defer resp.Body.Close()
	require.Equal(s.t, http.StatusOK, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func token(t *testing.T, page string) string {
	m := tokenField.FindStringSubmatch(page)
	require.NotNil(t, m, "the page carries a CSRF token")
	return m[1]
}

func TestSite(t *testing.T) {
	for _, store := range []string{"sqlite", "cookie", "memory"} {
		t.Run(store, func(t *testing.T) {
			t.Setenv("SESSION_STORE", store)
			t.Setenv("SESSION_DATA_DIR", t.TempDir())
			testSite(t, store != "memory")
		})
	}
}

// TestSiteOnServers follows the README: the same site on PostgreSQL,
// MariaDB or Redis, through SESSION_STORE and SESSION_DSN.
func TestSiteOnServers(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		srv := testenv.Postgres(t)
		table := testenv.Name("example")
		t.Setenv("SESSION_STORE", "postgres")
		t.Setenv("SESSION_DSN", srv.DSN)
		t.Setenv("SESSION_TABLE", table)
		t.Cleanup(func() { dropTables(t, "postgres", table) })
		testSite(t, true)
	})
	t.Run("mysql", func(t *testing.T) {
		srv := testenv.MySQL(t)
		table := testenv.Name("example")
		t.Setenv("SESSION_STORE", "mysql")
		t.Setenv("SESSION_DSN", srv.DSN)
		t.Setenv("SESSION_TABLE", table)
		t.Cleanup(func() { dropTables(t, "mysql", table) })
		testSite(t, true)
	})
	t.Run("redis", func(t *testing.T) {
		srv := testenv.Redis(t)
		prefix := testenv.Name("example") + ":"
		t.Setenv("SESSION_STORE", "redis")
		t.Setenv("SESSION_DSN", srv.Addr)
		t.Setenv("SESSION_PREFIX", prefix)
		t.Cleanup(func() { deleteKeys(t, srv.Addr, prefix) })
		testSite(t, true)
	})
}

func dropTables(t *testing.T, kind, table string) {
	db, err := openDB(kind)
	if err != nil {
		t.Error(err)
		return
	}
	for _, tb := range []string{table, table + "_locks"} {
		if err := db.Migrator().DropTable(tb); err != nil {
			t.Error(err)
		}
	}
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

func deleteKeys(t *testing.T, addr, prefix string) {
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	keys, err := c.Keys(ctx, prefix+"*").Result()
	if err == nil && len(keys) > 0 {
		err = c.Del(ctx, keys...).Err()
	}
	if err != nil {
		t.Error(err)
	}
}

func testSite(t *testing.T, survivesRestart bool) {
	jar, _ := cookiejar.New(nil)
	s := start(t, jar)

	home := s.page(http.MethodGet, "/", nil)
	require.Contains(t, home, `id="visits">1<`)
	require.Contains(t, home, "Log in")

	bad := s.page(http.MethodPost, "/login", url.Values{"name": {"Ada"}, "token": {"forged"}})
	require.Contains(t, bad, "The form expired")
	require.NotContains(t, bad, `id="user"`)

	page := s.page(http.MethodPost, "/login", url.Values{"name": {"Ada"}, "token": {token(t, bad)}})
	require.Contains(t, page, "Welcome, Ada!", "the flash message after the redirect")
	require.Contains(t, page, `id="user">Ada<`)
	require.Contains(t, page, `id="visits">3<`)

	page = s.page(http.MethodGet, "/", nil)
	require.NotContains(t, page, "Welcome, Ada!", "a flash message shows once")
	require.Contains(t, page, `id="visits">4<`)

	if !survivesRestart {
		return
	}
	// A restart: a new process with the same store keeps the session.
	s.srv.Close()
	s = start(t, jar)
	page = s.page(http.MethodGet, "/", nil)
	require.Contains(t, page, `id="user">Ada<`)
	require.Contains(t, page, `id="visits">5<`)

	page = s.page(http.MethodPost, "/logout", url.Values{"token": {token(t, page)}})
	require.Contains(t, page, "You are logged out.")
	require.NotContains(t, page, `id="user"`)
	require.Contains(t, page, `id="visits">1<`, "the destroyed session's counter is gone")
}
