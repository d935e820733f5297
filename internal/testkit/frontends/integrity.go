package frontends

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/ignitego/session/core"
)

// IntegrityKey is the cookie-driver key the integrity checks use.
var IntegrityKey = []byte("integrity-test-key-0123456789-abcdef")

// integrityManager returns a Manager on st for driver ("native" or
// "cookie+db"), with lock set as asked.
func integrityManager(t *testing.T, st core.Store, driver string, lock bool) *core.Manager {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.Store, cfg.EncryptionKey, cfg.Lock = st, IntegrityKey, lock
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if driver == "cookie+db" {
		cfg.UseDatabase = true
	} else {
		cfg.Driver = driver
	}
	m, err := core.New(cfg)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// integrityRoutes: /start creates the session, /put?k= sets one key,
// /incr increments a counter, /dump lists the keys and the counter.
func integrityRoutes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/start", Handle: func(c Ctx) {
			c.Session().SetUserdata("n", 0)
			c.String(http.StatusOK, "ok")
		}},
		{Method: http.MethodGet, Path: "/put", Handle: func(c Ctx) {
			c.Session().SetUserdata("key-"+c.Query("k"), c.Query("k"))
			c.String(http.StatusOK, "ok")
		}},
		{Method: http.MethodGet, Path: "/incr", Handle: func(c Ctx) {
			s := c.Session()
			s.SetUserdata("n", core.GetOr(s, "n", 0)+1)
			c.String(http.StatusOK, "ok")
		}},
		{Method: http.MethodGet, Path: "/dump", Handle: func(c Ctx) {
			s := c.Session()
			found := 0
			for i := range 50 {
				if s.Userdata("key-"+strconv.Itoa(i)) == strconv.Itoa(i) {
					found++
				}
			}
			c.String(http.StatusOK, fmt.Sprintf("%d %v", found, s.Userdata("n")))
		}},
	}
}

// parallel sends n requests to path at once with one cookie jar, and fails
// the test for any answer other than 200.
func parallel(t *testing.T, c *Client, n int, path func(i int) string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Send(http.MethodGet, path(i), nil)
			switch {
			case err != nil:
				errs <- err.Error()
			case r.Status != http.StatusOK:
				errs <- fmt.Sprintf("%s: status %d: %s", path(i), r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Integrity checks, through the front end fe with st behind driver
// ("native" or "cookie+db"), that 50 concurrent requests on one session,
// each setting its own key, leave all 50 keys, and that with Config.Lock on,
// 50 concurrent increments of one counter leave exactly 50.
func Integrity(t *testing.T, fe string, st core.Store, driver string) {
	t.Run("50 concurrent writers keep every key", func(t *testing.T) {
		srv := Start(t, fe, integrityManager(t, st, driver, false), integrityRoutes(), Options{})
		c := srv.NewClient(t, "")
		if r := c.Get("/start"); r.Status != http.StatusOK {
			t.Fatalf("start: got %d %q", r.Status, r.Body)
		}
		parallel(t, c, 50, func(i int) string { return "/put?k=" + strconv.Itoa(i) })
		if got := c.Get("/dump").Body; got != "50 0" {
			t.Fatalf("after 50 concurrent writers: got %q, want %q (keys found, counter)", got, "50 0")
		}
	})
	t.Run("50 concurrent increments with Lock count 50", func(t *testing.T) {
		srv := Start(t, fe, integrityManager(t, st, driver, true), integrityRoutes(), Options{})
		c := srv.NewClient(t, "")
		if r := c.Get("/start"); r.Status != http.StatusOK {
			t.Fatalf("start: got %d %q", r.Status, r.Body)
		}
		parallel(t, c, 50, func(int) string { return "/incr" })
		if got := c.Get("/dump").Body; got != "0 50" {
			t.Fatalf("after 50 concurrent increments: got %q, want %q (keys found, counter)", got, "0 50")
		}
	})
}
