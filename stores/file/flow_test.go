//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"os"
	"testing"

	"github.com/ignitego/session/internal/testkit/flowtest"
	"github.com/ignitego/session/internal/testkit/frontends"
)

func TestRoundTripThroughFrontEnds(t *testing.T) {
	flowtest.RoundTrip(t, newStore(t))
}

// dirOutage takes a file store down by putting a file where its directory
// was (even root cannot read through that), and back by moving the
// directory back.
type dirOutage struct {
	t   *testing.T
	dir string
}

func (o dirOutage) Cut() {
	if err := os.Rename(o.dir, o.dir+".away"); err != nil {
		o.t.Fatalf("cut: %v", err)
	}
	if err := os.WriteFile(o.dir, []byte("not a directory"), 0o600); err != nil {
		o.t.Fatalf("cut: %v", err)
	}
}

func (o dirOutage) Restore() {
	if err := os.Remove(o.dir); err != nil {
		o.t.Errorf("restore: %v", err)
	}
	if err := os.Rename(o.dir+".away", o.dir); err != nil {
		o.t.Errorf("restore: %v", err)
	}
}

func TestOutage(t *testing.T) {
	st := newStore(t)
	flowtest.Outage(t, st, dirOutage{t: t, dir: st.Dir()})
}

// TestIntegrity: 50 concurrent requests on one session keep every key, and
// with Config.Lock 50 concurrent increments count 50.
func TestIntegrity(t *testing.T) {
	st := newStore(t)
	for _, c := range []struct{ fe, driver string }{{"net/http", "native"}, {"net/http", "cookie+db"}} {
		t.Run(c.fe+"/"+c.driver, func(t *testing.T) { frontends.Integrity(t, c.fe, st, c.driver) })
	}
}

// TestUsers: a signed-in devices page served by two application instances
// on one store.
func TestUsers(t *testing.T) {
	flowtest.Users(t, newStore(t))
}
