package flowtest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// RecoveryTarget is the longest a client may wait, after the store
// returns, to be served again.
const RecoveryTarget = 5 * time.Second

// RecoveryCuts are the outages LockRecovery measures: 1s, 5s and 30s, or
// only 1s with go test -short.
func RecoveryCuts() []time.Duration {
	if testing.Short() {
		return []time.Duration{time.Second}
	}
	return []time.Duration{time.Second, 5 * time.Second, 30 * time.Second}
}

// Recovery is what LockRecovery measured for one cut and one setting.
type Recovery struct {
	Cut      time.Duration // how long the store was out of reach
	Lock     bool          // Config.Lock
	After    time.Duration // from the store's return until every client had a 200
	Refused  int           // answers 503, during the cut and after
	Answered int           // answers 200
}

func (r Recovery) String() string {
	lock := "without Lock"
	if r.Lock {
		lock = "with Lock"
	}
	return fmt.Sprintf("cut %s, %s: every client served %s after the store returned (%d answered 200, %d answered 503)",
		r.Cut, lock, r.After.Round(10*time.Millisecond), r.Answered, r.Refused)
}

// LockRecovery cuts the store off once for each duration in cuts, while
// clients increment counters in their own sessions, each going back and
// forth between two application instances (two Managers on st), with and
// without Config.Lock (defaults otherwise), at once. Requests hold their
// session for 20ms, so that the cut finds locks held. It fails when any
// client waits longer than RecoveryTarget after the store returns before
// it is served, when an answer is neither 200 nor 503, or when a counter
// lost an increment a 200 acknowledged. It returns what it measured.
func LockRecovery(t *testing.T, st core.Store, f Fault, cuts []time.Duration) []Recovery {
	var out []Recovery
	for _, cut := range cuts {
		var wg sync.WaitGroup
		results := make([]Recovery, 2)
		runs := make([]*recoveryRun, 2)
		for i, lock := range []bool{true, false} {
			runs[i] = newRecoveryRun(t, st, lock)
		}
		stop := make(chan struct{})
		for _, r := range runs {
			wg.Add(1)
			go func() { defer wg.Done(); r.load(stop) }()
		}
		time.Sleep(500 * time.Millisecond)
		f.Cut()
		time.Sleep(cut)
		f.Restore()
		back := time.Now()
		deadline := back.Add(RecoveryTarget + 10*time.Second)
		for !runs[0].served(back) || !runs[1].served(back) {
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		close(stop)
		wg.Wait()
		for i, r := range runs {
			results[i] = r.check(t, cut, back)
			t.Log(results[i])
		}
		out = append(out, results...)
	}
	return out
}

// recoveryRun is one setting's clients and instances.
type recoveryRun struct {
	t       *testing.T
	lock    bool
	servers [2]*frontends.Server
	clients []*recoveryClient
}

type recoveryClient struct {
	c *frontends.Client

	mu      sync.Mutex
	acked   int         // increments answered 200
	unknown int         // increments answered 503: the store may have taken them
	firstOK []time.Time // when each 200 arrived
	bad     []string
}

const recoveryClients = 6

func newRecoveryRun(t *testing.T, st core.Store, lock bool) *recoveryRun {
	r := &recoveryRun{t: t, lock: lock}
	routes := []frontends.Route{
		{Method: http.MethodGet, Path: "/incr", Handle: func(c frontends.Ctx) {
			n := core.GetOr(c.Session(), "n", 0)
			time.Sleep(20 * time.Millisecond)
			c.Session().SetUserdata("n", n+1)
			c.String(http.StatusOK, "ok")
		}},
		{Method: http.MethodGet, Path: "/n", Handle: func(c frontends.Ctx) {
			c.String(http.StatusOK, strconv.Itoa(core.GetOr(c.Session(), "n", 0)))
		}},
	}
	name := "nolock"
	if lock {
		name = "lock"
	}
	for i := range r.servers {
		m := Manager(t, st, func(c *core.Config) { c.Lock, c.CookieName = lock, "recovery_"+name })
		r.servers[i] = frontends.Start(t, "net/http", m, routes, frontends.Options{})
	}
	for range recoveryClients {
		c := r.servers[0].NewClient(t, "")
		want(t, "a first request", c.Get("/incr"), http.StatusOK, "ok")
		r.clients = append(r.clients, &recoveryClient{c: c, acked: 1})
	}
	return r
}

// load sends increments from every client, alternating instances, until
// stop is closed.
func (r *recoveryRun) load(stop chan struct{}) {
	var wg sync.WaitGroup
	for _, rc := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := rc.c.On(r.servers[i%2]).Send(http.MethodGet, "/incr", nil)
				rc.mu.Lock()
				switch {
				case err != nil:
					rc.bad = append(rc.bad, err.Error())
				case resp.Status == http.StatusOK:
					rc.acked++
					rc.firstOK = append(rc.firstOK, time.Now())
				case resp.Status == http.StatusServiceUnavailable:
					rc.unknown++
				default:
					rc.bad = append(rc.bad, fmt.Sprintf("status %d %q", resp.Status, resp.Body))
				}
				rc.mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// served reports whether every client had a 200 after back.
func (r *recoveryRun) served(back time.Time) bool {
	for _, rc := range r.clients {
		if rc.servedAt(back).IsZero() {
			return false
		}
	}
	return true
}

// servedAt returns when the client's first 200 after back arrived.
func (rc *recoveryClient) servedAt(back time.Time) time.Time {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, at := range rc.firstOK {
		if at.After(back) {
			return at
		}
	}
	return time.Time{}
}

// check checks the run's answers and counters, and returns its figures.
func (r *recoveryRun) check(t *testing.T, cut time.Duration, back time.Time) Recovery {
	t.Helper()
	res := Recovery{Cut: cut, Lock: r.lock}
	for i, rc := range r.clients {
		for _, b := range rc.bad {
			t.Errorf("lock %v, client %d: %s", r.lock, i, b)
		}
		at := rc.servedAt(back)
		if at.IsZero() {
			t.Errorf("cut %s, lock %v: client %d was not served again within %s of the store's return", cut, r.lock, i, RecoveryTarget+10*time.Second)
			res.After = max(res.After, RecoveryTarget+10*time.Second)
		} else {
			res.After = max(res.After, at.Sub(back))
		}
		res.Answered += rc.acked
		res.Refused += rc.unknown
		resp := rc.c.Get("/n")
		n, err := strconv.Atoi(resp.Body)
		if resp.Status != http.StatusOK || err != nil {
			t.Errorf("lock %v, client %d: reading the counter: %d %q", r.lock, i, resp.Status, resp.Body)
			continue
		}
		// A 503 may hide an increment the store took before the cut.
		if n < rc.acked || n > rc.acked+rc.unknown {
			t.Errorf("cut %s, lock %v, client %d: counter %d after %d acknowledged and %d refused increments", cut, r.lock, i, n, rc.acked, rc.unknown)
		}
	}
	if res.After > RecoveryTarget {
		t.Errorf("cut %s, lock %v: every client served again %s after the store returned, want at most %s", cut, r.lock, res.After.Round(10*time.Millisecond), RecoveryTarget)
	}
	return res
}
