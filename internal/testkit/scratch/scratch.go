// Package scratch gives benchmarks a directory for large fixtures that is
// removed when the test binary ends, however it ends: normally, by a
// -timeout panic, by Ctrl-C, or killed. A test binary that is cut short
// runs no TestMain cleanup and no t.Cleanup, and a fixture of a million
// files would stay in the temporary directory for good.
//
// Dir starts a watcher: the test binary itself, run again with an
// environment variable that this package's init function recognises. The
// watcher ignores interrupts, waits until its parent's end closes the pipe
// on its standard input, and removes the directory. Importing the package
// is what makes a test binary able to serve as its own watcher.
package scratch

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// watchVar names the directory a watcher removes.
const watchVar = "SESSION_SCRATCH_REMOVE"

func init() {
	if dir := os.Getenv(watchVar); dir != "" {
		watch(dir)
	}
}

// watch waits for the parent's end, removes dir and exits.
func watch(dir string) {
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	_, _ = io.Copy(io.Discard, os.Stdin) // EOF: the parent has ended
	_ = RemoveAll(dir)
	os.Exit(0)
}

var (
	mu    sync.Mutex
	pipes []*os.File // write ends, open until the process ends
)

// Dir creates a new directory in the temporary directory, as
// os.MkdirTemp("", pattern) does, and has it removed once this process has
// ended. Remove it yourself as well where you can (RemoveAll): the watcher
// then finds nothing to do.
func Dir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	if err := startWatcher(dir); err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("scratch: %w", err)
	}
	return dir, nil
}

func startWatcher(dir string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), watchVar+"="+dir)
	cmd.Stdin = r // stdout and stderr: the null device, so that go test does not wait for the watcher
	if err := cmd.Start(); err != nil {
		_ = w.Close()
		return err
	}
	go func() { _ = cmd.Wait() }() // reaps the watcher if it ends first
	mu.Lock()
	pipes = append(pipes, w)
	mu.Unlock()
	return nil
}

// RemoveAll removes dir and everything in it, as os.RemoveAll does, with
// several goroutines, each taking one directory two levels down (or a file
// above them) at a time: unlinking a million files one after the other
// takes a quarter of an hour on a slow disk, several times longer than
// this.
func RemoveAll(dir string) error {
	jobs := make(chan string)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if err := os.RemoveAll(p); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	feed(dir, 2, jobs)
	close(jobs)
	wg.Wait()
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// feed sends the paths depth levels below dir, and the files above them.
func feed(dir string, depth int, jobs chan<- string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // os.RemoveAll(dir) reports it
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() && depth > 1 {
			feed(p, depth-1, jobs)
			continue
		}
		jobs <- p
	}
}
