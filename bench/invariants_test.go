package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

// requests is how many requests each invariant is checked over.
const requests = 20

// served is what a run of requests saw.
type served struct {
	setCookies             int
	loads, writes, deletes int64 // store calls (ours with a counted store)
	io                     int64 // the store's I/O, in its meter's unit
}

// serveN sends n requests of workload w to c, with the warm-up's cookie
// (none for New), and counts what they caused, after one more that it does
// not count.
func serveN(t *testing.T, c *Case, w string, n int) served {
	t.Helper()
	cookie := ""
	if w != New && c.Library != "floor" {
		cookie = c.target.cookies(t, "/"+seed)
	}
	do := c.target.prepare("/"+w, cookie)
	// One request first, as the benchmarks do: one-time costs (a Redis
	// script loaded on first use) are not per request.
	if status, _ := do(); status != http.StatusOK {
		t.Fatalf("%s %s: got status %d, want 200 and body %q", c.Name(), w, status, body)
	}
	c.misses.reset()
	var s, before served
	if c.calls != nil {
		before.loads, before.writes, before.deletes = c.calls.Calls()
	}
	if c.io != nil {
		before.io = c.io.count()
	}
	for range n {
		status, sc := do()
		if status != http.StatusOK {
			t.Fatalf("%s %s: got status %d, want 200 and body %q", c.Name(), w, status, body)
		}
		s.setCookies += sc
	}
	if k, err := c.misses.Err(); k > 0 {
		t.Fatalf("%s %s: %d of %d handlers failed: %v", c.Name(), w, k, n, err)
	}
	if c.calls != nil {
		s.loads, s.writes, s.deletes = c.calls.Calls()
		s.loads, s.writes, s.deletes = s.loads-before.loads, s.writes-before.writes, s.deletes-before.deletes
	}
	if c.io != nil {
		s.io = c.io.count() - before.io
	}
	return s
}

// TestOursInvariants checks, by counting, what ours costs per request in
// each framework, store and workload: no store call, I/O or cookie for a
// request that never touches its session; no store write or cookie for
// one that only reads; one load to read, one load and one write to
// read-modify-write, one write for a new session; and no more I/O than
// those calls cost (see oursStore.perCall).
func TestOursInvariants(t *testing.T) {
	type variant struct {
		fw string
		st oursStore
	}
	var all []variant
	for _, fw := range Frameworks {
		for _, st := range oursStores {
			all = append(all, variant{fw, st})
		}
	}
	for _, st := range ginStores {
		all = append(all, variant{"gin", st})
	}
	for _, v := range all {
		fw, st := v.fw, v.st
		for _, w := range Workloads {
			t.Run(fw+"/"+st.name+"/"+w, func(t *testing.T) {
				c := mountOurs(t, fw, st, true)
				s := serveN(t, c, w, requests)
				unit := "I/O"
				if c.io != nil {
					unit = c.io.unit
				}
				t.Logf("per %d requests: %d Set-Cookie, %d loads, %d writes, %d deletes, %d %s",
					requests, s.setCookies, s.loads, s.writes, s.deletes, s.io, unit)
				calls := s.loads + s.writes + s.deletes
				if st.perCall > 0 && s.io > st.perCall*calls {
					t.Errorf("got %d %s for %d store calls, want at most %d a call", s.io, unit, calls, st.perCall)
				}
				switch w {
				case Untouched:
					if s.setCookies != 0 {
						t.Errorf("got %d Set-Cookie headers, want 0", s.setCookies)
					}
					if calls != 0 {
						t.Errorf("got %d store calls, want 0", calls)
					}
					if s.io != 0 {
						t.Errorf("got %d %s, want 0", s.io, unit)
					}
				case RO:
					if s.setCookies != 0 {
						t.Errorf("got %d Set-Cookie headers, want 0", s.setCookies)
					}
					if s.writes+s.deletes != 0 {
						t.Errorf("got %d store writes and %d deletes, want 0", s.writes, s.deletes)
					}
					if c.calls != nil && s.loads != requests {
						t.Errorf("got %d store loads, want %d (one a request)", s.loads, requests)
					}
				case RW:
					if c.calls != nil && (s.writes != requests || calls > 2*requests) {
						t.Errorf("got %d store calls with %d writes, want one load and one write a request", calls, s.writes)
					}
					if st.name == "cookie" && s.setCookies != requests {
						t.Errorf("got %d Set-Cookie headers, want %d: the cookie carries the data", s.setCookies, requests)
					}
				case New:
					if s.setCookies != requests {
						t.Errorf("got %d Set-Cookie headers, want %d (one a new session)", s.setCookies, requests)
					}
					if c.calls != nil && (s.loads != 0 || s.writes != requests) {
						t.Errorf("got %d loads and %d writes, want 0 and %d: a first visit has nothing to load", s.loads, s.writes, requests)
					}
				}
			})
		}
	}
}

// TestCases checks that every case serves every workload: status 200 and
// the body, every value the warm-up stored found again, and a cookie for
// each new session. A case failing here would measure something other than
// its workload.
func TestCases(t *testing.T) {
	for _, fw := range Frameworks {
		for _, m := range mounts(fw) {
			for _, w := range Workloads {
				t.Run(fw+"/"+m.library+"/"+m.store+"/"+w, func(t *testing.T) {
					c := m.build(t)
					if c.Library == "floor" && w != Untouched {
						t.Skip("the floor has no session")
					}
					s := serveN(t, c, w, 3)
					if w == New && s.setCookies < 3 {
						t.Errorf("got %d Set-Cookie headers for 3 new sessions, want at least 3", s.setCookies)
					}
				})
			}
		}
	}
}

// TestLoad checks every case of BenchmarkLoad under a short load: every
// request answered with 200 and the body, every value found again, and
// one connection a client, kept alive throughout.
func TestLoad(t *testing.T) {
	const clients, perClient = 8, 10
	for _, lc := range loadCases() {
		t.Run(lc.name, func(t *testing.T) {
			c := lc.build(t)
			base, conns := listenLoad(t, c)
			cs := newLoadClients(t, base, clients)
			c.misses.reset()
			l := startLoad(cs, base+"/"+RW, loadLimit)
			for range clients * perClient {
				if !l.send() {
					break
				}
			}
			r := l.finish()
			if r.bad > 0 || r.requests != clients*perClient {
				t.Fatalf("got %d requests answered and %d failed, want %d and 0: %v", r.requests, r.bad, clients*perClient, r.err)
			}
			if k, err := c.misses.Err(); k > 0 {
				t.Errorf("got %d handlers failing, want 0: %v", k, err)
			}
			if n := conns.Load(); n != clients {
				t.Errorf("got %d connections, want %d (one a client)", n, clients)
			}
		})
	}
}

// TestScale checks what BenchmarkScale relies on, on each of ours' stores
// loaded with a few hundred sessions: rw works on a loaded store, at most
// 6 units of I/O a request (files: 6 system calls); a garbage collection
// pass deletes every expired session, in calls that each delete at most
// their limit, and leaves the live ones (the warm-up's still serves rw);
// a second pass finds nothing.
func TestScale(t *testing.T) {
	const size, expired, limit = 300, 120, 50
	for _, st := range scaleStores {
		t.Run(st.name, func(t *testing.T) {
			s := newScaled(t, st, size)
			c := s.asCase()
			// The I/O meter counts the whole process (a file store's start-up
			// sweep, the runtime), so the best of three rounds is the store's.
			rw := serveN(t, c, RW, requests)
			for range 2 {
				if r := serveN(t, c, RW, requests); r.io < rw.io {
					rw = r
				}
			}
			// slack: the few reads the rest of the process makes meanwhile
			// (the runtime, the store's background sweep), which the meter
			// cannot tell from the store's.
			const slack = 4
			if c.io != nil && rw.io > 6*requests+slack {
				t.Errorf("got %d %s for %d rw requests, want at most 6 a request (and %d for the rest of the process)", rw.io, c.io.unit, requests, slack)
			}
			coll, ok := s.st.(core.Collector)
			if !ok {
				t.Skipf("%s expires sessions itself", st.name)
			}
			ctx := context.Background()
			if err := s.add(ctx, expired, time.Now().Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			p, err := collectPass(ctx, coll, limit)
			if err != nil {
				t.Fatal(err)
			}
			if p.deleted != expired {
				t.Errorf("got %d sessions deleted, want the %d expired ones", p.deleted, expired)
			}
			if want := expired/limit + 1; p.calls != want {
				t.Errorf("got %d Collect calls, want %d (%d a call)", p.calls, want, limit)
			}
			if p, err := collectPass(ctx, coll, limit); err != nil || p.deleted != 0 {
				t.Errorf("a second pass: got %d deleted (%v), want 0", p.deleted, err)
			}
			serveN(t, c, RW, 1) // the warm-up session is still there
		})
	}
}
