//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"os"
	"testing"

	"github.com/ignitego/session/internal/flowtest"
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
