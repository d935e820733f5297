package instances

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/testenv"
)

// The users, per mode: busy ones pause briefly between two pairs of
// requests, idle ones for two thirds of Expiration, so that their sessions
// come near expiry while every instance collects garbage; abandoned ones
// send one request and never come back.
const (
	busyUsers      = 2
	idleUsers      = 1
	abandonedUsers = 3
	busyThink      = 20 * time.Millisecond
	idleThink      = 2 * expiration / 3
)

// figures are what a run did, for its log line.
type figures struct {
	restarts, requests, sent, counts, rotations, failed int
	served, gcCalls, gcDeleted, gcCancelled             int64
}

func run(t *testing.T, b Backend) {
	name := testenv.Name("multi")
	st := b.Open(t, name) // creates the table, if any, before the instances race to
	t.Cleanup(func() { b.Clean(t, name) })
	_, collector := st.(core.Collector)
	k1, k2 := []byte(rand.Text()+rand.Text()), []byte(rand.Text()+rand.Text())

	f := newFleet(t, name)
	began := time.Now()
	f.startAll(k1, nil)

	var abandoned []*user
	for _, mode := range modes {
		for i := range abandonedUsers {
			u := newUser(f, fmt.Sprintf("%s-abandoned-%d", mode, i), mode, 0)
			u.next = i
			if !u.incr() {
				t.Fatal(u.errs)
			}
			abandoned = append(abandoned, u)
		}
	}
	abandonedAt := time.Now()

	users, busy, stopUsers := startUsers(t, f)
	var fig figures
	fig.restarts = rollOver(t, f, busy, k1, k2, began)

	// Let the abandoned sessions expire, and be collected.
	if d := time.Until(abandonedAt.Add(expiration + 3*gcInterval)); d > 0 {
		time.Sleep(d)
	}
	stopUsers()

	checkUsers(t, b, name, f, users, &fig)
	fig.requests += len(abandoned)
	fig.sent += len(abandoned)
	for _, u := range abandoned {
		if b.Kept(t, name, u.lastID) {
			t.Errorf("%s: the backend still holds its session %s after its only request (Expiration %s), want it gone", u.name, time.Since(abandonedAt).Round(time.Millisecond), expiration)
		}
	}
	reports := f.stopAll()
	checkReports(t, reports, collector, &fig)
	if fig.served != int64(fig.sent+fig.counts) {
		t.Errorf("the instances served %d requests, want the %d increments sent and the %d final counts, each once", fig.served, fig.sent, fig.counts)
	}
	if collector && fig.gcDeleted < int64(len(abandoned)) {
		t.Errorf("garbage collections deleted %d sessions, want at least the %d abandoned", fig.gcDeleted, len(abandoned))
	}
	t.Logf("%d processes (%d restarts) in %s: %d users and %d abandoned sessions; %d increments answered 200, %d final counts, %d requests served in all; %d users failed; %d id rotations; 1 key rollover in 3 steps; %d garbage collections (Collector: %v) deleted %d sessions, %d cancelled by Close; %d abandoned sessions gone",
		len(reports), fig.restarts, time.Since(began).Round(time.Millisecond), len(users), len(abandoned),
		fig.requests, fig.counts, fig.served, fig.failed, fig.rotations,
		fig.gcCalls, collector, fig.gcDeleted, fig.gcCancelled, len(abandoned))
}

// startUsers starts the busy and idle users of every mode; stop stops them
// and waits for them.
func startUsers(t *testing.T, f *fleet) (users, busy []*user, stop func()) {
	for _, mode := range modes {
		for i := range busyUsers + idleUsers {
			think := busyThink
			if i >= busyUsers {
				think = idleThink
			}
			u := newUser(f, fmt.Sprintf("%s-%d", mode, i), mode, think)
			u.next = i
			users = append(users, u)
			if think == busyThink {
				busy = append(busy, u)
			}
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.loop(done)
		}()
	}
	stop = sync.OnceFunc(func() { close(done); wg.Wait() })
	t.Cleanup(stop)
	return users, busy, stop
}

// rollOver replaces the cookie key k1 with k2 while the users come and go,
// restarting one instance at a time, and returns how many restarts it
// made. An instance accepts the new key before any signs with it, as
// instances with and without it serve the same users; the old key goes
// once Expiration has passed since the last instance stopped signing with
// it (docs/drivers.md). After each restart the busy users go round the
// instances, old and new, twice.
func rollOver(t *testing.T, f *fleet, busy []*user, k1, k2 []byte, began time.Time) int {
	time.Sleep(timeToUpdate)
	steps := []struct {
		what          string
		key, previous []byte
	}{
		{"accept the new key", k1, k2},
		{"sign with the new key", k2, k1},
		{"retire the old key", k2, nil},
	}
	restarts := 0
	for _, s := range steps {
		var previous [][]byte
		if s.previous != nil {
			previous = [][]byte{s.previous}
		} else {
			time.Sleep(expiration)
		}
		for i := range size {
			f.restart(i, s.key, previous)
			restarts++
			if err := progress(busy, 2); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d instances restarted at %s", s.what, size, time.Since(began).Round(time.Millisecond))
	}
	return restarts
}

// checkUsers checks what every user saw, then reads its counter on every
// instance and checks that the backend holds its session.
func checkUsers(t *testing.T, b Backend, name string, f *fleet, users []*user, fig *figures) {
	for _, u := range users {
		fig.requests += u.acked
		fig.sent += u.sent
		if len(u.errs) == 0 { // else it stopped there
			fig.counts += len(f.addrs())
			u.final()
		}
		if len(u.errs) > 0 {
			t.Error(strings.Join(u.errs, "\n"))
			fig.failed++
			continue
		}
		if len(u.ids) < 2 {
			t.Errorf("%s: got %d session id over the test, want it rotated at least once", u.name, len(u.ids))
		}
		fig.rotations += len(u.ids) - 1
		if !b.Kept(t, name, u.lastID) {
			t.Errorf("%s: the backend holds nothing under its session's id, want the session", u.name)
		}
	}
}

// checkReports checks what the processes reported when they stopped.
func checkReports(t *testing.T, reports []report, collector bool, fig *figures) {
	for i, r := range reports {
		fig.served += r.Requests
		fig.gcCalls += r.GCCalls
		fig.gcDeleted += r.GCDeleted
		fig.gcCancelled += r.GCCancelled
		if len(r.Logged) > 0 {
			t.Errorf("process %d logged %d warnings and errors, want none:\n%s", i, len(r.Logged), strings.Join(r.Logged, "\n"))
		}
		if len(r.GCErrors) > 0 {
			t.Errorf("process %d: %d garbage collections failed, want none:\n%s", i, len(r.GCErrors), strings.Join(r.GCErrors, "\n"))
		}
		switch {
		case collector && !r.GCCounted:
			t.Errorf("process %d did not count its garbage collections: its store lacks an ability", i)
		case collector && r.Uptime > 3*gcInterval && r.GCCalls == 0:
			t.Errorf("process %d ran %s and collected no garbage, want a collection every %s", i, r.Uptime.Round(time.Millisecond), gcInterval)
		}
	}
}
