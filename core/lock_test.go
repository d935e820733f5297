package core_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// faultyStore is a memory store that can go down: every call fails while
// down is set, and a lease's Unlock fails while unlockDown is set (its
// reply lost, the store otherwise up).
type faultyStore struct {
	*memstore.Store
	down, unlockDown atomic.Bool
	lockReplyLost    atomic.Bool // Lock takes the lock, then fails
}

func newFaultyStore() *faultyStore { return &faultyStore{Store: memstore.New()} }

func (f *faultyStore) fail() error {
	if f.down.Load() {
		return errDown
	}
	return nil
}

func (f *faultyStore) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := f.fail(); err != nil {
		return nil, false, err
	}
	return f.Store.Load(ctx, id)
}

func (f *faultyStore) Save(ctx context.Context, id string, data []byte, exp time.Time) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Save(ctx, id, data, exp)
}

func (f *faultyStore) Insert(ctx context.Context, id string, data []byte, exp time.Time) (bool, error) {
	if err := f.fail(); err != nil {
		return false, err
	}
	return f.Store.Insert(ctx, id, data, exp)
}

func (f *faultyStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, exp time.Time) (bool, error) {
	if err := f.fail(); err != nil {
		return false, err
	}
	return f.Store.CompareAndSwap(ctx, id, old, data, exp)
}

func (f *faultyStore) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	l, err := f.Store.Lock(ctx, id, ttl)
	if err != nil {
		return nil, err
	}
	if f.lockReplyLost.Load() {
		return &faultyLease{Lease: l, f: f}, errDown
	}
	return &faultyLease{Lease: l, f: f}, nil
}

type faultyLease struct {
	core.Lease
	f *faultyStore
}

func (l *faultyLease) Renew(ctx context.Context, ttl time.Duration) error {
	if err := l.f.fail(); err != nil {
		return err
	}
	return l.Lease.Renew(ctx, ttl)
}

func (l *faultyLease) Unlock(ctx context.Context) error {
	if err := l.f.fail(); err != nil {
		return err
	}
	if l.f.unlockDown.Load() {
		return errDown
	}
	return l.Lease.Unlock(ctx)
}

// lockManager is a Manager with Config.Lock on st.
func lockManager(t *testing.T, st core.Store, lease, wait time.Duration) *core.Manager {
	return newManager(t, "native", st, nil, func(c *core.Config) {
		c.Lock, c.LockLease, c.LockTimeout = true, lease, wait
	})
}

// A handler that runs for several leases keeps its lock: a request on the
// same session waits for it, and both increments count.
func TestLockRenewedWhileTheHolderRuns(t *testing.T) {
	m := lockManager(t, memstore.New(), 150*time.Millisecond, 5*time.Second)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 0) })

	slow := b.start(t, m)
	n := core.GetOr(slow.Session, "n", 0) // takes the lock
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b.do(t, m, func(s *core.Session) { s.SetUserdata("n", core.GetOr(s, "n", 0)+1) })
	}()
	time.Sleep(600 * time.Millisecond) // four leases
	slow.SetUserdata("n", n+1)
	slow.finish(t)
	wg.Wait()
	b.do(t, m, func(s *core.Session) { require.Equal(t, 2, s.Userdata("n"), "both increments, one after the other") })
}

// A lock that could not be renewed for a whole lease is lost: the request
// saves nothing and fails with ErrLockLost (503), and the stored session
// keeps what it held.
func TestLockLostFailsTheSave(t *testing.T) {
	st := newFaultyStore()
	m := lockManager(t, st, 100*time.Millisecond, time.Second)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })

	r := b.start(t, m)
	require.Equal(t, 1, r.Userdata("n"))
	st.down.Store(true)
	time.Sleep(250 * time.Millisecond) // past the lease, renewals failing
	st.down.Store(false)
	r.SetUserdata("n", 2)
	err := r.Save(context.Background())
	require.ErrorIs(t, err, core.ErrLockLost)
	require.Equal(t, http.StatusServiceUnavailable, core.ErrorStatus(err))
	r.Release()
	b.do(t, m, func(s *core.Session) { require.Equal(t, 1, s.Userdata("n"), "the lost lock's save wrote nothing") })
}

// A lock whose release failed because the store was down is released in
// the background as soon as the store answers: another process (a second
// Manager on the store) gets it long before the lease would lapse.
func TestFailedUnlockRetriedInTheBackground(t *testing.T) {
	st := newFaultyStore()
	const lease = time.Minute // lapsing cannot explain the recovery
	m := lockManager(t, st, lease, time.Second)
	other := lockManager(t, st, lease, 3*time.Second)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })

	r := b.start(t, m)
	require.Equal(t, 1, r.Userdata("n"))
	st.down.Store(true)
	r.SetUserdata("n", 2)
	require.ErrorIs(t, r.Save(context.Background()), core.ErrStore)
	r.Release() // the unlock fails
	st.down.Store(false)

	start := time.Now()
	b.do(t, other, func(s *core.Session) { require.Equal(t, 1, s.Userdata("n")) })
	require.Less(t, time.Since(start), 2*time.Second, "the other process waited for the lock")
}

// A lock whose release keeps failing (its reply lost) is taken over by the
// next request on the session in the same process, which holds its token,
// instead of being waited out.
func TestOrphanedLockTakenOverInProcess(t *testing.T) {
	st := newFaultyStore()
	m := lockManager(t, st, time.Minute, 300*time.Millisecond)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })

	st.unlockDown.Store(true)
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 2) })
	r := b.start(t, m)
	require.Equal(t, 2, r.Userdata("n"), "the next request took the lock over (not ErrLockTimeout: %v)", r.Err())
	st.unlockDown.Store(false)
	r.SetUserdata("n", 3)
	r.finish(t)
	b.do(t, m, func(s *core.Session) { require.Equal(t, 3, s.Userdata("n")) })

	// And then it is released as any other: a second Manager gets it.
	other := lockManager(t, st, time.Minute, time.Second)
	b.do(t, other, func(s *core.Session) { require.Equal(t, 3, s.Userdata("n")) })
}

// A lock the store took but whose reply was lost (Lock failed with the
// lease) is released in the background too: another process gets it long
// before the lease would lapse.
func TestLockWithALostReplyReleased(t *testing.T) {
	st := newFaultyStore()
	m := lockManager(t, st, time.Minute, time.Second)
	other := lockManager(t, st, time.Minute, 3*time.Second)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })

	st.lockReplyLost.Store(true)
	r := b.start(t, m)
	require.Nil(t, r.Userdata("n"))
	require.ErrorIs(t, r.Err(), core.ErrStore)
	r.Release()
	st.lockReplyLost.Store(false)

	start := time.Now()
	b.do(t, other, func(s *core.Session) { require.Equal(t, 1, s.Userdata("n")) })
	require.Less(t, time.Since(start), 2*time.Second, "the other process waited for the lock")
}

// hangingStore is a store whose Load blocks until its context ends. It
// hides the abilities of the store it wraps, InProcess included.
type hangingStore struct{ core.Store }

func (hangingStore) Load(ctx context.Context, _ string) ([]byte, bool, error) {
	<-ctx.Done()
	return nil, false, ctx.Err()
}

// Config.StoreTimeout bounds each store call: a store that hangs fails the
// request with ErrStore, whose cause is the deadline. It is 5s by default;
// a negative one leaves only the request's own deadline.
func TestStoreTimeout(t *testing.T) {
	require.Equal(t, 5*time.Second, newManager(t, "native", memstore.New(), nil).Config().StoreTimeout)
	tests := []struct {
		name    string
		timeout time.Duration // Config.StoreTimeout
		request time.Duration // the request context's deadline
		want    time.Duration
	}{
		{"store timeout", 100 * time.Millisecond, time.Minute, 100 * time.Millisecond},
		{"request deadline first", time.Minute, 150 * time.Millisecond, 150 * time.Millisecond},
		{"disabled", -1, 200 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memstore.New()
			b := newBrowser()
			b.do(t, newManager(t, "native", mem, nil), func(s *core.Session) { s.SetUserdata("n", 1) })
			m := newManager(t, "native", hangingStore{mem}, nil, func(c *core.Config) { c.StoreTimeout = tt.timeout })
			ctx, cancel := context.WithTimeout(context.Background(), tt.request)
			defer cancel()
			s, err := m.Start(ctx, b.exchange())
			require.NoError(t, err)
			defer s.Release()
			start := time.Now()
			require.Nil(t, s.Userdata("n"))
			took := time.Since(start)
			err = s.Err()
			require.ErrorIs(t, err, core.ErrStore)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.GreaterOrEqual(t, took, tt.want-10*time.Millisecond)
			require.Less(t, took, tt.want+2*time.Second)
		})
	}
}

// probeStore records whether its Load got a deadline.
type probeStore struct {
	core.Store
	deadline atomic.Bool
}

func (p *probeStore) Load(ctx context.Context, id string) ([]byte, bool, error) {
	_, ok := ctx.Deadline()
	p.deadline.Store(ok)
	return p.Store.Load(ctx, id)
}

// inProcessProbe is a probeStore that says it never blocks.
type inProcessProbe struct{ *probeStore }

func (inProcessProbe) InProcess() {}

// A store that never blocks (core.InProcess: memstore, nullstore) gets no
// StoreTimeout deadline; any other does.
func TestStoreTimeoutSparesInProcessStores(t *testing.T) {
	tests := []struct {
		name string
		st   func(p *probeStore) core.Store
		want bool
	}{
		{"store", func(p *probeStore) core.Store { return p }, true},
		{"in-process store", func(p *probeStore) core.Store { return inProcessProbe{p} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probeStore{Store: memstore.New()}
			m := newManager(t, "native", tt.st(p), nil)
			b := newBrowser()
			b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })
			b.do(t, m, func(s *core.Session) { require.Equal(t, 1, s.Userdata("n")) })
			require.Equal(t, tt.want, p.deadline.Load())
		})
	}
	var _ core.InProcess = memstore.New()
}

// lockingStore is a memory store with its Locker ability but not its
// InProcess one: the engine gives its calls deadlines.
type lockingStore struct {
	core.Store
	core.Locker
}

// StoreTimeout starts once the lock is held: a wait for the lock longer
// than StoreTimeout (it has LockTimeout) does not fail the load.
func TestStoreTimeoutAfterTheLockWait(t *testing.T) {
	mem := memstore.New()
	m := newManager(t, "native", lockingStore{mem, mem}, nil, func(c *core.Config) {
		c.Lock, c.LockTimeout, c.StoreTimeout = true, 5*time.Second, 100*time.Millisecond
	})
	b := newBrowser()
	b.do(t, m, func(s *core.Session) { s.SetUserdata("n", 1) })
	holder := b.start(t, m)
	require.Equal(t, 1, holder.Userdata("n"))
	go func() {
		time.Sleep(300 * time.Millisecond) // three StoreTimeouts
		holder.SetUserdata("n", 2)
		holder.finish(t)
	}()
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, 2, s.Userdata("n"), "loaded after the lock wait (not %v)", s.Err())
	})
}
