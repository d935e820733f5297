package faultproxy

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// echoServer answers every line with the same line until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { _ = ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line on c and reads it back.
func roundTrip(c net.Conn, r *bufio.Reader, line string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := r.ReadString('\n')
	return strings.TrimSuffix(got, "\n"), err
}

func dial(t *testing.T, p *Proxy) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, bufio.NewReader(c)
}

func TestCutAndRestore(t *testing.T) {
	p, err := New(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	c, r := dial(t, p)
	if got, err := roundTrip(c, r, "hello"); err != nil || got != "hello" {
		t.Fatalf("through the proxy: got %q, %v; want hello, nil", got, err)
	}

	p.Cut()
	if got, err := roundTrip(c, r, "again"); err == nil {
		t.Fatalf("on a cut connection: got %q, want an error", got)
	}
	if got, err := attempt(p, "new"); err == nil {
		t.Fatalf("on a new connection while cut: got %q, want an error", got)
	}

	p.Restore()
	c3, r3 := dial(t, p)
	if got, err := roundTrip(c3, r3, "back"); err != nil || got != "back" {
		t.Fatalf("after Restore: got %q, %v; want back, nil", got, err)
	}
}

func TestLatency(t *testing.T) {
	p, err := New(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, r := dial(t, p)
	const d = 100 * time.Millisecond
	p.SetLatency(d)
	start := time.Now()
	if got, err := roundTrip(c, r, "slow"); err != nil || got != "slow" {
		t.Fatalf("with latency: got %q, %v; want slow, nil", got, err)
	}
	// The line crosses the proxy twice, each way held for d.
	if took := time.Since(start); took < 2*d {
		t.Fatalf("a round trip with latency %s took %s, want at least %s", d, took, 2*d)
	}
	p.SetLatency(0)
	if got, err := roundTrip(c, r, "fast"); err != nil || got != "fast" {
		t.Fatalf("latency back to zero: got %q, %v; want fast, nil", got, err)
	}
}

func TestCloseEndsGoroutines(t *testing.T) {
	target := echoServer(t)
	before := runtime.NumGoroutine()
	p, err := New(target)
	if err != nil {
		t.Fatal(err)
	}
	c, r := dial(t, p)
	if _, err := roundTrip(c, r, "x"); err != nil {
		t.Fatal(err)
	}
	p.SetLatency(time.Hour) // a pump held in a delay must end too
	_, _ = io.WriteString(c, "held\n")
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: got %v, want nil", err)
	}
	_ = c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+1 { // +1: the echo server's handler for c may still be ending
		if time.Now().After(deadline) {
			t.Fatalf("goroutines after Close: got %d, want at most %d", runtime.NumGoroutine(), before+1)
		}
		runtime.Gosched()
	}
}

func TestUnreachableTarget(t *testing.T) {
	// A target that refuses connections: the client's connection is reset.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	p, err := New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got, err := attempt(p, "x"); err == nil {
		t.Fatalf("through a proxy to a closed port: got %q, want an error", got)
	}
}

// attempt sends one line on a new connection; the proxy may refuse it while
// connecting or on the first read.
func attempt(p *Proxy, line string) (string, error) {
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		return "", err
	}
	defer c.Close()
	return roundTrip(c, bufio.NewReader(c), line)
}
