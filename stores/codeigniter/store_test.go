package codeigniter_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/stores/codeigniter"
)

// TestConformance runs the store conformance kit on every layout of both
// versions. Two of the kit's rules exceed CodeIgniter's own layout, and the
// test adapts the layout, not the store, to them:
//
//   - the kit stores a 256-character id; CodeIgniter's id column holds
//     128 characters (with CodeIgniter 4's cookie-name prefix), and a file
//     name 255 bytes, the cookie name's included. The tables' id column is
//     widened (CodeIgniter 4's guide says to widen it for long ids); the
//     files layout, whose limit is the file system's, gets ids over 200
//     characters through a digest (longIDs), every other id unchanged.
//   - the kit stores 1 MiB; MySQL's blob holds 64 KiB. The test's MySQL
//     tables get a LONGBLOB.
//
// Both versions name session files alike; the files layout runs once, with
// CodeIgniter 3's 40-hex-digit ids, the form of the kit's ids, which
// Collect matches as CodeIgniter's garbage collector does
// (TestCollectMatchesCodeIgniter covers CodeIgniter 4's form).
func TestConformance(t *testing.T) {
	for _, b := range goBackends() {
		for _, version := range []int{3, 4} {
			if b.name == "files" && version == 4 {
				continue
			}
			t.Run(name(version, b.name), func(t *testing.T) {
				fx := b.open(t, version, "", nil)
				widen(t, fx)
				var st core.Store = mustStore(t, fx.app)
				if b.name == "files" {
					st = longIDs{st.(codeigniter.Store)}
				}
				storetest.Run(t, func(*testing.T) core.Store { return st })
			})
		}
	}
}

// widen gives a test table room for the kit's 256-character ids and 1 MiB
// payloads.
func widen(t *testing.T, fx *fixture) {
	if fx.db == nil {
		return
	}
	s := "ALTER TABLE " + fx.app.Table + " ALTER COLUMN id TYPE varchar(300)"
	if fx.dialect == codeigniter.MySQL {
		s = "ALTER TABLE " + fx.app.Table + " MODIFY id varchar(300) NOT NULL, MODIFY data longblob NOT NULL"
	}
	if _, err := fx.db.ExecContext(ctx(t), s); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
}

// longIDs passes every call to a store, with ids longer than 200
// characters replaced by "L" and their SHA-256 in hex.
type longIDs struct{ st codeigniter.Store }

func (l longIDs) id(id string) string {
	if len(id) <= 200 || !core.ValidID(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "L" + hex.EncodeToString(sum[:])
}

func (l longIDs) Load(ctx context.Context, id string) ([]byte, bool, error) {
	return l.st.Load(ctx, l.id(id))
}

func (l longIDs) Save(ctx context.Context, id string, data []byte, exp time.Time) error {
	return l.st.Save(ctx, l.id(id), data, exp)
}

func (l longIDs) Delete(ctx context.Context, id string) error { return l.st.Delete(ctx, l.id(id)) }

func (l longIDs) Insert(ctx context.Context, id string, data []byte, exp time.Time) (bool, error) {
	return l.st.Insert(ctx, l.id(id), data, exp)
}

func (l longIDs) CompareAndSwap(ctx context.Context, id string, old, data []byte, exp time.Time) (bool, error) {
	return l.st.CompareAndSwap(ctx, l.id(id), old, data, exp)
}

func (l longIDs) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	return l.st.Lock(ctx, l.id(id), ttl)
}

func (l longIDs) Collect(ctx context.Context, limit int) (int, error) {
	return l.st.(core.Collector).Collect(ctx, limit)
}

// TestLockThenUse checks what the engine does with Config.Lock: it takes a
// session's lock, then loads and saves the session through the same store.
// None of those calls may wait for the lock the caller holds (a flock on
// the same file from the same process, an advisory lock on another
// connection), while another Lock of the same session waits until unlock.
func TestLockThenUse(t *testing.T) {
	for _, b := range goBackends() {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				app := b.open(t, version, "", nil).app
				st := mustStore(t, app)
				c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				id := newID(t, app)
				require.NoError(t, st.Save(c, id, []byte("a|i:1;"), time.Now().Add(time.Hour)))

				unlock, err := st.Lock(c, id, time.Minute)
				require.NoError(t, err)
				data, found, err := st.Load(c, id)
				require.NoError(t, err, "Load while the caller holds the lock")
				require.True(t, found)
				require.Equal(t, "a|i:1;", string(data))
				ok, err := st.CompareAndSwap(c, id, data, []byte("a|i:2;"), time.Now().Add(time.Hour))
				require.NoError(t, err, "CompareAndSwap while the caller holds the lock")
				require.True(t, ok)
				require.NoError(t, st.Save(c, id, []byte("a|i:3;"), time.Now().Add(time.Hour)), "Save while the caller holds the lock")
				other := newID(t, app)
				ok, err = st.Insert(c, other, []byte("b|i:1;"), time.Now().Add(time.Hour))
				require.NoError(t, err)
				require.True(t, ok)

				waiter := make(chan error, 1)
				go func() {
					u, err := st.Lock(c, id, time.Minute)
					if err == nil {
						err = u.Unlock(c)
					}
					waiter <- err
				}()
				select {
				case err := <-waiter:
					t.Fatalf("a second Lock of the session returned while it was held (err %v)", err)
				case <-time.After(100 * time.Millisecond): // the waiter must still be waiting
				}
				require.NoError(t, st.Delete(c, other), "Delete while the caller holds a lock")
				require.NoError(t, unlock.Unlock(c))
				require.NoError(t, <-waiter, "the second Lock after unlock")
				data, found, err = st.Load(c, id)
				require.NoError(t, err)
				require.True(t, found)
				require.Equal(t, "a|i:3;", string(data))
				require.NoError(t, st.Delete(c, id))
			})
		}
	}
}

// newID returns a fresh session id of app's form.
func newID(t testing.TB, app codeigniter.App) string {
	t.Helper()
	var d *codeigniter.Driver
	d, err := codeigniter.NewDriver(app)
	require.NoError(t, err)
	f := d.Format()
	id := storetest.NewID()
	for len(id) < f.IDLength {
		id += storetest.NewID()
	}
	return id[:f.IDLength]
}

// TestMalformedIDsReachNothing checks that ids that could escape a file
// name, a key or a statement are refused before any is built, on every
// method.
func TestMalformedIDsReachNothing(t *testing.T) {
	for _, b := range goBackends() {
		t.Run(b.name, func(t *testing.T) {
			app := b.open(t, 4, "", nil).app
			st := mustStore(t, app)
			for _, id := range []string{"../" + newID(t, app), "a/b", "x'; DROP TABLE " + app.Table + "; --", "a:b", "a*", "", "é"} {
				_, found, err := st.Load(ctx(t), id)
				require.NoError(t, err)
				require.False(t, found)
				require.Error(t, st.Save(ctx(t), id, []byte("x"), time.Now().Add(time.Hour)))
				_, err = st.Insert(ctx(t), id, []byte("x"), time.Now().Add(time.Hour))
				require.Error(t, err)
				_, err = st.CompareAndSwap(ctx(t), id, []byte("x"), []byte("y"), time.Now().Add(time.Hour))
				require.Error(t, err)
				_, err = st.Lock(ctx(t), id, time.Minute)
				require.Error(t, err)
				require.NoError(t, st.Delete(ctx(t), id))
			}
			// The table is still there.
			id := newID(t, app)
			require.NoError(t, st.Save(ctx(t), id, []byte("x"), time.Now().Add(time.Hour)))
			require.NoError(t, st.Delete(ctx(t), id))
		})
	}
}

// TestClosedContext checks that a done context fails every call of every
// layout with an error wrapping the context's.
func TestClosedContext(t *testing.T) {
	for _, b := range goBackends() {
		t.Run(b.name, func(t *testing.T) {
			app := b.open(t, 3, "", nil).app
			st := mustStore(t, app)
			c, cancel := context.WithCancel(context.Background())
			cancel()
			id := newID(t, app)
			_, err := st.Lock(c, id, time.Minute)
			require.True(t, errors.Is(err, context.Canceled), "Lock: got %v", err)
			_, err = st.Insert(c, id, []byte("x"), time.Time{})
			require.True(t, errors.Is(err, context.Canceled), "Insert: got %v", err)
			_, err = st.CompareAndSwap(c, id, []byte("x"), []byte("y"), time.Time{})
			require.True(t, errors.Is(err, context.Canceled), "CompareAndSwap: got %v", err)
		})
	}
}

// TestLockNeedsOneConnection checks that a request holding a session's
// database lock reads and writes that session on the lock's connection, as
// a PHP request does on its one connection: with a pool of one connection,
// nothing waits for another.
func TestLockNeedsOneConnection(t *testing.T) {
	for _, bn := range []string{"mariadb", "postgres"} {
		t.Run(bn, func(t *testing.T) {
			fx := backendFor(bn).open(t, 4, "", nil)
			st := mustStore(t, fx.app)
			id := newID(t, fx.app)
			require.NoError(t, st.Save(ctx(t), id, []byte("a|i:1;"), time.Now().Add(time.Hour)))
			fx.db.SetMaxOpenConns(1)
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			unlock, err := st.Lock(c, id, time.Minute)
			require.NoError(t, err)
			data, found, err := st.Load(c, id)
			require.NoError(t, err)
			require.True(t, found)
			ok, err := st.CompareAndSwap(c, id, data, []byte("a|i:2;"), time.Now().Add(time.Hour))
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = st.CompareAndSwap(c, id, []byte("a|i:2;"), []byte("a|i:2;"), time.Now().Add(time.Hour))
			require.NoError(t, err)
			require.True(t, ok, "a swap to the same data swaps")
			require.NoError(t, st.Save(c, id, []byte("a|i:3;"), time.Now().Add(time.Hour)))
			require.NoError(t, st.Delete(c, id))
			require.NoError(t, unlock.Unlock(c))
			_, found, err = st.Load(c, id)
			require.NoError(t, err, "the connection went back to the pool")
			require.False(t, found)
		})
	}
}
