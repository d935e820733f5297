package instances

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// size is how many instances run at once.
const size = 3

// fleet runs the instances and routes requests to them, as a load balancer
// that drains an instance before it is stopped.
type fleet struct {
	t    *testing.T
	name string
	tr   *http.Transport // the users'

	mu      sync.Mutex
	slots   [size]*instance // nil while that instance restarts
	reports []report        // of the instances that stopped
}

// instance is one running process.
type instance struct {
	slot   int
	addr   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan report
	output *syncBuffer // standard error, and the other lines of standard output

	inflight sync.WaitGroup // requests routed to it and not yet answered
	stopped  bool
}

// newFleet returns a fleet on the backend's table or prefix name; the
// processes still running when the test ends are stopped.
func newFleet(t *testing.T, name string) *fleet {
	f := &fleet{t: t, name: name, tr: &http.Transport{MaxIdleConnsPerHost: 8}}
	t.Cleanup(f.tr.CloseIdleConnections)
	t.Cleanup(func() {
		for i := range size {
			if in := f.slots[i]; in != nil && !in.stopped {
				in.kill()
			}
		}
	})
	return f
}

// startAll starts every instance with the key and previous keys, at once.
func (f *fleet) startAll(key []byte, previous [][]byte) {
	f.t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, size)
	for i := range size {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, err := f.start(i, key, previous)
			f.slots[i], errs[i] = in, err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			f.t.Fatal(err)
		}
	}
}

// restart drains instance i, stops it and starts it again with the key
// and previous keys.
func (f *fleet) restart(i int, key []byte, previous [][]byte) {
	f.t.Helper()
	f.mu.Lock()
	in := f.slots[i]
	f.slots[i] = nil
	f.mu.Unlock()
	in.inflight.Wait()
	// A connection the transport opened and has not used yet would hold
	// up the instance's graceful shutdown for 5s.
	f.tr.CloseIdleConnections()
	f.keep(in.stop(f.t))
	next, err := f.start(i, key, previous)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.slots[i] = next
	f.mu.Unlock()
}

// stopAll stops every instance and returns all the reports, of the
// instances stopped before too.
func (f *fleet) stopAll() []report {
	f.t.Helper()
	for i := range size {
		f.mu.Lock()
		in := f.slots[i]
		f.slots[i] = nil
		f.mu.Unlock()
		in.inflight.Wait()
		f.keep(in.stop(f.t))
	}
	return f.reports
}

func (f *fleet) keep(r report) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reports = append(f.reports, r)
}

// route returns the first running instance from slot from on, counting
// the request as in flight until done is called, and the slot after it.
func (f *fleet) route(from int) (in *instance, next int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range size {
		slot := (from + k) % size
		if in := f.slots[slot]; in != nil {
			in.inflight.Add(1)
			return in, slot + 1
		}
	}
	panic("instances: no instance is running") // at most one restarts at a time
}

// addrs returns the addresses of the running instances.
func (f *fleet) addrs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, in := range f.slots {
		if in != nil {
			out = append(out, in.addr)
		}
	}
	return out
}

// start runs the test binary again as instance i, and waits until it
// listens.
func (f *fleet) start(i int, key []byte, previous [][]byte) (*instance, error) {
	raw, err := json.Marshal(spec{Name: f.name, Key: key, Previous: previous})
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(os.Args[0], "-test.run="+runPattern(f.t.Name()), "-test.count=1", "-test.timeout="+childLifetime.String())
	// The race detector pauses a second at exit unless told otherwise.
	cmd.Env = append(os.Environ(), ChildVar+"="+string(raw), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	in := &instance{slot: i, cmd: cmd, lines: make(chan report, 4), output: &syncBuffer{}}
	cmd.Stderr = in.output
	if in.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start instance %d: %w", i, err)
	}
	go in.read(stdout)
	select {
	case r, ok := <-in.lines:
		if ok && r.Addr != "" {
			in.addr = r.Addr
			return in, nil
		}
		in.kill()
		return nil, fmt.Errorf("instance %d ended before it listened: %s", i, in.output)
	case <-time.After(30 * time.Second):
		in.kill()
		return nil, fmt.Errorf("instance %d did not listen within 30s: %s", i, in.output)
	}
}

// read passes the instance's reports on, until its standard output closes.
func (in *instance) read(stdout io.Reader) {
	defer close(in.lines)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), linePrefix)
		if !ok { // the test framework's, such as a failure in Backend.Open
			_, _ = fmt.Fprintln(in.output, sc.Text())
			continue
		}
		var r report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			r = report{Logged: []string{"unreadable report: " + line}}
		}
		in.lines <- r
	}
}

// stop closes the instance's standard input, which makes it shut down,
// and returns its final report. The test fails if the process does not
// report and exit 0 within 30s.
func (in *instance) stop(t *testing.T) report {
	t.Helper()
	in.stopped = true
	_ = in.stdin.Close()
	var last report
	deadline := time.After(30 * time.Second)
	for {
		select {
		case r, ok := <-in.lines:
			if ok {
				last = r
				continue
			}
			err := in.cmd.Wait()
			if err != nil || !last.Stopped {
				t.Errorf("instance %d at %s: exit %v, stopped report %v; output:\n%s", in.slot, in.addr, err, last.Stopped, in.output)
			}
			return last
		case <-deadline:
			in.kill()
			t.Errorf("instance %d at %s did not stop within 30s; output:\n%s", in.slot, in.addr, in.output)
			return last
		}
	}
}

// kill ends the process, and waits for it.
func (in *instance) kill() {
	in.stopped = true
	_ = in.cmd.Process.Kill()
	go func() {
		for range in.lines {
		}
	}()
	_ = in.cmd.Wait()
}

// runPattern is the -test.run pattern that selects only the test called
// name (a subtest's name holds its parents', separated by "/").
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// syncBuffer is a bytes.Buffer safe for the writer exec starts and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
