package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// fixtures keeps what several benchmarks share and is too costly to build
// for each (a store loaded with a million sessions), until the process
// ends: TestMain closes it.
var fixtures struct {
	mu    sync.Mutex // held while a fixture is built
	byKey map[string]any

	cmu      sync.Mutex // held briefly: closeFixtures may run while a fixture is built
	cleanups []func()
	failed   bool
}

// shared returns the fixture under key, building it with tb the first
// time. build's failures and skips are tb's; its cleanups, and the
// directories it asks for, wait until the process ends. A build that
// fails or skips is tried again by the next benchmark that asks.
func shared[T any](tb testing.TB, key string, build func(tb testing.TB) T) T {
	tb.Helper()
	fixtures.mu.Lock()
	defer fixtures.mu.Unlock()
	if v, ok := fixtures.byKey[key]; ok {
		return v.(T)
	}
	v := build(&fixtureTB{TB: tb})
	if fixtures.byKey == nil {
		fixtures.byKey = map[string]any{}
	}
	fixtures.byKey[key] = v
	return v
}

// closeFixtures runs the fixtures' cleanups, the last registered first,
// and reports whether all went well. TestMain calls it when the
// benchmarks end, or when the process is interrupted.
func closeFixtures() bool {
	fixtures.cmu.Lock()
	cleanups := fixtures.cleanups
	fixtures.cleanups = nil
	fixtures.cmu.Unlock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	fixtures.cmu.Lock()
	defer fixtures.cmu.Unlock()
	return !fixtures.failed
}

// fixtureTB is the testing.TB a shared fixture is built with: the
// benchmark that builds it, but for what must outlive that benchmark.
type fixtureTB struct{ testing.TB }

func (f *fixtureTB) Cleanup(fn func()) {
	fixtures.cmu.Lock()
	defer fixtures.cmu.Unlock()
	fixtures.cleanups = append(fixtures.cleanups, fn)
}

func (f *fixtureTB) TempDir() string {
	dir, err := os.MkdirTemp("", "sessbench-")
	if err != nil {
		f.Fatalf("temp dir: %v", err)
	}
	f.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			f.Errorf("remove %s: %v", dir, err)
		}
	})
	return dir
}

// removeTree removes dir and everything under it, its entries from
// several goroutines: a file store of a million sessions has 65 536
// directories, which os.RemoveAll alone takes minutes to empty.
func removeTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return os.RemoveAll(dir)
	}
	const workers = 4
	var (
		wg   sync.WaitGroup
		errs = make([]error, workers+1)
	)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(entries); i += workers {
				if err := os.RemoveAll(filepath.Join(dir, entries[i].Name())); err != nil {
					errs[w] = err
				}
			}
		})
	}
	wg.Wait()
	errs[workers] = os.RemoveAll(dir)
	return errors.Join(errs...)
}

// Errorf reports on stderr: it is called from cleanups, after the
// benchmark that built the fixture has ended.
func (f *fixtureTB) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench fixture: "+format+"\n", args...)
	fixtures.cmu.Lock()
	defer fixtures.cmu.Unlock()
	fixtures.failed = true
}
