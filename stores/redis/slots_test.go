package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/internal/testkit/testenv"
	redisstore "github.com/ignitego/session/stores/redis"
)

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

// TestKeySlots runs requests through the engine with Config.Lock on a
// cluster, recording every command the store sends, and asks the cluster
// (COMMAND GETKEYS, CLUSTER KEYSLOT) where each key lives: every command's
// keys are in one hash slot, no command fails (no CROSSSLOT), and all the
// keys of one session, its data and its lock, are in one slot, so that a
// request needs one master. Sessions still spread over many slots.
func TestKeySlots(t *testing.T) {
	c := universal(t, testenv.RedisCluster(t))
	admin := universal(t, testenv.RedisCluster(t))
	var rec recorder
	c.AddHook(&rec)
	st := newStore(t, c, admin)
	m := flowtest.Manager(t, st, func(cfg *core.Config) { cfg.Lock = true })
	srv := frontends.Start(t, "net/http", m, flowtest.Routes(), frontends.Options{})
	const sessions = 20
	for i := range sessions {
		cl := srv.NewClient(t, "")
		v := strconv.Itoa(i)
		for _, path := range []string{"/set?v=" + v, "/get", "/flash", "/destroy"} {
			r := cl.Get(path)
			require.Contains(t, []int{http.StatusOK, http.StatusSeeOther}, r.Status, "%s: %s", path, r.Body)
		}
	}

	x := ctx(t)
	slotOf := map[string]int64{}
	sessionSlots := map[string]map[int64]bool{} // by session id
	sessionKeys := map[string]map[string]bool{}
	rec.mu.Lock()
	cmds := rec.cmds
	rec.mu.Unlock()
	require.NotEmpty(t, cmds)
	for _, cmd := range cmds {
		if cmd.err != nil && !errors.Is(cmd.err, redis.Nil) && !redis.HasErrorPrefix(cmd.err, "NOSCRIPT") {
			t.Errorf("%v: got error %v, want none (a NOSCRIPT, answered by EVAL, aside)", cmd.args, cmd.err)
		}
		keys, err := admin.CommandGetKeys(x, cmd.args...).Result()
		require.NoError(t, err, "COMMAND GETKEYS %v", cmd.args)
		require.NotEmpty(t, keys, "%v names no key", cmd.args)
		slots := map[int64]bool{}
		for _, k := range keys {
			if _, ok := slotOf[k]; !ok {
				slotOf[k], err = admin.ClusterKeySlot(x, k).Result()
				require.NoError(t, err)
			}
			slots[slotOf[k]] = true
			id := sessionOf(st.Prefix(), k)
			require.NotEmpty(t, id, "key %q is neither a session's nor a lock's", k)
			if sessionSlots[id] == nil {
				sessionSlots[id], sessionKeys[id] = map[int64]bool{}, map[string]bool{}
			}
			sessionSlots[id][slotOf[k]] = true
			sessionKeys[id][k] = true
		}
		if len(slots) != 1 {
			t.Errorf("%v: keys in %d hash slots, want 1", cmd.args, len(slots))
		}
	}
	all := map[int64]bool{}
	for id, slots := range sessionSlots {
		if len(slots) != 1 {
			t.Errorf("session %s…: keys %v in %d hash slots, want 1", id[:8], sessionKeys[id], len(slots))
		}
		if len(sessionKeys[id]) != 2 {
			t.Errorf("session %s…: got keys %v, want its data and its lock", id[:8], sessionKeys[id])
		}
		for s := range slots {
			all[s] = true
		}
	}
	if len(sessionSlots) < sessions || len(all) < sessions/2 {
		t.Fatalf("got %d sessions in %d slots, want at least %d sessions spread over at least %d slots", len(sessionSlots), len(all), sessions, sessions/2)
	}
	t.Logf("%d commands on %d keys of %d sessions in %d slots, one slot per command and per session", len(cmds), len(slotOf), len(sessionSlots), len(all))
}

// sessionOf returns the session id whose data or lock key is k, "" when k
// is neither. A lock key is recognised with or without its hash tag.
func sessionOf(prefix, k string) string {
	rest, ok := strings.CutPrefix(k, prefix)
	if !ok {
		return ""
	}
	if lock, ok := strings.CutPrefix(rest, "lock:"); ok {
		rest = lock
		if tag, ok := strings.CutPrefix(lock, "{"+prefix); ok {
			rest, _ = strings.CutSuffix(tag, "}")
		}
	}
	if !core.ValidID(rest) {
		return ""
	}
	return rest
}

// TestLockKey checks the lock key's hash tag: the session's key, or none
// when the prefix has braces of its own.
func TestLockKey(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{"session:", "session:lock:{session:ID}"},
		{"", "lock:{ID}"},
		{"{app}:", "{app}:lock:ID"},
		{"a{b:", "a{b:lock:ID"},
		{"a}b:", "a}b:lock:ID"},
	}
	for _, c := range cases {
		if got := redisstore.New(nil, redisstore.WithPrefix(c.prefix)).LockKey("ID"); got != c.want {
			t.Errorf("LockKey with prefix %q: got %q, want %q", c.prefix, got, c.want)
		}
	}
}
