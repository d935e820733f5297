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

func TestRegenerate(t *testing.T) {
	cases := []struct {
		name    string
		old     core.OldID
		oldLive bool // a client still holding the old id finds the data
	}{
		{"KeepOld is sess_regenerate(FALSE)", core.KeepOld, true},
		{"DestroyOld is sess_regenerate(TRUE)", core.DestroyOld, false},
	}
	for _, st := range storeSetups() {
		for _, tc := range cases {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				m := newManager(t, st.driver, st.store(), nil)
				b := newBrowser()
				var before string
				b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada"); before = s.ID() })
				stale := newBrowser()
				for k, v := range b.cookies {
					stale.cookies[k] = v
				}
				b.do(t, m, func(s *core.Session) {
					s.Regenerate(tc.old)
					require.NotEqual(t, before, s.ID(), "a new id at once")
				})
				b.do(t, m, func(s *core.Session) { require.Equal(t, "ada", s.Userdata("user"), "the data moves to the new id") })
				want := any(nil)
				if tc.oldLive {
					want = "ada"
				}
				stale.do(t, m, func(s *core.Session) {
					require.Equal(t, want, s.Userdata("user"), "what the old id leads to")
				})
			})
		}
	}
}

func TestIDGivesANewSessionItsID(t *testing.T) {
	cases := []struct {
		name    string
		before  func(r *req) // what the request did before asking for the id
		wantID  bool         // ID returns an id
		cookies int          // cookies the response sets
	}{
		{"a new session", func(*req) {}, true, 1},
		{"after reading", func(r *req) { _ = r.Userdata("x") }, true, 1},
		{"after Destroy", func(r *req) { r.Destroy() }, false, 0},
		{"after the headers went out", func(r *req) { require.NoError(t, r.Commit(context.Background())) }, false, 0},
	}
	for _, st := range storeSetups() {
		for _, tc := range cases {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				store := frontends.NewStore(memstore.New())
				m := newManager(t, st.driver, store, nil)
				b := newBrowser()
				r := b.start(t, m)
				tc.before(r)
				id := r.ID()
				require.Equal(t, tc.wantID, id != "", "ID() = %q", id)
				require.Equal(t, id, r.Userdata(core.KeySessionID), "the session_id item is the id")
				r.finish(t)
				require.Len(t, r.x.set, tc.cookies)
				if !tc.wantID {
					require.Zero(t, store.Writes(), "no session was made")
					return
				}
				b.do(t, m, func(s *core.Session) { require.Equal(t, id, s.ID(), "the id holds on the next request") })
			})
		}
	}
}
