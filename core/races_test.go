package core_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// a logout (Destroy) that loaded the old id before a parallel request's
// automatic rotation only deletes the forward marker; the session lives on
// under the rotated id.
func TestDestroyEndsTheSuccessorOfAConcurrentRotation(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	oldID := b.cookies["ci_session"]

	clock.Advance(6 * time.Minute) // past TimeToUpdate
	logout := b.start(t, m)
	require.Equal(t, "ada", logout.Userdata("user")) // loaded A
	xhr := b.start(t, m)
	require.Equal(t, "ada", xhr.Userdata("user")) // loaded A, rotates
	require.NoError(t, xhr.Save(context.Background()))
	xhr.Release()
	rotated := xhr.x.set[len(xhr.x.set)-1].Value
	require.NotEqual(t, oldID, rotated)

	logout.Destroy()
	require.NoError(t, logout.Save(context.Background()))
	logout.Release()

	// responses arrive logout first, XHR last
	logout.x.done()
	xhr.x.done()

	data, found, err := st.Load(context.Background(), rotated)
	require.NoError(t, err)
	require.False(t, found, "destroyed session still stored under the rotated id (%d bytes)", len(data))
	b.do(t, m, func(s *core.Session) { require.Nil(t, s.Userdata("user"), "still logged in after logout") })
}

// Regenerate(DestroyOld) (login) inserts its own view under the new id without
// merging what a concurrent request saved to the old id before it: that
// write is lost.
func TestRegenerateMergesEarlierConcurrentWrites(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	login := b.start(t, m)
	_ = login.Userdata("user")
	b.do(t, m, func(s *core.Session) { s.SetUserdata("cart", 3) }) // saved first
	login.Regenerate(core.DestroyOld)
	login.SetUserdata("role", "admin")
	login.finish(t)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "admin", s.Userdata("role"))
		require.Equal(t, 3, s.Userdata("cart"), "a write saved before the regenerate is lost")
	})
}

// Regenerate(DestroyOld) racing an automatic rotation: the rotated id keeps
// the pre-regenerate data (e.g. the logged-in user) alive.
func TestRegenerateEndsTheSuccessorOfAConcurrentRotation(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	clock.Advance(6 * time.Minute)
	logout := b.start(t, m)
	_ = logout.Userdata("user")
	xhr := b.start(t, m)
	_ = xhr.Userdata("user")
	require.NoError(t, xhr.Save(context.Background()))
	xhr.Release()
	rotated := xhr.x.set[len(xhr.x.set)-1].Value

	logout.UnsetUserdata("user")
	logout.Regenerate(core.DestroyOld)
	require.NoError(t, logout.Save(context.Background()))
	logout.Release()
	logout.x.done()
	xhr.x.done()

	_, found, _ := st.Load(context.Background(), rotated)
	require.False(t, found, "pre-logout session still alive under rotated id")
}

// a session first read after the headers went out still rotates its id
// in the store; the cookie cannot be sent, the old id becomes a forward for
// RotationGrace only, and then the session is gone.
func TestNoRotationAfterTheHeadersWentOut(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })

	clock.Advance(6 * time.Minute)
	r := b.start(t, m)
	require.NoError(t, r.Commit(context.Background())) // headers out, session untouched
	require.Equal(t, "ada", r.Userdata("user"))        // a read only
	err := r.Save(context.Background())
	t.Logf("Save after read-only use: %v", err)
	r.Release()
	r.x.done()
	t.Logf("cookies sent: %d", len(r.x.set))

	clock.Advance(11 * time.Second)
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "ada", s.Userdata("user"), "session lost after a read-only request")
	})
}

// reading flashdata after the headers went out reports
// ErrModifiedAfterCommit although the handler changed nothing.
func TestReadingAfterTheHeadersIsNotAModification(t *testing.T) {
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, nil)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetFlashdata("notice", "hi") })
	r := b.start(t, m)
	require.NoError(t, r.Commit(context.Background()))
	_ = r.Flashdata("notice")
	err := r.Save(context.Background())
	r.Release()
	require.False(t, errors.Is(err, core.ErrModifiedAfterCommit), "read-only use reported as a modification: %v", err)
}

// with Expiration shorter than TimeToUpdate, an active but read-only
// user is logged out after Expiration: reads never slide the expiry.
func TestReadOnlyActivitySlidesAShortExpiration(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := newManager(t, core.DriverNative, st, clock, func(c *core.Config) { c.Expiration = 2 * time.Minute })
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("user", "ada") })
	for i := 1; i <= 4; i++ {
		clock.Advance(time.Minute)
		b.do(t, m, func(s *core.Session) {
			require.Equal(t, "ada", s.Userdata("user"), "logged out after %d minute(s) of activity (a request every minute)", i)
		})
	}
}

// flakyStore fails its first Insert, then works.
type flakyStore struct {
	*memstore.Store
	failed bool
}

func (f *flakyStore) Insert(ctx context.Context, id string, data []byte, exp time.Time) (bool, error) {
	if !f.failed {
		f.failed = true
		return false, errors.New("store timeout")
	}
	return f.Store.Insert(ctx, id, data, exp)
}

// after the error handler answered 503 for a failed save, the
// middleware's trailing Save retries and persists the change the client
// was told failed.
func TestNoSaveAfterTheErrorHandlerAnswered(t *testing.T) {
	st := &flakyStore{Store: memstore.New()}
	m := newManager(t, core.DriverNative, st, nil)
	var id string
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		s.SetUserdata("order", "placed")
		id = s.ID()
		_, _ = w.Write([]byte("order placed"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	t.Logf("Set-Cookie: %q", rec.Header().Values("Set-Cookie"))
	_, found, _ := st.Load(context.Background(), id)
	require.False(t, found, "the client got 503 but the session was written (under an id it never learns)")
}
