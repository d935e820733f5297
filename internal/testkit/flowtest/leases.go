package flowtest

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// LongHandler checks, with Config.Lock and a lease of 300ms, that a
// handler running for a second (several leases) keeps its session's lock:
// a request on the same session that arrives meanwhile waits for it, and
// both increments count.
func LongHandler(t *testing.T, st core.Store) {
	m := Manager(t, st, func(c *core.Config) {
		c.Lock, c.LockLease, c.LockTimeout = true, 300*time.Millisecond, 10*time.Second
	})
	srv := frontends.Start(t, "net/http", m, []frontends.Route{
		{Method: http.MethodGet, Path: "/incr", Handle: func(c frontends.Ctx) {
			n := core.GetOr(c.Session(), "n", 0)
			if c.Query("slow") != "" {
				time.Sleep(time.Second)
			}
			c.Session().SetUserdata("n", n+1)
			c.String(http.StatusOK, strconv.Itoa(n+1))
		}},
	}, frontends.Options{})
	c := srv.NewClient(t, "")
	want(t, "the first increment", c.Get("/incr"), http.StatusOK, "1")

	var wg sync.WaitGroup
	wg.Add(1)
	var slow *frontends.Response
	go func() {
		defer wg.Done()
		slow = c.Get("/incr?slow=1")
	}()
	time.Sleep(400 * time.Millisecond) // past the slow handler's first lease
	fast := c.Get("/incr")
	wg.Wait()
	want(t, "the slow increment", slow, http.StatusOK, "2")
	want(t, "the increment that waited for it", fast, http.StatusOK, "3")
}

// PastClock checks that a Config.Now years behind the wall clock does not
// keep sessions from persisting: the store gets their lifetime on its own
// clock.
func PastClock(t *testing.T, st core.Store) {
	past := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	m := Manager(t, st, func(c *core.Config) { c.Now = func() time.Time { return past } })
	srv := frontends.Start(t, "net/http", m, Routes(), frontends.Options{})
	c := srv.NewClient(t, "")
	want(t, "set", c.Get("/set?v=kept"), http.StatusOK, "ok")
	want(t, "get", c.Get("/get"), http.StatusOK, "kept")
	if id := c.Cookie(m.CookieName(core.DriverNative)); !stored(t, st, id) {
		t.Fatal("the store holds nothing under the session's id")
	}
}
