package flowtest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

// OutageUnderLoad cuts the store off in the middle of a load test: clients
// keep writing and reading their own sessions while the store goes down
// and comes back. Every answer is 200 or 503 (the default error handler);
// some requests do see 503; after the store returns the app serves again by
// itself; each client's last acknowledged write is still there; and no
// goroutine outlives the test. settle, when not nil, closes the idle
// connections of the store's client before goroutines are counted: a
// database driver keeps a goroutine per pooled connection, which belongs to
// the caller's pool, not to the engine.
func OutageUnderLoad(t *testing.T, st core.Store, f Fault, settle func()) {
	const clients = 20
	before, _ := ourGoroutines()
	func() {
		m := Manager(t, st, nil)
		srv := frontends.Start(t, "net/http", m, Routes(), frontends.Options{})
		cs := make([]*frontends.Client, clients)
		acked := make([]atomic.Int64, clients) // the last value a 200 answered /set with
		tried := make([]atomic.Int64, clients) // the last value sent to /set
		for i := range cs {
			cs[i] = srv.NewClient(t, "")
			want(t, "set before the load", cs[i].Get("/set?v=0"), http.StatusOK, "ok")
		}

		var (
			stop     atomic.Bool
			ok, down atomic.Int64
			wg       sync.WaitGroup
			mu       sync.Mutex
			bad      []string
		)
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := int64(1); !stop.Load(); n++ {
					path := "/set?v=" + strconv.FormatInt(n, 10)
					if n%2 == 0 {
						path = "/get"
					} else {
						tried[i].Store(n)
					}
					r, err := c.Send(http.MethodGet, path, nil)
					switch {
					case err != nil:
						mu.Lock()
						bad = append(bad, err.Error())
						mu.Unlock()
						return
					case r.Status == http.StatusOK:
						ok.Add(1)
						if n%2 == 1 {
							acked[i].Store(n)
						}
					case r.Status == http.StatusServiceUnavailable:
						down.Add(1)
					default:
						mu.Lock()
						bad = append(bad, fmt.Sprintf("%s: status %d %q", path, r.Status, r.Body))
						mu.Unlock()
						return
					}
				}
			}()
		}
		phase := func(d time.Duration) { time.Sleep(d) } // load runs for a while in each phase
		phase(300 * time.Millisecond)
		okBefore := ok.Load()
		f.Cut()
		phase(500 * time.Millisecond)
		f.Restore()
		downSeen := down.Load()
		deadline := time.Now().Add(15 * time.Second)
		for ok.Load() < okBefore+clients*4 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // until the app serves again by itself
		}
		phase(300 * time.Millisecond)
		stop.Store(true)
		wg.Wait()

		for _, b := range bad {
			t.Error(b)
		}
		if okBefore == 0 {
			t.Fatal("no request succeeded before the outage")
		}
		if downSeen == 0 {
			t.Fatal("no request saw 503 while the store was down")
		}
		if ok.Load() < okBefore+clients*4 {
			t.Fatalf("after the store came back: %d successful requests more, want at least %d", ok.Load()-okBefore, clients*4)
		}
		// A write the store took while the answer was lost in the cut may
		// show; nothing older than the last acknowledged write may.
		for i, c := range cs {
			r := c.Get("/get")
			got, err := strconv.ParseInt(r.Body, 10, 64)
			if r.Status != http.StatusOK || err != nil || got < acked[i].Load() || got > tried[i].Load() {
				t.Errorf("client %d after the outage: got %d %q, want a value from %d (its last acknowledged write) to %d",
					i, r.Status, r.Body, acked[i].Load(), tried[i].Load())
			}
			c.Close()
		}
		t.Logf("%d requests answered 200 and %d answered 503 while the store went down and came back", ok.Load(), down.Load())
		srv.Close()
		_ = m.Close()
	}()
	if settle != nil {
		settle()
	}
	waitGoroutines(t, before)
}
