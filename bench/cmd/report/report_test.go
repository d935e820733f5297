package main

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

const sampleCSV = `goos: linux
goarch: amd64
pkg: github.com/ignitego/session/bench
cpu: Test CPU
,raw.txt,
,sec/op,CI
Gin/floor/none/ok-2,1e-07,3%
Gin/ours/cookie/rw-2,2e-06,5%
Gin/gin-contrib/cookie/rw-2,2e-05,4%
Gin/ours/cookie/untouched-2,6e-07,2%
Gin/gin-contrib/cookie/untouched-2,4e-07,2%
Gin/scs/redis/rw-2,1.5e-04,9%
Gin/gin-contrib/redis/rw-2,1.2e-04,9%
geomean,1e-06,

,raw.txt,
,B/op,CI
Gin/floor/none/ok-2,48,0%
Gin/ours/cookie/rw-2,3000,0%
Gin/gin-contrib/cookie/rw-2,14000,0%
Gin/ours/cookie/untouched-2,1400,0%
Gin/gin-contrib/cookie/untouched-2,460,0%
Gin/scs/redis/rw-2,12000,0%
Gin/gin-contrib/redis/rw-2,16000,0%
geomean,1000,

,raw.txt,
,allocs/op,CI
Gin/floor/none/ok-2,1,0%
Gin/ours/cookie/rw-2,40,0%
Gin/gin-contrib/cookie/rw-2,250,0%
Gin/ours/cookie/untouched-2,5,0%
Gin/gin-contrib/cookie/untouched-2,4,0%
Gin/scs/redis/rw-2,259,0%
Gin/gin-contrib/redis/rw-2,296,0%
geomean,10,

,raw.txt,
,roundtrips/op,CI
Gin/scs/redis/rw-2,2,0%
Gin/gin-contrib/redis/rw-2,2,0%
geomean,2,
`

func TestParse(t *testing.T) {
	res, err := parse(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.header["cpu"]; got != "Test CPU" {
		t.Errorf("cpu: got %q, want %q", got, "Test CPU")
	}
	if len(res.rows) != 7 {
		t.Fatalf("got %d rows, want 7", len(res.rows))
	}
	r := res.rows[1]
	if r.name() != "gin/ours/cookie/rw" || r.ns != 2000 || r.bytes != 3000 || r.allocs != 40 || r.ci != "5%" || r.ioUnit != "" {
		t.Errorf("got %+v, want gin/ours/cookie/rw with 2000 ns, 3000 B, 40 allocs, CI 5%%, no I/O", *r)
	}
	if r := res.rows[5]; r.ioUnit != "roundtrips" || r.io != 2 {
		t.Errorf("%s: got I/O %v %s, want 2 roundtrips", r.name(), r.io, r.ioUnit)
	}
}

const sampleMoreCSV = `goos: linux
,raw.txt,
,sec/op,CI
Gin/ours/postgres/rw-2,3e-04,5%
Gin/scs/postgres/rw-2,4e-04,5%
Scale/memory/1000/rw-2,2e-06,1%
Scale/memory/1000000/rw-2,3e-06,1%
Scale/memory/1000000/gc-2,2.5,1%
Scale/redis/1000/rw-2,1e-04,1%
Load/gin/floor/none/ok-2,4e-05,2%
Load/gin/ours/memory/rw-2,5e-05,2%
Load/gin/scs/memory/rw-2,1e-04,2%
geomean,1e-04,

,raw.txt,
,statements/op,CI
Gin/ours/postgres/rw-2,2,0%
geomean,2,

,raw.txt,
,deleted/op,CI
Scale/memory/1000000/gc-2,100000,0%
geomean,100000,

,raw.txt,
,longest-batch-sec,CI
Scale/memory/1000000/gc-2,0.19,5%
geomean,0.19,

,raw.txt,
,p99-sec,CI
Scale/memory/1000000/gc-2,0.002,5%
Load/gin/floor/none/ok-2,0.001,5%
Load/gin/ours/memory/rw-2,0.002,5%
Load/gin/scs/memory/rw-2,0.004,5%
geomean,0.002,

,raw.txt,
,req/s,CI
Load/gin/floor/none/ok-2,25000,1%
Load/gin/ours/memory/rw-2,20000,1%
Load/gin/scs/memory/rw-2,10000,1%
geomean,17000,
`

func TestParseKinds(t *testing.T) {
	res, err := parse(strings.NewReader(sampleMoreCSV))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*result{}
	for _, r := range res.rows {
		byName[r.name()] = r
	}
	tests := []struct {
		name, kind string
		unit       string
		want       float64
	}{
		{"gin/ours/postgres/rw", kindCase, "statements", 2},
		{"scale/memory/1000000/gc", kindScale, "longest-batch-ns", 0.19e9},
		{"scale/memory/1000000/gc", kindScale, "deleted/op", 100000},
		{"load/gin/ours/memory/rw", kindLoad, "req/s", 20000},
		{"load/gin/ours/memory/rw", kindLoad, "p99-ns", 2e6},
	}
	for _, tt := range tests {
		r := byName[tt.name]
		if r == nil {
			t.Errorf("no result %s", tt.name)
			continue
		}
		if r.kind != tt.kind {
			t.Errorf("%s: got kind %s, want %s", tt.name, r.kind, tt.kind)
		}
		got, ok := r.metric(tt.unit)
		if tt.unit == r.ioUnit {
			got, ok = r.io, true
		}
		if !ok || math.Abs(got-tt.want) > 1e-6*tt.want {
			t.Errorf("%s: got %s %v (%v), want %v", tt.name, tt.unit, got, ok, tt.want)
		}
	}
	if r := byName["scale/memory/1000000/rw"]; r == nil || r.size != 1000000 || r.store != "memory" {
		t.Errorf("got %+v, want the memory store with 1000000 sessions", r)
	}
}

func TestSections(t *testing.T) {
	res, err := parse(strings.NewReader(sampleMoreCSV))
	if err != nil {
		t.Fatal(err)
	}
	rows := evaluate(res.rows)
	mainRows, storeRows := split(rows)
	if len(mainRows) != 0 || len(storeRows) != 2 {
		t.Errorf("got %d main and %d store rows, want 0 and 2 (scale and load are neither)", len(mainRows), len(storeRows))
	}
	for _, r := range storeRows {
		if r.isOurs() && (r.speed != met || r.speedGoal != speedServer) {
			t.Errorf("%s: got speed %s (goal %v), want met (≤ %v of scs)", r.name(), r.speed, r.speedGoal, speedServer)
		}
	}
	scale := scaleTable(res.rows)
	for _, want := range []string{"| memory |", "1M", "1.50×", "2.50 s", "100k", "190 ms", "? / 2.00 ms / ?", "none (Redis expires keys)"} {
		if !strings.Contains(scale, want) {
			t.Errorf("scale table: no %q in\n%s", want, scale)
		}
	}
	load := loadTable(res.rows)
	for _, want := range []string{"| Gin ", "20000", "0.80×", "2.00×", "| scs "} {
		if !strings.Contains(load, want) {
			t.Errorf("load table: no %q in\n%s", want, load)
		}
	}
	if i, j := strings.Index(load, "| floor"), strings.Index(load, "| ours"); i < 0 || j < i {
		t.Errorf("load table: want the floor first, then ours:\n%s", load)
	}
}

func TestParseRejectsOtherNames(t *testing.T) {
	_, err := parse(strings.NewReader(",x,\n,sec/op,CI\nGin/ours-2,1e-06,1%\n"))
	if err == nil {
		t.Fatal("got no error for a name that is not framework/library/store/workload")
	}
}

func TestEvaluate(t *testing.T) {
	res, err := parse(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*row{}
	for _, r := range evaluate(res.rows) {
		rows[r.name()] = r
	}
	tests := []struct {
		name                 string
		best                 string
		speed, near, allocsV verdict
	}{
		// 2 µs is 0.1× the peer's 20 µs, but 1.9 µs above the 100 ns floor;
		// 40 allocs are more than 250/8.
		{"gin/ours/cookie/rw", "gin-contrib", met, met, missed},
		// Untouched: no slower than the peer (600 > 400 ns); allocs do not apply.
		{"gin/ours/cookie/untouched", "gin-contrib", missed, met, na},
		// Peers are not judged; the faster Redis peer is the best one.
		{"gin/scs/redis/rw", "gin-contrib", na, na, na},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rows[tt.name]
			if r == nil {
				t.Fatalf("no row %s", tt.name)
			}
			if r.best == nil || r.best.lib != tt.best {
				t.Errorf("best peer: got %v, want %s", r.best, tt.best)
			}
			if r.speed != tt.speed || r.near != tt.near || r.allocsV != tt.allocsV {
				t.Errorf("got speed %s, floor %s, allocs %s; want %s, %s, %s",
					r.speed, r.near, r.allocsV, tt.speed, tt.near, tt.allocsV)
			}
		})
	}
	if got := summary(evaluate(res.rows)); !strings.Contains(got, "Targets: 3 met, 2 missed.") {
		t.Errorf("summary: got %q, want 3 met and 2 missed", got)
	}
	want := "Gin/ours/cookie/rw allocs\nGin/ours/cookie/untouched speed\n"
	if got := missedCases(evaluate(res.rows)); got != want {
		t.Errorf("missedCases: got %q, want %q", got, want)
	}
}

func TestChart(t *testing.T) {
	res, err := parse(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	svg := chart(evaluate(res.rows))
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>\n") {
		t.Fatal("got no complete <svg> element")
	}
	if got := strings.Count(svg, "<rect x="); got < 7 {
		t.Errorf("got %d bars and legend boxes, want at least one bar per case (7)", got)
	}
	for _, tick := range []string{">100 ns<", ">1 µs<", ">1 ms<"} {
		if !strings.Contains(svg, tick) {
			t.Errorf("no axis label %s", tick)
		}
	}
}

func TestBenchName(t *testing.T) {
	for fw, want := range map[string]string{"gin": "Gin", "echo": "Echo", "fiber": "Fiber", "http": "HTTP"} {
		if got := benchName(fw); got != want {
			t.Errorf("benchName(%q): got %q, want %q", fw, got, want)
		}
	}
}

func TestParseRecovery(t *testing.T) {
	ev := func(action, pkg, test, out string) string {
		b, _ := json.Marshal(testEvent{Action: action, Package: pkg, Test: test, Output: out})
		return string(b) + "\n"
	}
	const redis, gorm, ci = "github.com/ignitego/session/stores/redis", "github.com/ignitego/session/stores/gorm", "github.com/ignitego/session/stores/codeigniter"
	in := ev("run", redis, "TestLockRecovery", "") +
		ev("output", redis, "TestLockRecovery", "    lockrecovery.go:85: cut 5s, without Lock: every client served 270ms after the store returned (155 answered 200, 41 answered 503)\n") +
		ev("output", redis, "TestLockRecovery", "    lockrecovery.go:85: cut 30s, with Lock: every client served 190ms after the store returned (100 answered 200, 290 answered 503)\n") +
		ev("output", redis, "TestLockRecovery", "    lockrecovery.go:85: cut 5s, with Lock: every client served 280ms after the store returned (136 answered 200, 31 answered 503)\n") +
		ev("output", gorm, "TestLockRecovery/postgres", "    lockrecovery.go:85: cut 1s, with Lock: every client served 330ms after the store returned (80 answered 200, 256 answered 503)\n") +
		ev("output", ci, "TestLockRecovery", "    lockrecovery.go:85: cut 1s, with Lock: every client served 1.14s after the store returned (369 answered 200, 6 answered 503)\n") +
		ev("output", redis, "TestFailover/cluster/lock", "    failover_test.go:321: master 127.0.0.1:7301 killed; 20 of 20 clients saw 503 (80 answers 503, 900 answers 200); recovery: first client served again 1.9s after the kill, every client 2.1s after; slowest request 1.1s; writes acknowledged before the kill and lost: 0 of the 20 clients whose first request served after it read before writing\n") +
		ev("output", redis, "TestOutage", "    cut 1s, with Lock: every client served 1s after the store returned (1 answered 200, 1 answered 503)\n") +
		ev("pass", redis, "TestLockRecovery", "")
	rs, err := parseRecovery(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []recovery{
		{store: "cluster", event: "master killed", lock: true, first: "1.9s", every: "2.1s", slowest: "1.1s"},
		{store: "codeigniter (CI3 Redis layout)", event: "cut 1s", lock: true, every: "1.14s", answers: "369 answered 200, 6 answered 503"},
		{store: "postgres", event: "cut 1s", lock: true, every: "330ms", answers: "80 answered 200, 256 answered 503"},
		{store: "redis", event: "cut 5s", lock: true, every: "280ms", answers: "136 answered 200, 31 answered 503"},
		{store: "redis", event: "cut 5s", lock: false, every: "270ms", answers: "155 answered 200, 41 answered 503"},
		{store: "redis", event: "cut 30s", lock: true, every: "190ms", answers: "100 answered 200, 290 answered 503"},
	}
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("parseRecovery:\ngot  %+v\nwant %+v", rs, want)
	}
	tables := recoveryTables(rs)
	for _, row := range []string{"| redis | 30s | yes | 190ms | 100 answered 200, 290 answered 503 |", "| cluster | yes | 1.9s | 2.1s | 1.1s |"} {
		if !strings.Contains(tables, row) {
			t.Errorf("recoveryTables lacks %q:\n%s", row, tables)
		}
	}

	_, err = parseRecovery(strings.NewReader(in + ev("fail", gorm, "TestLockRecovery/mariadb", "")))
	if err == nil || !strings.Contains(err.Error(), "TestLockRecovery/mariadb failed") {
		t.Fatalf("a failed test: got %v, want an error naming it", err)
	}
}
