package bench

import (
	"net/http"
	"testing"
)

func BenchmarkGin(b *testing.B)   { benchFramework(b, "gin") }
func BenchmarkEcho(b *testing.B)  { benchFramework(b, "echo") }
func BenchmarkFiber(b *testing.B) { benchFramework(b, "fiber") }
func BenchmarkHTTP(b *testing.B)  { benchFramework(b, "http") }

// benchFramework runs every case of fw: the floor once (its handler never
// has a session), the others under each workload. Names are
// framework/library/store/workload.
func benchFramework(b *testing.B, fw string) {
	for _, m := range mounts(fw) {
		b.Run(m.library+"/"+m.store, func(b *testing.B) {
			if m.library == "floor" {
				b.Run("ok", func(b *testing.B) { benchCase(b, m.build(b), Untouched) })
				return
			}
			for _, w := range Workloads {
				b.Run(w, func(b *testing.B) { benchCase(b, m.build(b), w) })
			}
		})
	}
}

// benchCase measures workload w on c, with the cookie of a warm-up request
// (none for New). Beyond time and memory it reports the Set-Cookie headers
// per response and, where the store does I/O, its I/O per request (round
// trips, statements or system calls, see meter), both counted.
func benchCase(b *testing.B, c *Case, w string) {
	cookie := ""
	if w != New && c.Library != "floor" {
		cookie = c.target.cookies(b, "/"+seed)
	}
	do := c.target.prepare("/"+w, cookie)
	if status, _ := do(); status != http.StatusOK {
		b.Fatalf("%s %s: status %d, want 200 and body %q", c.Name(), w, status, body)
	}
	c.misses.reset()
	var io0 int64
	if c.io != nil {
		io0 = c.io.count()
	}
	n, cookies, bad := 0, 0, 0
	b.ReportAllocs()
	for b.Loop() {
		status, sc := do()
		cookies += sc
		if status != http.StatusOK {
			bad++
		}
		n++
	}
	b.StopTimer()
	if bad > 0 {
		b.Fatalf("%s %s: %d of %d responses were not 200 %q", c.Name(), w, bad, n, body)
	}
	if k, err := c.misses.Err(); k > 0 {
		b.Fatalf("%s %s: %d of %d requests failed: %v", c.Name(), w, k, n, err)
	}
	b.ReportMetric(float64(cookies)/float64(n), "cookies/op")
	if c.io != nil {
		b.ReportMetric(float64(c.io.count()-io0)/float64(n), c.io.unit+"/op")
	}
}
