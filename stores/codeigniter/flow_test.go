package codeigniter_test

import (
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/faultproxy"
	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/internal/testkit/testenv"
	"github.com/ignitego/session/stores/codeigniter"
)

// TestRoundTripThroughFrontEnds runs the engine's request flows on each
// layout, as a plain store.
func TestRoundTripThroughFrontEnds(t *testing.T) {
	for _, b := range goBackends() {
		t.Run(b.name, func(t *testing.T) {
			fx := b.open(t, 4, "", nil)
			flowtest.RoundTrip(t, mustStore(t, fx.app))
		})
	}
}

// TestCollectThroughManager runs garbage collection on the Manager's
// schedule and on demand, for the layouts that collect (Redis expires keys
// itself). The files layout uses CodeIgniter 3's 40-hex-digit ids, the
// form of the ids the flow plants.
func TestCollectThroughManager(t *testing.T) {
	for _, bn := range []string{"files", "mariadb", "postgres"} {
		t.Run(bn, func(t *testing.T) {
			fx := backendFor(bn).open(t, 3, "", nil)
			st := mustStore(t, fx.app)
			flowtest.Collect(t, st, func(t testing.TB, id string) bool {
				if fs, ok := st.(*codeigniter.FileStore); ok {
					_, err := os.Stat(fs.Path(id))
					return err == nil
				}
				var n int
				q := "SELECT count(*) FROM " + fx.app.Table + " WHERE id = ?"
				if fx.dialect == codeigniter.PostgreSQL {
					q = "SELECT count(*) FROM " + fx.app.Table + " WHERE id = $1"
				}
				require.NoError(t, fx.db.QueryRowContext(ctx(t), q, st.(*codeigniter.DatabaseStore).RowID(id)).Scan(&n))
				return n > 0
			})
		})
	}
}

// networked are the layouts on a server.
var networked = []string{"mariadb", "postgres", "redis"}

// proxied returns a fixture whose Go side reaches its server through a
// fault proxy.
func proxied(t *testing.T, bn string, version int) (*faultproxy.Proxy, *fixture) {
	t.Helper()
	var srv testenv.Server
	switch bn {
	case "mariadb":
		srv = testenv.MySQL(t)
	case "postgres":
		srv = testenv.Postgres(t)
	default:
		srv = testenv.Redis(t)
	}
	p, err := faultproxy.New(srv.Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p, backendFor(bn).open(t, version, p.Addr(), nil)
}

// TestOutage checks each networked layout through an outage of its server:
// 503 while it is down, the cause wrapped, the session intact after.
func TestOutage(t *testing.T) {
	for _, bn := range networked {
		t.Run(bn, func(t *testing.T) {
			p, fx := proxied(t, bn, 4)
			flowtest.Outage(t, mustStore(t, fx.app), p)
		})
	}
}

// TestSlowServer checks that each networked layout honours a context
// deadline while its server is slow.
func TestSlowServer(t *testing.T) {
	for _, bn := range networked {
		t.Run(bn, func(t *testing.T) {
			p, fx := proxied(t, bn, 3)
			flowtest.Slow(t, mustStore(t, fx.app), p.SetLatency)
		})
	}
}

// TestHang: a request whose server hangs fails within Config.StoreTimeout,
// on each networked layout.
func TestHang(t *testing.T) {
	for _, bn := range networked {
		t.Run(bn, func(t *testing.T) {
			p, fx := proxied(t, bn, 4)
			flowtest.Hang(t, mustStore(t, fx.app), p.SetLatency)
		})
	}
}

// TestLockRecovery: after cuts of 1s, 5s and 30s of Redis, every client is
// served again within flowtest.RecoveryTarget of its return, with and
// without Config.Lock, on CodeIgniter 3's Redis layout and lock.
func TestLockRecovery(t *testing.T) {
	p, fx := proxied(t, "redis", 3)
	flowtest.LockRecovery(t, mustStore(t, fx.app), p, flowtest.RecoveryCuts())
}

// TestLongHandler: a handler longer than the lock's lease keeps it, on
// every layout and CodeIgniter's locks.
func TestLongHandler(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			fx := b.open(t, 3, "", nil)
			flowtest.LongHandler(t, mustStore(t, fx.app))
		})
	}
}

// TestOutageThroughConfig checks the configuration Config returns, with its
// lock, through an outage: the session's lock cannot be taken, the request
// is answered 503, and once the server is back the same session is served.
func TestOutageThroughConfig(t *testing.T) {
	for _, bn := range networked {
		for _, version := range []int{3, 4} {
			t.Run(name(version, bn), func(t *testing.T) {
				p, fx := proxied(t, bn, version)
				cfg, err := codeigniter.Config(fx.app)
				require.NoError(t, err)
				cfg.Logger = slog.New(slog.DiscardHandler)
				cfg.LockTimeout = 2e9
				m, err := core.New(cfg)
				require.NoError(t, err)
				t.Cleanup(func() { _ = m.Close() })
				srv := frontends.Start(t, "net/http", m, flowtest.Routes(), frontends.Options{})
				c := srv.NewClient(t, "")
				require.Equal(t, "ok", c.Get("/set?v=before").Body)

				p.Cut()
				restored := false
				defer func() {
					if !restored {
						p.Restore()
					}
				}()
				for _, path := range []string{"/get", "/set?v=during"} {
					r := c.Get(path)
					require.Equal(t, http.StatusServiceUnavailable, r.Status, "%s while the server is down: %s", path, r.Body)
				}
				p.Restore()
				restored = true
				require.Equal(t, "before", c.Get("/get").Body)
				require.Equal(t, "ok", c.Get("/set?v=after").Body)
				require.Equal(t, "after", c.Get("/get").Body)
			})
		}
	}
}
