package core_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

var testKey = []byte("core-test-key-0123456789-abcdefghij")

// browser holds cookies across requests, like a cookie jar.
type browser struct {
	mu      sync.Mutex
	cookies map[string]string
	ua, ip  string
}

func newBrowser() *browser {
	return &browser{cookies: map[string]string{}, ua: "core-test", ip: "192.0.2.1"}
}

// exchange is one request of a browser: it sees the cookies the browser had
// when it started, and hands the cookies it receives back at done.
type exchange struct {
	b       *browser
	cookies map[string]string
	set     []*http.Cookie
}

func (b *browser) exchange() *exchange {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := make(map[string]string, len(b.cookies))
	for k, v := range b.cookies {
		c[k] = v
	}
	return &exchange{b: b, cookies: c}
}

func (x *exchange) Cookie(name string) string { return x.cookies[name] }
func (x *exchange) SetCookie(c *http.Cookie)  { cp := *c; x.set = append(x.set, &cp) }
func (x *exchange) ClientIP() string          { return x.b.ip }
func (x *exchange) UserAgent() string         { return x.b.ua }

// done stores the cookies the response set in the browser.
func (x *exchange) done() {
	x.b.mu.Lock()
	defer x.b.mu.Unlock()
	for _, c := range x.set {
		if c.MaxAge < 0 {
			delete(x.b.cookies, c.Name)
		} else {
			x.b.cookies[c.Name] = c.Value
		}
	}
}

// req is one request in flight.
type req struct {
	*core.Session
	x *exchange
}

func (b *browser) start(t testing.TB, m *core.Manager) *req {
	t.Helper()
	x := b.exchange()
	s, err := m.Start(context.Background(), x)
	require.NoError(t, err)
	return &req{Session: s, x: x}
}

// finish saves the request and hands its cookies to the browser.
func (r *req) finish(t testing.TB) {
	t.Helper()
	require.NoError(t, r.Save(context.Background()))
	r.Release()
	r.x.done()
}

// do runs one whole request.
func (b *browser) do(t testing.TB, m *core.Manager, fn func(s *core.Session)) {
	t.Helper()
	r := b.start(t, m)
	fn(r.Session)
	r.finish(t)
}

// plainStore hides every optional ability of the store it wraps.
type plainStore struct{ core.Store }

type setup struct {
	name   string
	driver string
	store  func() core.Store
}

// storeSetups are the store-backed ways to run the engine.
func storeSetups() []setup {
	return []setup{
		{"native/memstore", core.DriverNative, func() core.Store { return memstore.New() }},
		{"cookie+db/memstore", "cookie+db", func() core.Store { return memstore.New() }},
		{"native/plain store", core.DriverNative, func() core.Store { return plainStore{memstore.New()} }},
	}
}

func newManager(t testing.TB, driver string, st core.Store, clock *frontends.Clock, change ...func(*core.Config)) *core.Manager {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.EncryptionKey = testKey
	cfg.Store = st
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if clock != nil {
		cfg.Now = clock.Now
	}
	switch driver {
	case "cookie+db":
		cfg.UseDatabase = true
	default:
		cfg.Driver = driver
	}
	for _, c := range change {
		c(&cfg)
	}
	m, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func TestConcurrentRequestsKeepEachOthersWrites(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			m := newManager(t, su.driver, su.store(), nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdataMap(map[string]any{"base": 1, "gone": 2}) })

			r1, r2 := b.start(t, m), b.start(t, m)
			require.Equal(t, 1, r1.Userdata("base"))
			require.Equal(t, 1, r2.Userdata("base"))
			r1.SetUserdata("a", "from r1")
			r1.UnsetUserdata("gone")
			r2.SetUserdata("b", "from r2")
			r2.SetFlashdata("f", "flash from r2")
			r1.finish(t)
			r2.finish(t)

			b.do(t, m, func(s *core.Session) {
				all := s.AllUserdata()
				require.Equal(t, "from r1", all["a"])
				require.Equal(t, "from r2", all["b"])
				require.Equal(t, 1, all["base"])
				require.NotContains(t, all, "gone", "r1's unset survives r2's save")
				require.Equal(t, "flash from r2", s.Flashdata("f"))
			})
		})
	}
}

func TestFiftyConcurrentRequestsLoseNothing(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("start", true) })
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := b.exchange()
			s, _ := m.Start(context.Background(), x)
			s.SetUserdata(fmt.Sprintf("key%02d", i), i)
			errs <- s.Save(context.Background())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	b.do(t, m, func(s *core.Session) {
		for i := range n {
			require.Equal(t, i, s.Userdata(fmt.Sprintf("key%02d", i)), "key%02d", i)
		}
	})
}

func TestSameKeyLastWriterWins(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("k", "v0") })
	r1, r2 := b.start(t, m), b.start(t, m)
	r1.SetUserdata("k", "v1")
	r2.SetUserdata("k", "v2")
	r1.finish(t)
	r2.finish(t)
	b.do(t, m, func(s *core.Session) { require.Equal(t, "v2", s.Userdata("k")) })
}

func TestDestroyWinsOverConcurrentSave(t *testing.T) {
	for _, su := range storeSetups() {
		t.Run(su.name, func(t *testing.T) {
			st := su.store()
			m := newManager(t, su.driver, st, nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
			slow := b.start(t, m)
			id := slow.ID()
			b.do(t, m, func(s *core.Session) { s.Destroy() })
			slow.SetUserdata("after", "destroy")
			slow.finish(t)
			_, found, err := st.Load(context.Background(), id)
			require.NoError(t, err)
			require.False(t, found, "a destroyed session never comes back")
			b.do(t, m, func(s *core.Session) {
				require.Nil(t, s.Userdata("user"))
				require.Nil(t, s.Userdata("after"))
			})
		})
	}
}

func TestRegenerateWinsOverConcurrentSave(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	slow := b.start(t, m)
	oldID := slow.ID()
	b.do(t, m, func(s *core.Session) { s.Regenerate(false) })
	slow.SetUserdata("x", 1)
	slow.finish(t)
	_, found, _ := st.Load(context.Background(), oldID)
	require.False(t, found, "the old id stays gone")
}

func TestRotationForwardsRequestsInFlight(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	oldID := b.cookies["ci_session"]

	clock.Advance(4 * time.Minute)
	inflight := b.start(t, m) // loads before the rotation
	require.Equal(t, "ada", inflight.Userdata("user"))
	clock.Advance(2 * time.Minute)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "ada", s.Userdata("user"))
		require.NotEqual(t, oldID, s.ID(), "rotated")
	})
	newID := b.cookies["ci_session"]
	require.NotEqual(t, oldID, newID)

	inflight.SetUserdata("from", "in flight")
	require.NoError(t, inflight.Save(context.Background()))
	require.NotEmpty(t, inflight.x.set, "the in-flight response learns the new id")
	require.Equal(t, newID, inflight.x.set[len(inflight.x.set)-1].Value)
	b.do(t, m, func(s *core.Session) { require.Equal(t, "in flight", s.Userdata("from")) })

	// A write that reached the old id just before the rotation is merged
	// into the new one.
	clock.Advance(6 * time.Minute)
	racer := b.start(t, m)
	_ = racer.Userdata("user")
	clock.Advance(0)
	other := b.start(t, m) // same instant: rotates too
	other.SetUserdata("other", "yes")
	other.finish(t)
	racer.SetUserdata("racer", "yes")
	racer.finish(t)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "yes", s.Userdata("other"))
		require.Equal(t, "yes", s.Userdata("racer"))
	})
}

func TestFlashAgeingYieldsToConcurrentFlash(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetFlashdata("notice", "first") })
	ager := b.start(t, m)
	require.Equal(t, "first", ager.Flashdata("notice"))
	b.do(t, m, func(s *core.Session) { s.SetFlashdata("notice", "second") })
	ager.finish(t) // its ageing of "first" must not touch "second"
	b.do(t, m, func(s *core.Session) { require.Equal(t, "second", s.Flashdata("notice")) })
	b.do(t, m, func(s *core.Session) { require.Nil(t, s.Flashdata("notice")) })
}

func TestOneTimeTokensMerge(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	var first string
	b.do(t, m, func(s *core.Session) { first = s.GenerateOneTimeToken() })
	r1, r2 := b.start(t, m), b.start(t, m)
	t1 := r1.GenerateOneTimeToken()
	t2 := r2.GenerateOneTimeToken()
	require.True(t, r2.ValidateOneTimeToken(first))
	r1.finish(t)
	r2.finish(t)
	b.do(t, m, func(s *core.Session) {
		require.True(t, s.ValidateOneTimeToken(t1))
		require.True(t, s.ValidateOneTimeToken(t2))
		require.False(t, s.ValidateOneTimeToken(first), "used by r2")
	})
}

// conflictStore never lets a compare-and-swap through, as if other
// requests changed the session every time.
type conflictStore struct {
	*memstore.Store
	mu sync.Mutex
	n  int
}

func (c *conflictStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, exp time.Time) (bool, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return false, nil
}

func TestEndlessConflictGivesUp(t *testing.T) {
	st := &conflictStore{Store: memstore.New()}
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("k", 1) })
	r := b.start(t, m)
	r.SetUserdata("k", 2)
	err := r.Save(context.Background())
	require.ErrorIs(t, err, core.ErrConflict)
	require.Equal(t, http.StatusServiceUnavailable, core.ErrorStatus(err))
	require.Equal(t, 100, st.n, "it gives up after 100 attempts")
}

func TestSaveIsIdempotent(t *testing.T) {
	st := frontends.NewStore(memstore.New())
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	r := b.start(t, m)
	r.SetUserdata("k", 1)
	require.NoError(t, r.Save(context.Background()))
	writes := st.Writes()
	require.EqualValues(t, 1, writes)
	require.NoError(t, r.Save(context.Background()))
	require.NoError(t, r.Save(context.Background()))
	require.Equal(t, writes, st.Writes())
	require.Len(t, r.x.set, 1, "one cookie")
	r.SetUserdata("k", 2)
	require.NoError(t, r.Save(context.Background()))
	require.EqualValues(t, 2, st.Writes(), "a new change saves again")
}

func TestLoadFailureWritesNothing(t *testing.T) {
	st := frontends.NewStore(memstore.New())
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("k", "stored") })
	st.SetDown(true)
	r := b.start(t, m)
	require.Nil(t, r.Userdata("k"))
	require.ErrorIs(t, r.Err(), core.ErrStore)
	require.ErrorIs(t, r.Err(), frontends.ErrDown, "the error wraps the cause")
	st.SetDown(false)
	st.Reset()
	r.SetUserdata("k", "overwrite")
	err := r.Save(context.Background())
	require.ErrorIs(t, err, core.ErrStore)
	require.Zero(t, st.Writes(), "a session that failed to load is never written")
	b.do(t, m, func(s *core.Session) { require.Equal(t, "stored", s.Userdata("k")) })
}

func TestHostileClientInput(t *testing.T) {
	ids := map[string]string{
		"nul":          strings.Repeat("a", 20) + "\x00" + strings.Repeat("a", 19),
		"traversal":    "../../../../etc/passwd/aaaaaaaaaaaaaaaaaa",
		"slash":        strings.Repeat("a", 20) + "/" + strings.Repeat("a", 19),
		"backslash":    strings.Repeat("a", 20) + `\` + strings.Repeat("a", 19),
		"invalid utf8": strings.Repeat("\xff", 40),
		"one MiB":      strings.Repeat("a", 1<<20),
		"upper hex":    strings.Repeat("A", 40),
	}
	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			for _, driver := range []string{core.DriverNative, core.DriverCookie, "cookie+db"} {
				st := frontends.NewStore(memstore.New())
				m := newManager(t, driver, st, nil)
				b := newBrowser()
				b.cookies["ci_session"] = id
				b.ua = strings.Repeat("\xffU", 1<<19) // a 1 MiB User-Agent, not UTF-8
				r := b.start(t, m)
				require.Nil(t, r.Userdata("x"))
				require.Zero(t, st.Loads.Load(), "%s: a malformed id never reaches the store", driver)
				r.SetUserdata("x", 1)
				require.NotEqual(t, id, r.ID())
				require.Len(t, r.Userdata(core.KeyUserAgent), 120)
				r.finish(t)
			}
		})
	}
}

func TestSessionIsSafeForConcurrentUse(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	b := newBrowser()
	r := b.start(t, m)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				k := fmt.Sprintf("g%d-%d", i, j)
				r.SetUserdata(k, j)
				_ = r.Userdata(k)
				_ = r.AllUserdata()
				r.SetFlashdata("f"+k, j)
				_ = r.Token()
				if j%10 == 0 {
					_ = r.Save(context.Background())
				}
			}
		}()
	}
	wg.Wait()
	r.finish(t)
	b.do(t, m, func(s *core.Session) { require.Equal(t, 49, s.Userdata("g7-49")) })
}

func TestDriverHandlesShareTheRequest(t *testing.T) {
	m := newManager(t, core.DriverCookie, memstore.New(), nil, func(c *core.Config) {
		c.ValidDrivers = []string{core.DriverNative}
	})
	b := newBrowser()
	b.do(t, m, func(s *core.Session) {
		n, err := s.Driver(core.DriverNative)
		require.NoError(t, err)
		n.SetUserdata("where", "native")
		s.SetUserdata("where", "cookie")
		require.Equal(t, "native", n.DriverName())
	})
	require.Len(t, b.cookies, 2)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "cookie", s.Userdata("where"))
		require.NoError(t, s.SelectDriver(core.DriverNative))
		require.Equal(t, "native", s.Userdata("where"))
		_, err := s.Driver("nope")
		require.True(t, errors.Is(err, core.ErrUnknownDriver))
	})
}

func TestSessionKeptAfterItsRequestIsInert(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil)
	alice, bob := newBrowser(), newBrowser()
	alice.do(t, m, func(s *core.Session) { s.SetUserdata("owner", "alice") })
	bob.do(t, m, func(s *core.Session) { s.SetUserdata("owner", "bob") })

	kept := alice.start(t, m)
	require.Equal(t, "alice", kept.Userdata("owner"))
	kept.finish(t) // Save and Release: the request's memory goes back to the pool

	// Bob's next requests reuse that memory; Alice's old handle must see
	// nothing of them and change nothing.
	for range 3 {
		r := bob.start(t, m)
		require.Equal(t, "bob", r.Userdata("owner"))
		require.Nil(t, kept.Userdata("owner"), "a released handle reads as empty")
		require.Empty(t, kept.ID())
		require.Equal(t, map[string]any{}, kept.AllUserdata())
		kept.SetUserdata("owner", "mallory")
		kept.Destroy()
		require.Equal(t, "bob", r.Userdata("owner"), "the released handle changed nothing")
		require.ErrorIs(t, kept.Save(context.Background()), core.ErrModifiedAfterCommit)
		r.finish(t)
	}
	bob.do(t, m, func(s *core.Session) { require.Equal(t, "bob", s.Userdata("owner")) })
	alice.do(t, m, func(s *core.Session) { require.Equal(t, "alice", s.Userdata("owner")) })
	kept.Release() // twice is safe
}
