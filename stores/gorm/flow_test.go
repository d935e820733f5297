package gormstore_test

import (
	"testing"

	"github.com/ignitego/session/internal/testkit/faultproxy"
	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
	gormstore "github.com/ignitego/session/stores/gorm"
)

func TestRoundTripThroughFrontEnds(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			flowtest.RoundTrip(t, newStore(t, b.open(t, "")))
		})
	}
}

func TestCollectThroughManager(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t, "")
			st := newStore(t, db)
			flowtest.Collect(t, st, func(t testing.TB, id string) bool { return count(t, db, st.Table(), id) > 0 })
		})
	}
}

// proxied returns a store whose connections go through a fault proxy.
func proxied(t *testing.T, b backend) (*faultproxy.Proxy, *gormstore.Store) {
	t.Helper()
	srv := b.server(t)
	p, err := faultproxy.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p, newStore(t, b.open(t, p.Addr()))
}

func TestOutage(t *testing.T) {
	for _, b := range networked() {
		t.Run(b.name, func(t *testing.T) {
			p, st := proxied(t, b)
			flowtest.Outage(t, st, p)
		})
	}
}

func TestSlowServer(t *testing.T) {
	for _, b := range networked() {
		t.Run(b.name, func(t *testing.T) {
			p, st := proxied(t, b)
			flowtest.Slow(t, st, p.SetLatency)
		})
	}
}

// TestHang: a request whose database hangs fails within
// Config.StoreTimeout.
func TestHang(t *testing.T) {
	for _, b := range networked() {
		t.Run(b.name, func(t *testing.T) {
			p, st := proxied(t, b)
			flowtest.Hang(t, st, p.SetLatency)
		})
	}
}

// TestLockRecovery: after cuts of 1s, 5s and 30s, every client is served
// again within flowtest.RecoveryTarget of the database's return, with and
// without Config.Lock, on each database at once.
func TestLockRecovery(t *testing.T) {
	for _, b := range networked() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			p, st := proxied(t, b)
			flowtest.LockRecovery(t, st, p, flowtest.RecoveryCuts())
		})
	}
}

// TestLongHandler: a handler longer than the lock's lease keeps it, on
// every database.
func TestLongHandler(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { flowtest.LongHandler(t, newStore(t, b.open(t, ""))) })
	}
}

// TestPastClock: a Config.Now in 2001 still persists sessions, on every
// database.
func TestPastClock(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { flowtest.PastClock(t, newStore(t, b.open(t, ""))) })
	}
}

func TestOutageUnderLoad(t *testing.T) {
	for _, b := range networked() {
		t.Run(b.name, func(t *testing.T) {
			srv := b.server(t)
			p, err := faultproxy.New(srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Close() })
			db := b.open(t, p.Addr())
			sqlDB, err := db.DB()
			if err != nil {
				t.Fatal(err)
			}
			flowtest.OutageUnderLoad(t, newStore(t, db), p, func() {
				sqlDB.SetMaxIdleConns(0) // closes the pool's idle connections and their watchers
			})
		})
	}
}

// TestIntegrity: 50 concurrent requests on one session keep every key, and
// with Config.Lock 50 concurrent increments count 50, on every database.
func TestIntegrity(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := newStore(t, b.open(t, ""))
			for _, c := range []struct{ fe, driver string }{{"net/http", "native"}, {"net/http", "cookie+db"}} {
				t.Run(c.fe+"/"+c.driver, func(t *testing.T) { frontends.Integrity(t, c.fe, st, c.driver) })
			}
		})
	}
}

// TestUsers: a signed-in devices page served by two application instances
// on one table, on every database.
func TestUsers(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			flowtest.Users(t, newStore(t, b.open(t, "")))
		})
	}
}
