package bench

import (
	"testing"
)

// BenchmarkLoad runs closed-loop HTTP load (see load.go) on each
// framework's floor and on ours and every peer on memory and on Redis,
// for the rw workload: each b.Loop iteration hands one request to the
// next free client. ns/op is about the inverse of the throughput (the last
// requests in flight end after the loop); it also reports requests per
// second over the whole run and the median and 99th percentile latency.
// Names are Load/framework/library/store/workload.
func BenchmarkLoad(b *testing.B) {
	for _, lc := range loadCases() {
		b.Run(lc.name, func(b *testing.B) { benchLoad(b, lc.build(b)) })
	}
}

// benchLoad measures c under load: b.N requests of rw from loadClients
// clients, each with a session of its own (none for the floor).
func benchLoad(b *testing.B, c *Case) {
	base, conns := listenLoad(b, c)
	clients := newLoadClients(b, base, loadClients)
	c.misses.reset()
	l := startLoad(clients, base+"/"+RW, loadLimit)
	for b.Loop() {
		if !l.send() {
			break
		}
	}
	r := l.finish()
	if r.bad > 0 {
		b.Fatalf("%s: %d of %d requests failed: %v", c.Name(), r.bad, b.N, r.err)
	}
	if k, err := c.misses.Err(); k > 0 {
		b.Fatalf("%s: %d of %d handlers failed: %v", c.Name(), k, b.N, err)
	}
	// TestLoad checks that each client keeps its connection; over a long
	// run a server may close one now and then (fasthttp has, rarely),
	// and the client dials again, which the figures can bear.
	if n := conns.Load(); n > 2*loadClients {
		b.Fatalf("%s: %d connections for %d clients: connections are not kept alive", c.Name(), n, loadClients)
	} else if n != loadClients {
		b.Logf("%s: %d connections for %d clients", c.Name(), n, loadClients)
	}
	b.ReportMetric(float64(r.requests)/r.elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(quantile(r.lat, 0.50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(quantile(r.lat, 0.99).Nanoseconds()), "p99-ns")
}
