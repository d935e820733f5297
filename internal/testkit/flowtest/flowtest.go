// Package flowtest runs whole request flows against a store, through every
// front end registered with internal/testkit/frontends, with the native
// driver, for the stores' own tests: a session round trip, an outage and its
// recovery, and garbage collection on the Manager's schedule.
//
// Each function needs a store that no other test uses while it runs.
package flowtest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// quiet discards the engine's log: the outages the tests cause on purpose
// would fill it.
var quiet = slog.New(slog.DiscardHandler)

// Manager returns a Manager with the native driver on st, closed when the
// test ends; tweak, when not nil, adjusts the configuration first.
func Manager(t testing.TB, st core.Store, tweak func(*core.Config)) *core.Manager {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.Store = st
	cfg.Logger = quiet
	if tweak != nil {
		tweak(&cfg)
	}
	m, err := core.New(cfg)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// Routes are the routes every flow uses:
//
//	GET /set?v=X   sets userdata "v" to X
//	GET /get       answers userdata "v" ("" when unset)
//	GET /flash     sets flashdata "msg" and redirects to /show (303)
//	GET /show      answers flashdata "msg"
//	GET /destroy   destroys the session
func Routes() []frontends.Route {
	return []frontends.Route{
		{Method: http.MethodGet, Path: "/set", Handle: func(c frontends.Ctx) {
			c.Session().SetUserdata("v", c.Query("v"))
			c.String(http.StatusOK, "ok")
		}},
		{Method: http.MethodGet, Path: "/get", Handle: func(c frontends.Ctx) {
			c.String(http.StatusOK, core.GetOr(c.Session(), "v", ""))
		}},
		{Method: http.MethodGet, Path: "/flash", Handle: func(c frontends.Ctx) {
			c.Session().SetFlashdata("msg", "saved")
			c.Redirect(http.StatusSeeOther, "/show")
		}},
		{Method: http.MethodGet, Path: "/show", Handle: func(c frontends.Ctx) {
			msg, _ := c.Session().Flashdata("msg").(string)
			c.String(http.StatusOK, msg)
		}},
		{Method: http.MethodGet, Path: "/destroy", Handle: func(c frontends.Ctx) {
			c.Session().Destroy()
			c.String(http.StatusOK, "bye")
		}},
	}
}

// want fails the test unless r has the status and body.
func want(t testing.TB, what string, r *frontends.Response, status int, body string) {
	t.Helper()
	if r.Status != status || r.Body != body {
		t.Fatalf("%s: got %d %q, want %d %q", what, r.Status, r.Body, status, body)
	}
}

// stored reports whether st holds a session under id.
func stored(t testing.TB, st core.Store, id string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, found, err := st.Load(ctx, id)
	if err != nil {
		t.Fatalf("Load(%s…): %v", id[:min(6, len(id))], err)
	}
	return found
}

// RoundTrip runs, for each front end: set data, read it back on the next
// request, a flash message across a redirect, and destroy, checking the
// store itself along the way.
func RoundTrip(t *testing.T, st core.Store) {
	for _, name := range frontends.Names() {
		t.Run(name, func(t *testing.T) {
			m := Manager(t, st, nil)
			srv := frontends.Start(t, name, m, Routes(), frontends.Options{})
			c := srv.NewClient(t, "")
			cookie := m.CookieName(core.DriverNative)
			value := "hello from " + name

			want(t, "set", c.Get("/set?v="+strings.ReplaceAll(value, " ", "+")), http.StatusOK, "ok")
			id := c.Cookie(cookie)
			if !core.ValidID(id) {
				t.Fatalf("session cookie after set: got %q, want a session id", id)
			}
			if !stored(t, st, id) {
				t.Fatalf("store after set: got no session under the cookie's id, want one")
			}
			want(t, "get", c.Get("/get"), http.StatusOK, value)

			r := c.Get("/flash")
			if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || loc != "/show" {
				t.Fatalf("flash: got %d to %q, want 303 to /show", r.Status, loc)
			}
			want(t, "show after the redirect", c.Get("/show"), http.StatusOK, "saved")
			want(t, "show again", c.Get("/show"), http.StatusOK, "")
			want(t, "get after the flash", c.Get("/get"), http.StatusOK, value)

			want(t, "destroy", c.Get("/destroy"), http.StatusOK, "bye")
			if got := c.Cookie(cookie); got != "" {
				t.Fatalf("session cookie after destroy: got %q, want none", got)
			}
			if stored(t, st, id) {
				t.Fatalf("store after destroy: got the session still there, want it gone")
			}
			want(t, "get after destroy", c.Get("/get"), http.StatusOK, "")
		})
	}
}

// Fault takes a store's backend down and brings it back.
type Fault interface {
	Cut()
	Restore()
}

// Outage checks, for each front end, that a session written before the
// store goes down answers 503 (the default error handler) while it is down,
// that the store's own error wraps its cause, and that after Restore the
// same application serves the session again, data intact.
func Outage(t *testing.T, st core.Store, f Fault) {
	for _, name := range frontends.Names() {
		t.Run(name, func(t *testing.T) {
			m := Manager(t, st, nil)
			srv := frontends.Start(t, name, m, Routes(), frontends.Options{})
			c := srv.NewClient(t, "")
			want(t, "set before the outage", c.Get("/set?v=before"), http.StatusOK, "ok")
			id := c.Cookie(m.CookieName(core.DriverNative))

			f.Cut()
			restored := false
			defer func() {
				if !restored {
					f.Restore()
				}
			}()
			if r := c.Get("/get"); r.Status != http.StatusServiceUnavailable {
				t.Fatalf("get while the store is down: got %d %q, want 503", r.Status, r.Body)
			}
			if r := c.Get("/set?v=during"); r.Status != http.StatusServiceUnavailable {
				t.Fatalf("set while the store is down: got %d %q, want 503", r.Status, r.Body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, found, err := st.Load(ctx, id)
			if err == nil || found {
				t.Fatalf("Load while the store is down: got found=%v, err=%v; want an error", found, err)
			}
			if errors.Unwrap(err) == nil {
				t.Fatalf("Load while the store is down: got %q, which wraps nothing; want it to wrap the cause", err)
			}
			t.Logf("while down: %v", err)

			f.Restore()
			restored = true
			want(t, "get after the outage", c.Get("/get"), http.StatusOK, "before")
			want(t, "set after the outage", c.Get("/set?v=after"), http.StatusOK, "ok")
			want(t, "get after the outage", c.Get("/get"), http.StatusOK, "after")
		})
	}
}

// Slow checks that a store honours a context deadline while its backend is
// slow: slow(d) delays every exchange with the backend by d (0 restores).
func Slow(t *testing.T, st core.Store, slow func(d time.Duration)) {
	const (
		delay    = 2 * time.Second
		deadline = 150 * time.Millisecond
	)
	id := storetest.NewID()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := st.Save(ctx, id, []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Save: %v", err)
	}
	defer func() { _ = st.Delete(ctx, id) }()

	slow(delay)
	defer slow(0)
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Load", func(ctx context.Context) error { _, _, err := st.Load(ctx, id); return err }},
		{"Save", func(ctx context.Context) error { return st.Save(ctx, id, []byte("y"), time.Now().Add(time.Hour)) }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			cctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			err := c.call(cctx)
			took := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%s on a slow store with a %s deadline: got %v, want an error wrapping context.DeadlineExceeded", c.name, deadline, err)
			}
			if took >= delay {
				t.Fatalf("%s on a slow store with a %s deadline took %s, want less than the %s delay", c.name, deadline, took, delay)
			}
		})
	}
	slow(0)
	if !stored(t, st, id) {
		t.Fatal("Load after the store is fast again: got not found, want the session")
	}
}

// Hang checks that a request whose store hangs fails within
// Config.StoreTimeout, for each front end: slow(d) delays every exchange
// with the backend by d (0 restores). The client sets no deadline of its
// own; the engine's must end the request, with 503, and the session is
// served again once the store answers.
func Hang(t *testing.T, st core.Store, slow func(d time.Duration)) {
	const timeout = 300 * time.Millisecond
	for _, fe := range frontends.Names() {
		t.Run(fe, func(t *testing.T) {
			m := Manager(t, st, func(c *core.Config) { c.StoreTimeout = timeout })
			srv := frontends.Start(t, fe, m, Routes(), frontends.Options{})
			c := srv.NewClient(t, "")
			want(t, "set", c.Get("/set?v=kept"), http.StatusOK, "ok")

			slow(time.Hour)
			start := time.Now()
			r := c.Get("/get")
			took := time.Since(start)
			slow(0)
			if r.Status != http.StatusServiceUnavailable {
				t.Fatalf("a request while the store hangs: got %d %q, want 503", r.Status, r.Body)
			}
			if took > timeout+2*time.Second {
				t.Fatalf("a request while the store hangs took %s, want about the %s StoreTimeout", took, timeout)
			}
			want(t, "the session once the store answers", c.Get("/get"), http.StatusOK, "kept")
		})
	}
}

// Collect checks garbage collection through the Manager: on its schedule
// (a short Config.GCInterval) and on demand with Manager.Collect, and that
// Close leaves no goroutine behind. holds reports whether the store still
// holds id in any form, expired or not (a row, a file).
func Collect(t *testing.T, st core.Store, holds func(t testing.TB, id string) bool) {
	if _, ok := st.(core.Collector); !ok {
		t.Fatalf("%T has no Collector ability", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	plant := func(n int) []string {
		t.Helper()
		ids := make([]string, n)
		for i := range ids {
			ids[i] = storetest.NewID()
			if err := st.Save(ctx, ids[i], []byte("old"), time.Now().Add(-time.Minute)); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if !holds(t, ids[i]) {
				t.Fatalf("store after saving an expired session: got nothing held, want the expired session kept until collected")
			}
		}
		return ids
	}
	waitGone := func(what string, ids []string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for _, id := range ids {
			for holds(t, id) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: got expired sessions still held after 10s, want them collected", what)
				}
				time.Sleep(10 * time.Millisecond) // polling a real-time schedule
			}
		}
	}
	live := storetest.NewID()
	if err := st.Save(ctx, live, []byte("live"), time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Save: %v", err)
	}
	defer func() { _ = st.Delete(context.Background(), live) }()

	// baseline warms the backend's connection pool with two connections,
	// as many as a test and the collector use at once, so that goroutines a
	// driver keeps per connection are in the count it returns.
	baseline := func() int {
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := st.Load(ctx, live); err != nil {
					t.Errorf("Load: %v", err)
				}
			}()
		}
		wg.Wait()
		n, _ := ourGoroutines()
		return n
	}

	t.Run("schedule", func(t *testing.T) {
		expired := plant(5)
		before := baseline()
		m, err := core.New(config(st, 20*time.Millisecond))
		if err != nil {
			t.Fatalf("core.New: %v", err)
		}
		waitGone("on the schedule", expired)
		if !stored(t, st, live) {
			t.Fatal("live session after collection: got not found, want it kept")
		}
		if err := m.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		waitGoroutines(t, before)
	})

	t.Run("on demand", func(t *testing.T) {
		m, err := core.New(config(st, -1))
		if err != nil {
			t.Fatalf("core.New: %v", err)
		}
		defer m.Close()
		expired := plant(3)
		n, err := m.Collect(ctx)
		if err != nil || n != len(expired) {
			t.Fatalf("Manager.Collect: got %d, %v; want %d, nil", n, err, len(expired))
		}
		for _, id := range expired {
			if holds(t, id) {
				t.Fatal("after Manager.Collect: got an expired session still held, want it removed")
			}
		}
		if !stored(t, st, live) {
			t.Fatal("live session after Manager.Collect: got not found, want it kept")
		}
		if n, err := m.Collect(ctx); err != nil || n != 0 {
			t.Fatalf("Manager.Collect with nothing expired: got %d, %v; want 0, nil", n, err)
		}
	})
}

func config(st core.Store, gcInterval time.Duration) core.Config {
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.Store = st
	cfg.GCInterval = gcInterval
	cfg.GCBatch = 2
	cfg.Logger = quiet
	return cfg
}

// waitGoroutines fails the test unless the goroutine count falls back to
// at most before within a few seconds.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		now, stacks := ourGoroutines()
		if now <= before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines running the library's code after Close: got %d, want at most %d as before\n%s", now, before, stacks)
		}
		time.Sleep(10 * time.Millisecond) // polling the runtime
	}
}

// ourGoroutines counts the goroutines running this module's non-test code
// (the Manager's collector, say), leaving out the test's own and those of
// client libraries (a database driver keeps one per pooled connection).
func ourGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	var ours []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") || strings.Contains(g, "flowtest.") {
			continue
		}
		if strings.Contains(g, "github.com/ignitego/session/core") || strings.Contains(g, "github.com/ignitego/session/stores") ||
			strings.Contains(g, "github.com/ignitego/session/adapters") {
			count++
			ours = append(ours, g)
		}
	}
	return count, strings.Join(ours, "\n\n")
}
