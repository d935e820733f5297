package bench

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestMain closes the fixtures the benchmarks share once they have all
// run, or when the process is interrupted (Ctrl-C, timeout), so that no
// table, key or directory of a million sessions is left behind.
func TestMain(m *testing.M) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "interrupted: closing the shared fixtures")
		done := make(chan struct{})
		go func() {
			closeFixtures()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Minute): // a query still running holds its pool
			fmt.Fprintln(os.Stderr, "gave up closing the fixtures after 2 minutes: sessbench_* schemas, databases, keys or temp dirs may be left")
		}
		os.Exit(1)
	}()
	code := m.Run()
	if !closeFixtures() && code == 0 {
		code = 1
	}
	os.Exit(code)
}
