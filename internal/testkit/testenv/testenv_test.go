package testenv

import (
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParsePostgres(t *testing.T) {
	cases := []struct {
		dsn, addr, via string
	}{
		{
			"host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable",
			"127.0.0.1:5432",
			"host=127.0.0.1 port=9 user=postgres dbname=test sslmode=disable",
		},
		{"user=root dbname=test", "127.0.0.1:5432", "host=127.0.0.1 port=9 user=root dbname=test"},
		{"postgres://postgres@db.local:6000/test?sslmode=disable", "db.local:6000", "postgres://postgres@127.0.0.1:9/test?sslmode=disable"},
		{"postgresql://u:p@/test", "127.0.0.1:5432", "postgresql://u:p@127.0.0.1:9/test"},
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			s, err := parsePostgres(c.dsn)
			if err != nil {
				t.Fatalf("parsePostgres: %v", err)
			}
			if s.Addr != c.addr {
				t.Errorf("Addr: got %q, want %q", s.Addr, c.addr)
			}
			if got := s.Via("127.0.0.1:9"); got != c.via {
				t.Errorf("Via: got %q, want %q", got, c.via)
			}
		})
	}
	for _, bad := range []string{"host=/var/run/postgresql user=x", "nonsense"} {
		if _, err := parsePostgres(bad); err == nil {
			t.Errorf("parsePostgres(%q): got nil, want an error", bad)
		}
	}
}

func TestParseMySQL(t *testing.T) {
	cases := []struct {
		dsn, addr, via string
	}{
		{"root@tcp(127.0.0.1:3306)/test?parseTime=true", "127.0.0.1:3306", "root@tcp(127.0.0.1:9)/test?parseTime=true"},
		{"u:p@tcp(db)/x", "db:3306", "u:p@tcp(127.0.0.1:9)/x"},
		{"u@tcp()/x", "127.0.0.1:3306", "u@tcp(127.0.0.1:9)/x"},
	}
	for _, c := range cases {
		t.Run(c.dsn, func(t *testing.T) {
			s, err := parseMySQL(c.dsn)
			if err != nil {
				t.Fatalf("parseMySQL: %v", err)
			}
			if s.Addr != c.addr {
				t.Errorf("Addr: got %q, want %q", s.Addr, c.addr)
			}
			if got := s.Via("127.0.0.1:9"); got != c.via {
				t.Errorf("Via: got %q, want %q", got, c.via)
			}
		})
	}
	if _, err := parseMySQL("root@unix(/tmp/mysql.sock)/test"); err == nil {
		t.Error("parseMySQL of a unix socket DSN: got nil, want an error")
	}
}

func TestName(t *testing.T) {
	a, b := Name("ci_sessions"), Name("ci_sessions")
	if a == b {
		t.Fatalf("Name twice: got %q both times, want different names", a)
	}
	if !regexp.MustCompile(`^ci_sessions_[0-9a-f]{12}$`).MatchString(a) {
		t.Fatalf("Name: got %q, want ci_sessions_ and 12 hex digits", a)
	}
}

// recorder is a testing.TB that records a skip or a failure and stops the
// goroutine, as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls fn with a recorder on a goroutine of its own.
func run(t *testing.T, fn func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

func TestUnsetSkipsUnreachableFails(t *testing.T) {
	// A port that refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()
	host, port, _ := net.SplitHostPort(closed)

	cases := []struct {
		name, env, value string
		get              func(testing.TB)
	}{
		{"postgres", PostgresVar, "host=" + host + " port=" + port + " user=x dbname=test", func(tb testing.TB) { Postgres(tb) }},
		{"mysql", MySQLVar, "root@tcp(" + closed + ")/test", func(tb testing.TB) { MySQL(tb) }},
		{"redis", RedisVar, closed, func(tb testing.TB) { Redis(tb) }},
		{"redis cluster", RedisClusterVar, closed + "," + closed, func(tb testing.TB) { RedisCluster(tb) }},
		{"redis sentinel", RedisSentinelVar, closed, func(tb testing.TB) { RedisSentinel(tb) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.env, "")
			t.Setenv(StrictVar, "")
			r := run(t, c.get)
			if !strings.Contains(r.skipped, c.env) || r.failed != "" {
				t.Fatalf("unset: got skip %q, failure %q; want a skip naming %s", r.skipped, r.failed, c.env)
			}
			t.Setenv(StrictVar, "1")
			r = run(t, c.get)
			if !strings.Contains(r.failed, c.env) || !strings.Contains(r.failed, StrictVar) || r.skipped != "" {
				t.Fatalf("unset in strict mode: got skip %q, failure %q; want a failure naming %s and %s", r.skipped, r.failed, c.env, StrictVar)
			}
			t.Setenv(StrictVar, "")
			t.Setenv(c.env, c.value)
			r = run(t, c.get)
			if !strings.Contains(r.failed, c.env) || !strings.Contains(r.failed, "does not answer") || r.skipped != "" {
				t.Fatalf("unreachable: got skip %q, failure %q; want a failure naming %s", r.skipped, r.failed, c.env)
			}
		})
	}
}

func TestCheckPHP(t *testing.T) {
	for _, bin := range []string{"/nonexistent/php", "true"} {
		if err := checkPHP(bin); err == nil {
			t.Errorf("checkPHP(%q): got nil, want an error (not a PHP 8 binary)", bin)
		}
	}
}

func TestRedisSentinelNeedsMasterName(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv(RedisSentinelVar, ln.Addr().String())
	t.Setenv(RedisSentinelMasterVar, "")
	r := run(t, func(tb testing.TB) { RedisSentinel(tb) })
	if !strings.Contains(r.failed, RedisSentinelMasterVar) {
		t.Fatalf("sentinels without a master name: got skip %q, failure %q; want a failure naming %s", r.skipped, r.failed, RedisSentinelMasterVar)
	}
	t.Setenv(RedisSentinelMasterVar, "mymaster")
	var got RedisTopology
	r = run(t, func(tb testing.TB) { got = RedisSentinel(tb) })
	if r.failed != "" || r.skipped != "" || got.MasterName != "mymaster" || len(got.Addrs) != 1 || got.Addrs[0] != ln.Addr().String() {
		t.Fatalf("RedisSentinel: got %+v (skip %q, failure %q), want the sentinel at %s and master mymaster", got, r.skipped, r.failed, ln.Addr())
	}
}

func TestRedisClusterAddrs(t *testing.T) {
	var lns []string
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		lns = append(lns, ln.Addr().String())
	}
	t.Setenv(RedisClusterVar, lns[0]+", "+lns[1])
	var got RedisTopology
	r := run(t, func(tb testing.TB) { got = RedisCluster(tb) })
	if r.failed != "" || r.skipped != "" || strings.Join(got.Addrs, ",") != strings.Join(lns, ",") || got.MasterName != "" {
		t.Fatalf("RedisCluster: got %+v (skip %q, failure %q), want nodes %v", got, r.skipped, r.failed, lns)
	}
	t.Setenv(RedisClusterVar, lns[0]+",nonsense")
	r = run(t, func(tb testing.TB) { RedisCluster(tb) })
	if !strings.Contains(r.failed, "not host:port") {
		t.Fatalf("a malformed address: got failure %q, want one saying it is not host:port", r.failed)
	}
}

// TestStartRedisSentinel starts a Sentinel group of the test's own: the
// sentinels name its first node as the master, the second is its replica,
// and every server is gone once the test that started it ended.
func TestStartRedisSentinel(t *testing.T) {
	var topo RedisTopology
	t.Run("start", func(t *testing.T) {
		topo = StartRedisSentinel(t, time.Second)
		for _, s := range topo.Addrs {
			if got := redisCLI(t, s, "sentinel", "get-master-addr-by-name", topo.MasterName); got != strings.Replace(topo.Nodes[0], ":", "\n", 1) {
				t.Fatalf("sentinel %s: master got %q, want %s", s, got, topo.Nodes[0])
			}
		}
		if got := redisCLI(t, topo.Nodes[1], "role"); !strings.HasPrefix(got, "slave\n") {
			t.Fatalf("ROLE of %s: got %q, want a replica", topo.Nodes[1], got)
		}
	})
	if len(topo.Nodes) == 0 {
		return // skipped or failed
	}
	for _, a := range append(topo.Addrs, topo.Nodes...) {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			_ = c.Close()
			t.Errorf("%s still answers after the test that started it ended", a)
		}
	}
}

// redisCLI runs redis-cli against addr and returns its output, trimmed.
func redisCLI(t *testing.T, addr string, args ...string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command("redis-cli", append([]string{"-h", host, "-p", port}, args...)...).Output()
	if err != nil {
		t.Fatalf("redis-cli %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// TestSkipReport: the tests that skipped for want of a variable are listed
// by variable, each test once, with an example value.
func TestSkipReport(t *testing.T) {
	t.Setenv(StrictVar, "")
	isolateSkips(t)
	if got := skipReport("stores/redis"); got != "" {
		t.Fatalf("no skips: got %q, want none", got)
	}
	for _, name := range []string{"TestA/one", "TestA/two", "TestB"} {
		recordSkip(RedisVar, name)
	}
	recordSkip(PHPVar, "TestC")
	want := "NOTE stores/redis: tests skipped for want of a server or a program:\n" +
		"  SESSION_TEST_PHP is not set (e.g. SESSION_TEST_PHP=php): skipped TestC\n" +
		"  SESSION_TEST_REDIS_ADDR is not set (e.g. SESSION_TEST_REDIS_ADDR=127.0.0.1:6379): skipped TestA, TestB\n" +
		"  (set SESSION_TEST_STRICT=1 to make such a skip fail, as CI does)\n"
	if got := skipReport("stores/redis"); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestMissingRecords: a test that Missing skips is recorded for the report.
func TestMissingRecords(t *testing.T) {
	t.Setenv(StrictVar, "")
	isolateSkips(t)
	t.Run("needs redis", func(t *testing.T) { Missing(t, RedisVar, "the Redis tests") })
	if !strings.Contains(skipReport("p"), "skipped TestMissingRecords\n") {
		t.Fatalf("got %q, want TestMissingRecords listed", skipReport("p"))
	}
}

// isolateSkips gives the test an empty record of skips.
func isolateSkips(t *testing.T) {
	skipsMu.Lock()
	saved := skips
	skips = map[string][]string{}
	skipsMu.Unlock()
	t.Cleanup(func() {
		skipsMu.Lock()
		skips = saved
		skipsMu.Unlock()
	})
}

func TestCheckChromium(t *testing.T) {
	for _, bin := range []string{"/nonexistent/chromium", "true"} {
		if _, err := checkChromium(bin); err == nil {
			t.Errorf("checkChromium(%q): got nil, want an error (not a Chromium binary)", bin)
		}
	}
}

func TestChromiumUnset(t *testing.T) {
	t.Setenv(ChromiumVar, "")
	t.Setenv(StrictVar, "")
	r := run(t, func(tb testing.TB) { Chromium(tb) })
	if !strings.Contains(r.skipped, ChromiumVar) || r.failed != "" {
		t.Fatalf("unset: got skip %q, failure %q; want a skip naming %s", r.skipped, r.failed, ChromiumVar)
	}
	t.Setenv(StrictVar, "1")
	r = run(t, func(tb testing.TB) { Chromium(tb) })
	if !strings.Contains(r.failed, ChromiumVar) || r.skipped != "" {
		t.Fatalf("unset in strict mode: got skip %q, failure %q; want a failure naming %s", r.skipped, r.failed, ChromiumVar)
	}
}
