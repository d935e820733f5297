package core_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// A session no handler touched is never loaded: its Commit, Save and
// Release do no I/O and send no cookie, and a handle kept after Release
// stays inert.
func TestUntouchedHandleKeptAfterReleaseIsInert(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	alice := newBrowser()
	alice.do(t, m, func(s *core.Session) { s.SetUserdata("owner", "alice") })

	kept := alice.start(t, m)
	require.NoError(t, kept.Commit(context.Background()))
	require.NoError(t, kept.Save(context.Background()))
	kept.Release()
	require.Empty(t, kept.x.set, "an untouched session sends no cookie")

	require.Nil(t, kept.Userdata("owner"), "a released handle reads as empty")
	kept.SetUserdata("owner", "mallory")
	kept.Destroy()
	require.ErrorIs(t, kept.Save(context.Background()), core.ErrModifiedAfterCommit)
	require.ErrorIs(t, kept.Commit(context.Background()), core.ErrModifiedAfterCommit)
	_, err := kept.Driver(core.DriverNative)
	require.ErrorIs(t, err, core.ErrModifiedAfterCommit)
	kept.Release() // twice is safe

	alice.do(t, m, func(s *core.Session) { require.Equal(t, "alice", s.Userdata("owner")) })
}

// A handler that first touches its session after the headers went out
// (Commit ran on an untouched session) changes it as late as one that had
// touched it before: no cookie can carry a new session, and Save says so.
func TestFirstTouchAfterCommitIsLate(t *testing.T) {
	tests := []struct {
		name    string
		prepare bool // the browser already has a session
	}{
		{"new session", false},
		{"existing session", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New()
			m := newManager(t, core.DriverNative, st, nil)
			b := newBrowser()
			if tt.prepare {
				b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })
			}
			r := b.start(t, m)
			require.NoError(t, r.Commit(context.Background()))
			r.SetUserdata("n", 2)
			require.ErrorIs(t, r.Save(context.Background()), core.ErrModifiedAfterCommit)
			r.Release()
			require.Empty(t, r.x.set, "no cookie after the headers went out")
			r.x.done()
			b.do(t, m, func(s *core.Session) {
				if tt.prepare {
					require.Equal(t, 2, core.GetOr(s, "n", 0), "the id stayed: the late change is saved under it")
				} else {
					require.Nil(t, s.Userdata("n"), "a new session whose cookie could not be sent is not saved")
				}
			})
		})
	}
}

// The goroutines of one request may touch a fresh handle at once: it takes
// its request state once, and every change lands.
func TestConcurrentFirstTouch(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	r := b.start(t, m)
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.SetUserdata(k, k)
		}()
	}
	wg.Wait()
	r.finish(t)
	b.do(t, m, func(s *core.Session) {
		for _, k := range keys {
			require.Equal(t, k, s.Userdata(k))
		}
	})
}

// A Session that was never started (a zero value) is as inert as one kept
// after its request: it reads as empty and its Save says so.
func TestZeroSessionIsInert(t *testing.T) {
	var zero core.Session
	zero.SetUserdata("k", "v")
	require.Nil(t, zero.Userdata("k"), "a Session never started reads as empty")
	require.Empty(t, zero.ID())
	require.ErrorIs(t, zero.Save(context.Background()), core.ErrModifiedAfterCommit)
	require.ErrorIs(t, zero.Commit(context.Background()), core.ErrModifiedAfterCommit)
	zero.Release()
}

// copyingExchange is an exchange whose SetCookie copies the value, as the
// adapters' transports do.
type copyingExchange struct {
	*exchange
	calls int
}

func (x *copyingExchange) SetCookie(c *http.Cookie) {
	x.calls++
	cp := *c
	cp.Value = strings.Clone(c.Value)
	x.set = append(x.set, &cp)
}

// Each request sends one cookie of its own: the cookies open, carry the
// session from request to request, and a value taken earlier stays what it
// was.
func TestEachRequestSendsItsOwnCookie(t *testing.T) {
	for _, driver := range []string{core.DriverCookie, "cookie+db"} {
		t.Run(driver, func(t *testing.T) {
			m := newManager(t, driver, memstore.New(), nil, func(c *core.Config) { c.EncryptCookie = driver == "cookie+db" })
			b := newBrowser()
			var earlier []string
			for i := 1; i <= 20; i++ {
				x := &copyingExchange{exchange: b.exchange()}
				s, err := m.Start(context.Background(), x)
				require.NoError(t, err)
				require.Equal(t, i-1, core.GetOr(s, "n", 0))
				s.SetUserdata("n", i)
				if driver == "cookie+db" {
					s.Regenerate(core.DestroyOld) // the cookie carries a new id
				}
				require.NoError(t, s.Save(context.Background()))
				s.Release()
				require.Equal(t, 1, x.calls, "one cookie per request")
				earlier = append(earlier, x.set[0].Value)
				x.done()
			}
			for i, v := range earlier {
				require.NotEmpty(t, v)
				for _, w := range earlier[:i] {
					require.NotEqual(t, w, v, "each request's cookie is its own")
				}
			}
		})
	}
}
