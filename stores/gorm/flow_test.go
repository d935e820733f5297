package gormstore_test

import (
	"testing"

	"github.com/ignitego/session/internal/faultproxy"
	"github.com/ignitego/session/internal/flowtest"
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
