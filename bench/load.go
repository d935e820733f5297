package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The load runs are closed loops over real loopback connections:
// loadClients clients, each with one keep-alive connection and a cookie jar
// of its own, send one request at a time, the next as soon as the answer
// to the previous one is read, until the run's count of requests is spent
// (b.N in a benchmark) or loadLimit has passed.
const (
	loadClients = 64
	loadLimit   = time.Minute
)

// loadClient is one client of a load run and the latencies it saw.
type loadClient struct {
	c   *http.Client
	lat []time.Duration
	err error // the last failure
	bad int   // failed requests
}

// listenLoad serves c's application on a loopback listener until tb ends.
// It returns the base URL and the count of connections accepted.
func listenLoad(tb testing.TB, c *Case) (string, *atomic.Int64) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	cl := &countingListener{Listener: ln}
	c.target.listen(tb, cl)
	return "http://" + ln.Addr().String(), &cl.n
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// newLoadClients returns n clients of the server at base, each closed
// when tb ends. Each first sends the warm-up request, which opens its
// connection and, but on the floor, puts a session of its own in its jar.
func newLoadClients(tb testing.TB, base string, n int) []*loadClient {
	tb.Helper()
	cs := make([]*loadClient, n)
	for i := range cs {
		jar, err := cookiejar.New(nil)
		if err != nil {
			tb.Fatal(err)
		}
		tr := &http.Transport{
			Proxy:               nil,
			MaxIdleConnsPerHost: 1,
			MaxConnsPerHost:     1,
			DisableCompression:  true,
		}
		tb.Cleanup(tr.CloseIdleConnections)
		cs[i] = &loadClient{c: &http.Client{Transport: tr, Jar: jar, Timeout: 10 * time.Second}}
		if err := cs[i].get(base + "/" + seed); err != nil {
			tb.Fatalf("client %d: warm-up: %v", i, err)
		}
	}
	return cs
}

// get sends one GET of url and checks the answer: status 200 and the body
// every handler writes.
func (lc *loadClient) get(url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := lc.c.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return err
	case resp.StatusCode != http.StatusOK || !bytes.Equal(b, []byte(body)):
		return fmt.Errorf("GET %s: status %d, body %.40q; want 200 and %q", url, resp.StatusCode, b, body)
	}
	return nil
}

// loadResult is what one load run measured.
type loadResult struct {
	requests int             // requests answered
	elapsed  time.Duration   // from the start of the run to the last answer read
	lat      []time.Duration // every request's latency, sorted
	bad      int             // requests that failed
	err      error           // the last failure
}

// quantile returns the latency below which a fraction q of the sorted
// latencies lie; q=1 is the longest.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// errLoadLimit reports a run that outlasted its time limit.
var errLoadLimit = errors.New("bench: the load run reached its time limit")

// loadRun is a closed-loop load in progress: each client sends one request
// for each token it takes, and takes the next token once it has read the
// answer. The count of tokens bounds the run, and so does a time limit.
type loadRun struct {
	tokens  chan struct{}
	stopped chan struct{} // closed once the clients have quit at the time limit
	done    chan loadResult
}

// startLoad starts clients sending GETs of url, one for each token, until
// the tokens run out or limit has passed.
func startLoad(clients []*loadClient, url string, limit time.Duration) *loadRun {
	l := &loadRun{tokens: make(chan struct{}), stopped: make(chan struct{}), done: make(chan loadResult, 1)}
	var (
		wg       sync.WaitGroup
		stop     sync.Once
		deadline = time.Now().Add(limit)
		start    = time.Now()
	)
	for _, lc := range clients {
		lc.lat, lc.bad, lc.err = lc.lat[:0], 0, nil
		wg.Go(func() {
			for range l.tokens {
				t0 := time.Now()
				if t0.After(deadline) {
					lc.err, lc.bad = errLoadLimit, lc.bad+1
					stop.Do(func() { close(l.stopped) })
					return
				}
				if err := lc.get(url); err != nil {
					lc.err, lc.bad = err, lc.bad+1
					continue
				}
				lc.lat = append(lc.lat, time.Since(t0))
			}
		})
	}
	go func() {
		wg.Wait()
		r := loadResult{elapsed: time.Since(start)}
		for _, lc := range clients {
			r.lat = append(r.lat, lc.lat...)
			r.bad += lc.bad
			if lc.err != nil {
				r.err = lc.err
			}
		}
		r.requests = len(r.lat)
		slices.Sort(r.lat)
		l.done <- r
	}()
	return l
}

// send hands one request to the clients, waiting for one to be free. It
// returns false once the clients have quit at the time limit.
func (l *loadRun) send() bool {
	select {
	case l.tokens <- struct{}{}:
		return true
	case <-l.stopped:
		return false
	}
}

// finish waits for the requests handed out and returns what the run
// measured.
func (l *loadRun) finish() loadResult {
	close(l.tokens)
	return <-l.done
}

// loadCase is a case under load, named framework/library/store/workload.
type loadCase struct {
	name  string
	build func(tb testing.TB) *Case
}

// loadCases are each framework's floor, and ours and every peer on memory
// and on Redis, under the rw workload.
func loadCases() []loadCase {
	var out []loadCase
	for _, fw := range Frameworks {
		for _, m := range mounts(fw) {
			w := RW
			switch {
			case m.library == "floor":
				w = "ok"
			case m.store != "memory" && m.store != "redis":
				continue
			}
			out = append(out, loadCase{fw + "/" + m.library + "/" + m.store + "/" + w, m.build})
		}
	}
	return out
}
