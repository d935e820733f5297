package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// demo is the example app in a process of its own, as `go run` runs it.
type demo struct {
	t    *testing.T
	bin  string
	env  []string
	addr string // host:port, kept across restarts
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has ended
	err  error         // how it ended
	out  *output
}

// startDemo builds the example and starts it on a free port with env.
func startDemo(t *testing.T, env ...string) *demo {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "demo")
	build := exec.Command("go", "build", "-o", bin, "github.com/ignitego/session/examples/gin")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building the example: %s", out)
	d := &demo{t: t, bin: bin, env: env, addr: "127.0.0.1:0", out: &output{}}
	t.Cleanup(func() {
		if d.cmd != nil {
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		if t.Failed() {
			t.Logf("the app's output:\n%s", d.out)
		}
	})
	d.start()
	return d
}

// url is the app's address with path.
func (d *demo) url(path string) string { return "http://" + d.addr + path }

// start runs the app and waits for the line it prints once it listens.
func (d *demo) start() {
	d.t.Helper()
	cmd := exec.Command(d.bin)
	cmd.Env = append(os.Environ(), append(d.env, "ADDR="+d.addr)...)
	listening := make(chan string, 1)
	cmd.Stdout = d.out
	cmd.Stderr = io.MultiWriter(d.out, &lines{found: func(line string) {
		if _, rest, ok := strings.Cut(line, "listening on http://"); ok {
			select {
			case listening <- strings.Fields(rest)[0]:
			default:
			}
		}
	}})
	require.NoError(d.t, cmd.Start())
	d.cmd, d.done = cmd, make(chan struct{})
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	select {
	case d.addr = <-listening:
	case <-d.done:
		d.t.Fatalf("the app stopped (%v) before it listened:\n%s", d.err, d.out)
	case <-time.After(time.Minute):
		d.t.Fatalf("the app printed no \"listening on\" line in a minute:\n%s", d.out)
	}
}

// restart stops the app and starts it again on the same address and data.
func (d *demo) restart() {
	d.t.Helper()
	require.NoError(d.t, d.cmd.Process.Signal(syscall.SIGTERM))
	<-d.done
	require.NoError(d.t, d.err, "the app stops cleanly on SIGTERM")
	d.cmd = nil
	d.start()
}

// lines calls found with each line written to it.
type lines struct {
	buf   []byte
	found func(string)
}

func (l *lines) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.found(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// output collects what the app prints, for the log of a failed test.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
