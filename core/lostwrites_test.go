package core_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// barrier holds each of n arrivals until all n have arrived, or until a
// deadline passes so that a broken front end cannot hang the test.
type barrier struct {
	mu      sync.Mutex
	arrived int
	n       int
	all     chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, all: make(chan struct{})} }

func (b *barrier) wait() bool {
	b.mu.Lock()
	if b.arrived++; b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// 20 requests of one browser run at once through the net/http front end,
// each setting its own key and answered 200: how many of the 20
// acknowledged writes does the session keep? Every store-backed driver
// keeps all of them. The cookie driver without a store keeps what the last
// response's cookie carries, its own key: the browser holds one cookie, and
// each response's cookie was sealed from the session as its request found
// it. The numbers are the ones README.md, core's package documentation and
// docs/concurrency.md state.
func TestConcurrentWritersLostWrites(t *testing.T) {
	const writers = 20
	tests := []struct {
		driver   string
		wantKept int
	}{
		{core.DriverNative, writers},
		{"cookie+db", writers},
		{core.DriverCookie, 1},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			m := newManager(t, tt.driver, memstore.New(), nil, func(c *core.Config) {
				if tt.driver == core.DriverCookie {
					c.Store = nil
				}
			})
			inFlight := newBarrier(writers)
			srv := frontends.Start(t, "net/http", m, []frontends.Route{
				{Method: http.MethodGet, Path: "/start", Handle: func(c frontends.Ctx) {
					c.Session().SetUserdata("started", true)
					c.String(http.StatusOK, "ok")
				}},
				{Method: http.MethodGet, Path: "/put", Handle: func(c frontends.Ctx) {
					c.Session().SetUserdata("key-"+c.Query("k"), true)
					if !inFlight.wait() {
						c.String(http.StatusGatewayTimeout, "the writers did not run at once")
						return
					}
					c.String(http.StatusOK, "ok")
				}},
				{Method: http.MethodGet, Path: "/count", Handle: func(c frontends.Ctx) {
					kept := 0
					for i := range writers {
						if c.Session().HasUserdata("key-" + strconv.Itoa(i)) {
							kept++
						}
					}
					c.String(http.StatusOK, strconv.Itoa(kept))
				}},
			}, frontends.Options{})
			c := srv.NewClient(t, "")
			require.Equal(t, http.StatusOK, c.Get("/start").Status)

			var wg sync.WaitGroup
			acked := make(chan int, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := c.Send(http.MethodGet, "/put?k="+strconv.Itoa(i), nil)
					if err == nil && r.Status == http.StatusOK {
						acked <- i
					} else if err == nil {
						t.Errorf("writer %d: got %d %q", i, r.Status, r.Body)
					} else {
						t.Errorf("writer %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			close(acked)
			require.Len(t, acked, writers, "acknowledged writes")

			kept, err := strconv.Atoi(c.Get("/count").Body)
			require.NoError(t, err)
			t.Logf("%s: %d writers in flight at once, %d acknowledged writes kept, %d lost", tt.driver, writers, kept, writers-kept)
			require.Equal(t, tt.wantKept, kept, "acknowledged writes kept (the documentation states these numbers)")
		})
	}
}
