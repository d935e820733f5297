package testenv

import (
	"fmt"
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"
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
		get              func(testing.TB) Server
	}{
		{"postgres", PostgresVar, "host=" + host + " port=" + port + " user=x dbname=test", Postgres},
		{"mysql", MySQLVar, "root@tcp(" + closed + ")/test", MySQL},
		{"redis", RedisVar, closed, Redis},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.env, "")
			t.Setenv(StrictVar, "")
			r := run(t, func(tb testing.TB) { c.get(tb) })
			if !strings.Contains(r.skipped, c.env) || r.failed != "" {
				t.Fatalf("unset: got skip %q, failure %q; want a skip naming %s", r.skipped, r.failed, c.env)
			}
			t.Setenv(StrictVar, "1")
			r = run(t, func(tb testing.TB) { c.get(tb) })
			if !strings.Contains(r.failed, c.env) || !strings.Contains(r.failed, StrictVar) || r.skipped != "" {
				t.Fatalf("unset in strict mode: got skip %q, failure %q; want a failure naming %s and %s", r.skipped, r.failed, c.env, StrictVar)
			}
			t.Setenv(StrictVar, "")
			t.Setenv(c.env, c.value)
			r = run(t, func(tb testing.TB) { c.get(tb) })
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
