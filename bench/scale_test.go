package bench

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

var scaleSizes = flag.String("scale.sizes", "1000,1000000", "the session counts BenchmarkScale loads each store with, comma-separated")

// BenchmarkScale measures ours' stores loaded with each of -scale.sizes
// sessions (see scale.go), each loaded once a process and shared by its
// benchmarks:
//
//	rw  one rw request, as in BenchmarkGin
//	gc  one garbage collection pass over a store where a tenth as many
//	    sessions again have expired: Collect in batches of
//	    core.DefaultGCBatch, as Manager.Collect calls it, while one client
//	    sends rw requests back to back; and the latency of those requests
//
// A store without the Collector ability (Redis expires keys itself) skips
// gc. Names are Scale/store/size/op.
func BenchmarkScale(b *testing.B) {
	sizes, err := parseSizes(*scaleSizes)
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range scaleStores {
		for _, size := range sizes {
			name := st.name + "/" + strconv.Itoa(size)
			b.Run(name+"/rw", func(b *testing.B) { benchCase(b, scaledStore(b, st, size).asCase(), RW) })
			b.Run(name+"/gc", func(b *testing.B) { benchGC(b, scaledStore(b, st, size)) })
		}
	}
}

func parseSizes(s string) ([]int, error) {
	var sizes []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-scale.sizes=%q: %q is not a positive count", s, f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// benchGC measures garbage collection passes on s, each while a client
// sends rw requests. Before each, untimed, it stores size*expiredShare
// sessions that have already expired and refreshes the database's
// statistics, and the client sends 200 requests; the pass must delete
// exactly the expired sessions. It reports the sessions deleted and the
// Collect calls made per pass, and the longest call; the median, 99th
// percentile and longest latency of the requests during the passes; and
// the median and 99th percentile of those before.
func benchGC(b *testing.B, s *scaled) {
	coll, ok := s.st.(core.Collector)
	if !ok {
		b.Skipf("%s expires sessions itself: no garbage collection pass", s.store)
	}
	expired := max(1, int(float64(s.size)*expiredShare))
	ctx := context.Background()
	do := s.app.prepare("/"+RW, s.cookie)
	s.misses.reset()
	var (
		deleted, calls int
		longest        time.Duration
		during, before []time.Duration
	)
	for b.Loop() {
		b.StopTimer()
		if err := s.add(ctx, expired, time.Now().Add(-time.Hour)); err != nil {
			b.Fatalf("storing %d expired sessions: %v", expired, err)
		}
		if err := s.settled(ctx); err != nil {
			b.Fatal(err)
		}
		before = append(before, timeRequests(b, do, 200, nil)...)
		b.StartTimer()
		var (
			stop atomic.Bool
			wg   sync.WaitGroup
			lat  []time.Duration
		)
		wg.Go(func() { lat = timeRequests(b, do, -1, &stop) })
		p, err := collectPass(ctx, coll, core.DefaultGCBatch)
		stop.Store(true)
		wg.Wait()
		if err != nil {
			b.Fatalf("garbage collection: %v", err)
		}
		if p.deleted != expired {
			b.Fatalf("a pass deleted %d sessions, want the %d expired ones", p.deleted, expired)
		}
		deleted += p.deleted
		calls += p.calls
		longest = max(longest, p.longest)
		during = append(during, lat...)
	}
	b.StopTimer()
	if k, err := s.misses.Err(); k > 0 {
		b.Fatalf("%d requests failed: %v", k, err)
	}
	b.ReportMetric(float64(deleted)/float64(b.N), "deleted/op")
	b.ReportMetric(float64(calls)/float64(b.N), "batches/op")
	b.ReportMetric(float64(longest.Nanoseconds()), "longest-batch-ns")
	slices.Sort(during)
	slices.Sort(before)
	b.ReportMetric(float64(len(during))/float64(b.N), "requests/op")
	b.ReportMetric(float64(quantile(during, 0.5).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(quantile(during, 0.99).Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(quantile(during, 1).Nanoseconds()), "max-ns")
	b.ReportMetric(float64(quantile(before, 0.5).Nanoseconds()), "base-p50-ns")
	b.ReportMetric(float64(quantile(before, 0.99).Nanoseconds()), "base-p99-ns")
}

// timeRequests sends requests with do, n of them, or until stop when n is
// negative, and returns their latencies. A request that fails fails tb.
func timeRequests(tb testing.TB, do func() (int, int), n int, stop *atomic.Bool) []time.Duration {
	var lat []time.Duration
	for i := 0; n < 0 && !stop.Load() || i < n; i++ {
		t0 := time.Now()
		status, _ := do()
		lat = append(lat, time.Since(t0))
		if status != http.StatusOK {
			tb.Errorf("request during garbage collection: status %d, want 200", status)
			return lat
		}
	}
	return lat
}
