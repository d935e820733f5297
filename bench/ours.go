package bench

import (
	"context"
	"testing"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// encryptionKey signs the cookie driver's cookies (and the peers' cookie
// stores'): 32 bytes, signing only, as every library's default.
var encryptionKey = []byte("bench-key-0123456789abcdef-32byt")

// oursStore is one store variant of ours: one entry per variant, so that a
// new store is one more entry (see ours_redis.go).
type oursStore struct {
	name string // the store kind: "cookie", "memory" or "redis"

	// config returns the Config to run on, and the meter of its store's
	// I/O (nil when the store does none).
	config func(tb testing.TB) (core.Config, *meter)

	// perCall is the most I/O one store call may cost, in its meter's
	// unit; 0 leaves it unchecked.
	perCall int64

	// record has the store's ids recorded and deleted at the end, for a
	// store whose keys cannot be given a prefix of the run's own.
	record bool
}

var oursStores = []oursStore{
	{
		name: "cookie",
		config: func(testing.TB) (core.Config, *meter) {
			cfg := core.DefaultConfig()
			cfg.EncryptionKey = encryptionKey
			return cfg, nil
		},
	},
	{
		name: "memory",
		config: func(testing.TB) (core.Config, *meter) {
			return nativeConfig(memstore.New()), nil
		},
	},
}

// nativeConfig is the native driver on st, with no scheduled garbage
// collection: the benchmarks run it on demand.
func nativeConfig(st core.Store) core.Config {
	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.Store = st
	cfg.GCInterval = -1
	return cfg
}

// oursManager returns a Manager on st, closed at the end of tb, and the
// meter of its store's I/O. With count, the store's calls are counted in
// the returned countingStore (nil for the cookie driver).
func oursManager(tb testing.TB, st oursStore, count bool) (*core.Manager, *meter, *countingStore) {
	tb.Helper()
	cfg, io := st.config(tb)
	var calls *countingStore
	if cfg.Store != nil && (count || st.record) {
		var cs *countingStore
		cfg.Store, cs = countStore(cfg.Store, st.record)
		if st.record {
			inner := cs.Store
			tb.Cleanup(func() {
				for _, id := range cs.IDs() {
					if err := inner.Delete(context.Background(), id); err != nil {
						tb.Errorf("deleting session %s: %v", id, err)
						return
					}
				}
			})
		}
		if count {
			calls = cs
		}
	}
	m, err := core.New(cfg)
	if err != nil {
		tb.Fatalf("core.New: %v", err)
	}
	tb.Cleanup(func() { m.Close() })
	return m, io, calls
}

// oursApps mounts ours in each framework: its middleware in front of the
// workloads' handlers.
var oursApps = map[string]func(m *core.Manager, ms *misses) target{
	"gin":   ginOurs,
	"echo":  echoOurs,
	"fiber": fiberOurs,
	"http":  httpOurs,
}

// oursMounts returns a mount per store variant of ours in stores, in
// framework fw.
func oursMounts(fw string, stores []oursStore) []mount {
	var out []mount
	for _, st := range stores {
		out = append(out, mount{library: "ours", store: st.name, build: func(tb testing.TB) *Case {
			return mountOurs(tb, fw, st, false)
		}})
	}
	return out
}

// mountOurs mounts ours on st in framework fw; with count, its store calls
// are counted.
func mountOurs(tb testing.TB, fw string, st oursStore, count bool) *Case {
	m, io, calls := oursManager(tb, st, count)
	ms := new(misses)
	return &Case{Framework: fw, Library: "ours", Store: st.name, target: oursApps[fw](m, ms), misses: ms, io: io, calls: calls}
}

// sessionOps are ours' ops once a framework's From has found the session.
func sessionOps[C any](from func(C) *core.Session) *ops[C, *core.Session] {
	return &ops[C, *core.Session]{
		open: func(c C) (*core.Session, error) { return from(c), nil },
		get:  (*core.Session).Userdata,
		set:  (*core.Session).SetUserdata,
	}
}
