package codeigniter_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/internal/testkit/testenv"
	"github.com/ignitego/session/stores/codeigniter"
)

// The Redis layout runs on a single node ("redis"), a Sentinel group
// ("redis-sentinel") and a cluster ("redis-cluster"), each through the
// client redis.NewUniversalClient builds for it. PHP shares the sessions on
// the first two: on Sentinel it connects to the current master, as a
// CodeIgniter application's save path names one server. CodeIgniter's
// Redis handlers cannot use a cluster (they connect to one server and
// follow no redirect), so on the cluster only the Go side of the layout
// runs: the tests that loop over goBackends.
var clusterBackend = backend{"redis-cluster", openRedisCluster}

// goBackends are the layouts the Go-only tests run on: every backend, and
// the Redis layout on a cluster.
func goBackends() []backend { return append(append([]backend(nil), backends...), clusterBackend) }

// universal returns the client NewUniversalClient builds for a topology,
// closed when the test ends.
func universal(t testing.TB, topo testenv.RedisTopology) redis.UniversalClient {
	t.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: topo.Addrs, MasterName: topo.MasterName, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func openRedisSentinel(t testing.TB, version int, via string, tweak func(*codeigniter.App)) *fixture {
	t.Helper()
	if via != "" {
		t.Fatal("the Sentinel fixture takes no proxy")
	}
	topo := testenv.RedisSentinel(t)
	c := universal(t, topo)
	s := redis.NewSentinelClient(&redis.Options{Addr: topo.Addrs[0]})
	defer s.Close()
	master, err := s.GetMasterAddrByName(ctx(t), topo.MasterName).Result()
	require.NoError(t, err, "the master's address from the sentinel")
	return redisFixture(t, version, c, c, master[0]+":"+master[1], tweak)
}

func openRedisCluster(t testing.TB, version int, via string, tweak func(*codeigniter.App)) *fixture {
	t.Helper()
	if via != "" {
		t.Fatal("the cluster fixture takes no proxy")
	}
	c := universal(t, testenv.RedisCluster(t))
	fx := redisFixture(t, version, c, c, "127.0.0.1:0", tweak)
	fx.php = nil // no PHP on a cluster
	return fx
}

// redisBackends are the Redis layout on each topology.
func redisBackends() []backend {
	return []backend{backendFor("redis"), backendFor("redis-sentinel"), clusterBackend}
}

// TestIntegrity runs the Redis layout of CodeIgniter 4, as a plain store
// with its lock, on each topology: 50 concurrent requests on one session
// keep every key, and with Config.Lock, CodeIgniter's lock, 50 concurrent
// increments count 50.
func TestIntegrity(t *testing.T) {
	for _, b := range redisBackends() {
		t.Run(b.name, func(t *testing.T) {
			fx := b.open(t, 4, "", func(a *codeigniter.App) { a.LockWait = 5 * time.Millisecond })
			frontends.Integrity(t, "net/http", mustStore(t, fx.app), "native")
		})
	}
}

// TestKeySlots runs requests through the configuration Config returns, with
// CodeIgniter's lock, on a cluster, recording every command the store
// sends, and asks the cluster where each key lives: every command names
// one key (so one hash slot), no command fails (no CROSSSLOT), and the keys
// are CodeIgniter's: the session's, and its lock's, the same with ":lock"
// appended. Those two have no hash tag in common, so on a cluster they
// are mostly in different slots; the test logs how many share one.
func TestKeySlots(t *testing.T) {
	topo := testenv.RedisCluster(t)
	c, admin := universal(t, topo), universal(t, topo)
	var rec recorder
	c.AddHook(&rec)
	fx := redisFixture(t, 4, c, admin, "127.0.0.1:0", nil)
	cfg, err := codeigniter.Config(fx.app)
	require.NoError(t, err)
	require.True(t, cfg.Lock, "Config takes CodeIgniter's lock")
	cfg.Logger = slog.New(slog.DiscardHandler)
	m, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	srv := frontends.Start(t, "net/http", m, flowtest.Routes(), frontends.Options{})
	const sessions = 20
	for range sessions {
		cl := srv.NewClient(t, "")
		for _, path := range []string{"/set?v=1", "/get", "/flash", "/destroy"} {
			r := cl.Get(path)
			require.Contains(t, []int{http.StatusOK, http.StatusSeeOther}, r.Status, "%s: %s", path, r.Body)
		}
	}

	rec.mu.Lock()
	cmds := rec.cmds
	rec.mu.Unlock()
	require.NotEmpty(t, cmds)
	st := mustStore(t, fx.app).(*codeigniter.RedisStore)
	prefix := st.Key("")
	slotOf := map[string]int64{}
	for _, cmd := range cmds {
		if cmd.err != nil && !errors.Is(cmd.err, redis.Nil) && !redis.HasErrorPrefix(cmd.err, "NOSCRIPT") {
			t.Errorf("%v: got error %v, want none (a NOSCRIPT, answered by EVAL, aside)", cmd.args, cmd.err)
		}
		keys, err := admin.CommandGetKeys(ctx(t), cmd.args...).Result()
		require.NoError(t, err, "COMMAND GETKEYS %v", cmd.args)
		if len(keys) != 1 {
			t.Errorf("%v: got keys %v, want one", cmd.args, keys)
		}
		for _, k := range keys {
			id, ok := strings.CutPrefix(strings.TrimSuffix(k, ":lock"), prefix)
			require.True(t, ok && core.ValidID(id), "key %q is neither a session's nor its lock's", k)
			if _, ok := slotOf[k]; !ok {
				slotOf[k], err = admin.ClusterKeySlot(ctx(t), k).Result()
				require.NoError(t, err)
			}
		}
	}
	shared, locks := 0, 0
	for k, slot := range slotOf {
		if data, ok := strings.CutSuffix(k, ":lock"); ok {
			locks++
			if dataSlot, ok := slotOf[data]; ok && dataSlot == slot {
				shared++
			}
		}
	}
	require.GreaterOrEqual(t, locks, sessions, "every request took CodeIgniter's lock")
	t.Logf("%d commands on %d keys, one key each; %d of %d locks share their session's slot", len(cmds), len(slotOf), shared, locks)
}

// recorder records the arguments and the outcome of every command a
// client sends.
type recorder struct {
	mu   sync.Mutex
	cmds []recorded
}

type recorded struct {
	args []any
	err  error
}

func (r *recorder) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *recorder) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		r.mu.Lock()
		r.cmds = append(r.cmds, recorded{args: append([]any(nil), cmd.Args()...), err: err})
		r.mu.Unlock()
		return err
	}
}
func (r *recorder) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		r.mu.Lock()
		for _, cmd := range cmds {
			r.cmds = append(r.cmds, recorded{args: append([]any(nil), cmd.Args()...), err: cmd.Err()})
		}
		r.mu.Unlock()
		return err
	}
}
