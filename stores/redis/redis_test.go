package redisstore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/faultproxy"
	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/internal/testkit/testenv"
	redisstore "github.com/ignitego/session/stores/redis"
)

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// newClient connects to the test server, or through the proxy at via.
// The client is closed when the test ends (the store never closes it).
func newClient(t testing.TB, via string) redis.UniversalClient {
	t.Helper()
	addr := testenv.Redis(t).Addr
	if via != "" {
		addr = via
	}
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newStore returns a store with a key prefix of its own; its keys are
// deleted when the test ends. admin, when not nil, is the client that
// cleans up (for a store whose own client goes through a proxy).
func newStore(t testing.TB, client, admin redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	if admin == nil {
		admin = client
	}
	prefix := testenv.Name("sessiontest") + ":"
	st := redisstore.New(client, append([]redisstore.Option{redisstore.WithPrefix(prefix)}, opts...)...)
	t.Cleanup(func() {
		if err := deleteKeys(admin, prefix); err != nil {
			t.Errorf("clean up: %v", err)
		}
	})
	return st
}

// TestConformance runs the conformance kit on a single node, a cluster and
// a Sentinel group.
func TestConformance(t *testing.T) {
	eachTopology(t, func(t *testing.T, c redis.UniversalClient) {
		st := newStore(t, c, nil)
		storetest.Run(t, func(*testing.T) core.Store { return st })
	})
}

func TestRoundTripThroughFrontEnds(t *testing.T) {
	eachTopology(t, func(t *testing.T, c redis.UniversalClient) {
		flowtest.RoundTrip(t, newStore(t, c, nil))
	})
}

// TestKeys checks the keys and TTLs the store leaves in Redis.
func TestKeys(t *testing.T) { eachTopology(t, testKeys) }

func testKeys(t *testing.T, c redis.UniversalClient) {
	st := newStore(t, c, nil)
	x := ctx(t)
	id := storetest.NewID()
	key := st.Prefix() + id
	pttl := func() time.Duration {
		t.Helper()
		d, err := c.PTTL(x, key).Result()
		require.NoError(t, err)
		return d
	}

	require.NoError(t, st.Save(x, id, []byte("v"), time.Now().Add(10*time.Second)))
	if d := pttl(); d <= 9*time.Second || d > 10*time.Second {
		t.Fatalf("PTTL after Save for 10s: got %s, want within (9s, 10s]", d)
	}
	require.NoError(t, st.Save(x, id, []byte("v"), time.Time{}))
	if d := pttl(); d != -1 {
		t.Fatalf("PTTL after Save with no expiry: got %s, want -1 (no TTL)", d)
	}
	ok, err := st.CompareAndSwap(x, id, []byte("v"), []byte("w"), time.Now().Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	if d := pttl(); d <= 59*time.Second || d > time.Minute {
		t.Fatalf("PTTL after CompareAndSwap for 1m: got %s, want within (59s, 1m]", d)
	}
	ok, err = st.CompareAndSwap(x, id, []byte("w"), []byte("w"), time.Time{})
	require.NoError(t, err)
	require.True(t, ok)
	if d := pttl(); d != -1 {
		t.Fatalf("PTTL after CompareAndSwap with no expiry: got %s, want -1", d)
	}
	ok, err = st.CompareAndSwap(x, id, []byte("w"), []byte("z"), time.Now().Add(-time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	require.Zero(t, c.Exists(x, key).Val(), "key after CompareAndSwap with a past expiry")

	require.NoError(t, st.Save(x, id, []byte("v"), time.Time{}))
	require.NoError(t, st.Save(x, id, []byte("v"), time.Now().Add(-time.Second)))
	require.Zero(t, c.Exists(x, key).Val(), "key after Save with a past expiry")

	ok, err = st.Insert(x, id, []byte("v"), time.Now().Add(-time.Second))
	require.NoError(t, err)
	require.True(t, ok, "Insert with a past expiry on a free id")
	require.Zero(t, c.Exists(x, key).Val(), "key after Insert with a past expiry")
	ok, err = st.Insert(x, id, []byte("v"), time.Now().Add(5*time.Second))
	require.NoError(t, err)
	require.True(t, ok)
	if d := pttl(); d <= 4*time.Second || d > 5*time.Second {
		t.Fatalf("PTTL after Insert for 5s: got %s, want within (4s, 5s]", d)
	}
	ok, err = st.Insert(x, id, []byte("v"), time.Now().Add(-time.Second))
	require.NoError(t, err)
	require.False(t, ok, "Insert with a past expiry on a taken id")

	unlock, err := st.Lock(x, id, 30*time.Second)
	require.NoError(t, err)
	lockKey := st.Prefix() + "lock:{" + st.Prefix() + id + "}"
	require.Equal(t, lockKey, st.LockKey(id))
	if d, err := c.PTTL(x, lockKey).Result(); err != nil || d <= 29*time.Second || d > 30*time.Second {
		t.Fatalf("PTTL of the lock key: got %s, %v; want within (29s, 30s]", d, err)
	}
	require.NoError(t, unlock.Unlock(x))
	require.Zero(t, c.Exists(x, lockKey).Val(), "lock key after unlock")
}

// TestUnlockKeepsAnotherHoldersLock checks the compare-and-delete: a
// holder whose lock expired and was taken leaves the new lock alone.
func TestUnlockKeepsAnotherHoldersLock(t *testing.T) {
	eachTopology(t, testUnlockKeepsAnotherHoldersLock)
}

func testUnlockKeepsAnotherHoldersLock(t *testing.T, c redis.UniversalClient) {
	st := newStore(t, c, nil)
	x := ctx(t)
	id := storetest.NewID()
	old, err := st.Lock(x, id, 50*time.Millisecond)
	require.NoError(t, err)
	next, err := st.Lock(x, id, time.Minute) // waits out the ttl
	require.NoError(t, err)
	require.NoError(t, old.Unlock(x))
	require.EqualValues(t, 1, c.Exists(x, st.LockKey(id)).Val(), "the new holder's lock after the old holder's unlock")
	require.NoError(t, next.Unlock(x))
	require.NoError(t, next.Unlock(x), "a second unlock")
}

// counter counts the commands a client sends.
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// TestOneRoundTrip checks that each operation is a single command.
func TestOneRoundTrip(t *testing.T) { eachTopology(t, testOneRoundTrip) }

func testOneRoundTrip(t *testing.T, c redis.UniversalClient) {
	var n counter
	c.AddHook(&n)
	st := newStore(t, c, nil)
	x := ctx(t)
	id := storetest.NewID()
	// The first script call may load the script (EVALSHA, then EVAL).
	_, err := st.CompareAndSwap(x, id, []byte("warm"), []byte("up"), time.Time{})
	require.NoError(t, err)
	hour := time.Now().Add(time.Hour)
	ops := []struct {
		name string
		op   func() error
	}{
		{"Save", func() error { return st.Save(x, id, []byte("a"), hour) }},
		{"Save without expiry", func() error { return st.Save(x, id, []byte("a"), time.Time{}) }},
		{"Load", func() error { _, _, err := st.Load(x, id); return err }},
		{"Load of a missing id", func() error { _, _, err := st.Load(x, storetest.NewID()); return err }},
		{"CompareAndSwap", func() error { _, err := st.CompareAndSwap(x, id, []byte("a"), []byte("b"), hour); return err }},
		{"Insert", func() error { _, err := st.Insert(x, storetest.NewID(), []byte("a"), hour); return err }},
		{"Delete", func() error { return st.Delete(x, id) }},
		{"Save with a past expiry", func() error { return st.Save(x, id, []byte("a"), time.Now().Add(-time.Second)) }},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			before := n.n.Load()
			require.NoError(t, o.op())
			if got := n.n.Load() - before; got != 1 {
				t.Fatalf("%s: got %d commands, want 1", o.name, got)
			}
		})
	}
}

func TestNilClient(t *testing.T) {
	st := redisstore.New(nil)
	x := ctx(t)
	id := storetest.NewID()
	errs := []error{
		st.Save(x, id, nil, time.Time{}),
		st.Delete(x, id),
	}
	_, _, err := st.Load(x, id)
	errs = append(errs, err)
	_, err = st.Insert(x, id, nil, time.Time{})
	errs = append(errs, err)
	_, err = st.CompareAndSwap(x, id, nil, nil, time.Time{})
	errs = append(errs, err)
	_, err = st.Lock(x, id, time.Second)
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil || !strings.HasPrefix(err.Error(), "redisstore: ") {
			t.Errorf("call %d on a store without a client: got %v, want a redisstore: error", i, err)
		}
	}
}

func TestOptions(t *testing.T) {
	require.Equal(t, "session:", redisstore.New(nil).Prefix())
	require.Equal(t, "app1:", redisstore.New(nil, redisstore.WithPrefix("app1:"), nil, redisstore.WithLockPoll(-1)).Prefix())
}

// proxied returns a store whose client goes through a fault proxy, and
// cleans up through a direct client. The proxy fronts the single node: the
// clients of a cluster and of Sentinel follow the addresses the servers
// announce, which a proxy cannot stand in for; TestFailover takes their
// masters down instead.
func proxied(t *testing.T) (*faultproxy.Proxy, *redisstore.Store) {
	t.Helper()
	srv := testenv.Redis(t)
	p, err := faultproxy.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p, newStore(t, newClient(t, p.Addr()), newClient(t, ""))
}

func TestOutage(t *testing.T) {
	p, st := proxied(t)
	flowtest.Outage(t, st, p)
}

func TestSlowServer(t *testing.T) {
	p, st := proxied(t)
	flowtest.Slow(t, st, p.SetLatency)
}

// TestOutageErrorWrapsCause checks that a store that cannot reach Redis
// returns an error wrapping the network error.
func TestOutageErrorWrapsCause(t *testing.T) {
	p, st := proxied(t)
	p.Cut()
	defer p.Restore()
	_, _, err := st.Load(ctx(t), storetest.NewID())
	var ne net.Error
	var oe *net.OpError
	if !errors.As(err, &ne) && !errors.As(err, &oe) && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("Load while Redis is unreachable: got %v, want an error wrapping the network error", err)
	}
}

// TestHang: a request whose Redis hangs fails within Config.StoreTimeout.
func TestHang(t *testing.T) {
	p, st := proxied(t)
	flowtest.Hang(t, st, p.SetLatency)
}

// TestLockRecovery: after cuts of 1s, 5s and 30s, every client is served
// again within flowtest.RecoveryTarget of Redis's return, with and without
// Config.Lock.
func TestLockRecovery(t *testing.T) {
	p, st := proxied(t)
	flowtest.LockRecovery(t, st, p, flowtest.RecoveryCuts())
}

// TestLongHandler: a handler longer than the lock's lease keeps it.
func TestLongHandler(t *testing.T) {
	flowtest.LongHandler(t, newStore(t, newClient(t, ""), nil))
}

// TestPastClock: a Config.Now in 2001 still persists sessions.
func TestPastClock(t *testing.T) {
	flowtest.PastClock(t, newStore(t, newClient(t, ""), nil))
}

func TestOutageUnderLoad(t *testing.T) {
	p, st := proxied(t)
	flowtest.OutageUnderLoad(t, st, p, func() {
		p.Cut() // drops the client's pooled connections, and the proxy goroutines serving them
		p.Restore()
	})
}

// TestIntegrity: 50 concurrent requests on one session keep every key, and
// with Config.Lock 50 concurrent increments count 50, on each topology.
func TestIntegrity(t *testing.T) {
	eachTopology(t, func(t *testing.T, client redis.UniversalClient) {
		st := newStore(t, client, nil)
		for _, c := range []struct{ fe, driver string }{{"net/http", "native"}, {"net/http", "cookie+db"}} {
			t.Run(c.fe+"/"+c.driver, func(t *testing.T) { frontends.Integrity(t, c.fe, st, c.driver) })
		}
	})
}

// TestUsers: a signed-in devices page served by two application instances
// on one store, on a single node, a cluster and a Sentinel group.
func TestUsers(t *testing.T) {
	eachTopology(t, func(t *testing.T, c redis.UniversalClient) {
		flowtest.Users(t, newStore(t, c, nil))
	})
}
