// Package testenv gives tests the real database servers named by environment
// variables, and names for the tables and keys a test owns.
//
//	SESSION_TEST_POSTGRES_DSN  host=127.0.0.1 port=5432 user=postgres dbname=test sslmode=disable
//	SESSION_TEST_MYSQL_DSN     root@tcp(127.0.0.1:3306)/test?parseTime=true
//	SESSION_TEST_REDIS_ADDR    127.0.0.1:6379
//	SESSION_TEST_PHP           php (a php-cli binary, for the tests that run PHP)
//	SESSION_TEST_CHROMIUM      /usr/bin/chromium (for the browser tests of the example)
//
// A variable that is unset skips the test, with a message naming it, so that
// a developer without the server can still run the rest; a package whose
// TestMain calls Main then lists its skipped tests where go test shows
// them even for a passing package (see Main). A variable that is set to a
// server that does not answer (or a PHP or Chromium that does not run)
// fails the test: CI sets them all, and SESSION_TEST_STRICT, which turns a
// skip for an unset variable into a failure, so CI can never pass by
// skipping.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The environment variables, by server.
const (
	PostgresVar = "SESSION_TEST_POSTGRES_DSN"
	MySQLVar    = "SESSION_TEST_MYSQL_DSN"
	RedisVar    = "SESSION_TEST_REDIS_ADDR"
	PHPVar      = "SESSION_TEST_PHP"
)

// Server is a database server a test may use.
type Server struct {
	// DSN is what the variable holds: a driver DSN, or for Redis host:port.
	DSN string
	// Addr is the server's TCP address, host:port.
	Addr string

	via func(addr string) string
}

// Via returns DSN with the server's address replaced by addr, so that a
// client connects through a proxy listening there.
func (s Server) Via(addr string) string { return s.via(addr) }

// Postgres returns the server SESSION_TEST_POSTGRES_DSN names (a key=value
// DSN or a postgres:// URL).
func Postgres(t testing.TB) Server {
	t.Helper()
	dsn := lookup(t, PostgresVar)
	s, err := parsePostgres(dsn)
	if err != nil {
		t.Fatalf("testenv: %s: %v", PostgresVar, err)
	}
	reach(t, PostgresVar, s.Addr)
	return s
}

// MySQL returns the server SESSION_TEST_MYSQL_DSN names (a
// go-sql-driver/mysql DSN over tcp).
func MySQL(t testing.TB) Server {
	t.Helper()
	dsn := lookup(t, MySQLVar)
	s, err := parseMySQL(dsn)
	if err != nil {
		t.Fatalf("testenv: %s: %v", MySQLVar, err)
	}
	reach(t, MySQLVar, s.Addr)
	return s
}

// Redis returns the server SESSION_TEST_REDIS_ADDR names (host:port).
func Redis(t testing.TB) Server {
	t.Helper()
	addr := lookup(t, RedisVar)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		t.Fatalf("testenv: %s=%q is not host:port: %v", RedisVar, addr, err)
	}
	reach(t, RedisVar, addr)
	return Server{DSN: addr, Addr: addr, via: func(a string) string { return a }}
}

// PHP returns the php-cli binary SESSION_TEST_PHP names (a path, or a name
// looked up in PATH), after checking once that it runs and is PHP 8 or
// later.
func PHP(t testing.TB) string {
	t.Helper()
	bin := lookup(t, PHPVar)
	phpOnce.Do(func() { phpErr = checkPHP(bin) })
	if phpErr != nil {
		t.Fatalf("testenv: %s=%q is set, but it does not run as PHP 8 or later: %v", PHPVar, bin, phpErr)
	}
	return bin
}

var (
	phpOnce sync.Once
	phpErr  error
)

func checkPHP(bin string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-n", "-r", "echo PHP_MAJOR_VERSION;").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	if v, err := strconv.Atoi(strings.TrimSpace(string(out))); err != nil || v < 8 {
		return fmt.Errorf("PHP major version %q", out)
	}
	return nil
}

// Name returns prefix followed by "_" and 12 random hex digits: a table name
// or key prefix no other test uses.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

func lookup(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Missing(t, name, "the tests that need this server")
	}
	return v
}

// StrictVar, set to anything, turns a skip for a missing variable into a
// failure: CI sets it, so that no test it needs can pass by skipping.
const StrictVar = "SESSION_TEST_STRICT"

// Missing skips the test because the variable name is not set, or fails it
// when StrictVar is set; what names the tests that need the variable. Main
// reports the skip once more when the package's tests end.
func Missing(t testing.TB, name, what string) {
	t.Helper()
	if os.Getenv(StrictVar) != "" {
		t.Fatalf("%s is not set, but %s is: %s cannot run", name, StrictVar, what)
	}
	recordSkip(name, t.Name())
	t.Skipf("%s is not set: skipping %s (set it, e.g. %s=%s, to run them)", name, what, name, examples[name])
}

// reach fails the test unless addr accepts a TCP connection.
func reach(t testing.TB, name, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("testenv: %s is set, but its server at %s does not answer: %v", name, addr, err)
	}
	_ = c.Close()
}

// parsePostgres reads host and port from a key=value DSN or a URL.
func parsePostgres(dsn string) (Server, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return Server{}, err
		}
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "127.0.0.1"
		}
		if port == "" {
			port = "5432"
		}
		return Server{DSN: dsn, Addr: net.JoinHostPort(host, port), via: func(addr string) string {
			v := *u
			v.Host = addr
			return v.String()
		}}, nil
	}
	fields := strings.Fields(dsn)
	host, port := "127.0.0.1", "5432"
	var rest []string
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return Server{}, fmt.Errorf("%q is not key=value", f)
		}
		switch k {
		case "host":
			if strings.HasPrefix(v, "/") {
				return Server{}, fmt.Errorf("host=%s is a Unix socket; the tests need TCP", v)
			}
			host = v
		case "port":
			port = v
		default:
			rest = append(rest, f)
		}
	}
	return Server{DSN: dsn, Addr: net.JoinHostPort(host, port), via: func(addr string) string {
		h, p, _ := net.SplitHostPort(addr)
		return strings.Join(append([]string{"host=" + h, "port=" + p}, rest...), " ")
	}}, nil
}

var mysqlTCP = regexp.MustCompile(`@tcp\(([^)]*)\)`)

// parseMySQL reads the address from a DSN's tcp(host:port) part.
func parseMySQL(dsn string) (Server, error) {
	m := mysqlTCP.FindStringSubmatchIndex(dsn)
	if m == nil {
		return Server{}, fmt.Errorf("the DSN names no tcp(host:port) address")
	}
	addr := dsn[m[2]:m[3]]
	if addr == "" {
		addr = "127.0.0.1:3306"
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "3306")
	}
	return Server{DSN: dsn, Addr: addr, via: func(a string) string {
		return dsn[:m[2]] + a + dsn[m[3]:]
	}}, nil
}
