//go:build unix

package codeigniter_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/stores/codeigniter"
)

// tornWriterEnv makes the test binary, run with the session directory and
// id as arguments, save sessions through a FileStore in a loop until it is
// killed (see init).
const tornWriterEnv = "CODEIGNITER_TEST_TORN_WRITER"

func init() {
	if os.Getenv(tornWriterEnv) != "" {
		os.Exit(tornWriter(os.Args[len(os.Args)-2], os.Args[len(os.Args)-1]))
	}
}

// Sessions the writer saves: the n-th holds a blob of blobSize(n) copies
// of blobByte(n), then n and a user name. Sizes alternate between 4 MiB and
// 1 MiB, so that every other save makes the file shorter, and are large so
// that a kill lands inside a save often. Variables follow the blob, as in
// any session with more than one: writing first and truncating after would
// leave the new session followed by the old one's tail, which PHP's
// format reads as more variables (a key is whatever precedes the next
// '|').
func blobSize(n int64) int  { return []int{4 << 20, 1 << 20}[n%2] }
func blobByte(n int64) byte { return "ab"[n%2] }

func tornSession(n int64) ([]byte, error) {
	return php.EncodeSession([]php.Entry{
		{Key: "__ci_last_regenerate", Value: int64(1700000000)},
		{Key: "blob", Value: strings.Repeat(string(blobByte(n)), blobSize(n))},
		{Key: "n", Value: n},
		{Key: "user", Value: "alice"},
	})
}

// tornWriter saves sessions under id, printing "ready" after the first,
// until the process is killed.
func tornWriter(dir, id string) int {
	st, err := codeigniter.NewStore(codeigniter.App{Version: 3, Handler: codeigniter.Files(dir)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for n, ready := rand.Int64N(1<<20), false; ; n++ {
		data, err := tornSession(n)
		if err == nil {
			err = st.Save(context.Background(), id, data, time.Now().Add(time.Hour))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if !ready {
			fmt.Println("ready")
			ready = true
		}
	}
}

// checkTorn classifies the session file after a kill: valid (a session the
// writer saved, whole) or corrupt (it does not decode: the engine logs it
// and starts a fresh session). Anything else is an error: an empty file, or
// one that decodes to a session the writer never saved.
func checkTorn(b []byte) (corrupt bool, err error) {
	if len(b) == 0 {
		return false, fmt.Errorf("the file is empty: it reads as a valid, empty session")
	}
	entries, derr := php.DecodeSession(b)
	if derr != nil {
		return true, nil
	}
	if len(entries) != 4 {
		return false, fmt.Errorf("decodes to %d variables, want 4: %.60q", len(entries), b)
	}
	blob, _ := entries[1].Value.(string)
	n, _ := entries[2].Value.(int64)
	if len(blob) != blobSize(n) || strings.Trim(blob, string(blobByte(n))) != "" {
		return false, fmt.Errorf("decodes to session %d with a blob of %d bytes that is not the one saved", n, len(blob))
	}
	return false, nil
}

// A process killed while it saves a session file (SIGKILL, at random
// points, 120 times) never leaves a file that reads as a valid session it
// did not save: no empty file, which PHP's order of writing (truncate,
// then write) leaves, and which would read as a valid empty session. What
// a kill between cutting the file to its new length and writing leaves does
// not decode, and is counted.
func TestFileStoreKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 120 processes")
	}
	dir, id := t.TempDir(), storetest.NewID()
	st := mustStore(t, codeigniter.App{Version: 3, Handler: codeigniter.Files(dir)})
	first, err := tornSession(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx(t), id, first, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	path := st.(*codeigniter.FileStore).Path(id)
	const kills = 120
	corrupt := 0
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$", dir, id)
		cmd.Env = append(os.Environ(), tornWriterEnv+"=1")
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("writer %d: got %q, %v; want ready", i, line, err)
		}
		time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		bad, err := checkTorn(b)
		if err != nil {
			t.Fatalf("after kill %d: %v", i, err)
		}
		if bad {
			corrupt++
		}
	}
	t.Logf("%d kills: %d files did not decode, none read as a session not saved", kills, corrupt)

	// What a kill between the two steps leaves, the old session cut to the
	// new one's length, reaches a handler as a fresh session, and is logged.
	old, err := tornSession(0)
	if err != nil {
		t.Fatal(err)
	}
	short, err := tornSession(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, old[:len(short)], 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := codeigniter.Config(codeigniter.App{Version: 3, Handler: codeigniter.Files(dir)})
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	m, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var user any
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "ci_session", Value: id})
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		user = s.Userdata("user")
		s.SetUserdata("seen", true)
	})).ServeHTTP(rec, req)
	if user != nil {
		t.Errorf("a torn session file: handler read user %v, want a fresh session", user)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].Value == id {
		t.Errorf("a torn session file: got cookies %v, want a new session id", c)
	}
	if !strings.Contains(logs.String(), "does not decode") {
		t.Errorf("a torn session file: got log %q, want a warning that it does not decode", logs.String())
	}
}
