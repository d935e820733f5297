//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core/storetest"
	filestore "github.com/ignitego/session/stores/file"
)

// helperEnv makes the test binary act as another process using the store
// (see TestMain) instead of running the tests.
const helperEnv = "FILESTORE_TEST_HELPER"

// helper runs one role of a helper process and returns its exit code:
//
//	count DIR ID N  add 1 to the number stored under ID, N times, with
//	                CompareAndSwap
//	lock DIR ID     take the lock on ID, print "locked", then exit without
//	                unlocking as soon as standard input closes
func helper(args []string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	if len(args) < 3 {
		return fail(fmt.Errorf("bad arguments %q", args))
	}
	st, err := filestore.New(args[1])
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	switch args[0] {
	case "count":
		n, err := strconv.Atoi(args[3])
		if err != nil {
			return fail(err)
		}
		if err := count(ctx, st, args[2], n); err != nil {
			return fail(err)
		}
		return 0
	case "lock":
		if _, err := st.Lock(ctx, args[2], time.Hour); err != nil {
			return fail(err)
		}
		fmt.Println("locked")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		return 0 // dies holding the lock
	}
	return fail(fmt.Errorf("unknown role %q", args[0]))
}

// count adds 1 to the decimal number under id, n times, each a
// read-increment-CompareAndSwap loop.
func count(ctx context.Context, st *filestore.Store, id string, n int) error {
	for i := 0; i < n; i++ {
		for {
			cur, _, err := st.Load(ctx, id)
			if err != nil {
				return err
			}
			v, err := strconv.Atoi(string(cur))
			if err != nil {
				return fmt.Errorf("stored %q: %w", cur, err)
			}
			ok, err := st.CompareAndSwap(ctx, id, cur, []byte(strconv.Itoa(v+1)), time.Time{})
			if err != nil {
				return err
			}
			if ok {
				break
			}
		}
	}
	return nil
}

// spawn starts the test binary as a helper process.
func spawn(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = os.Stderr
	return cmd
}

// TestSwapAcrossProcesses runs read-increment-swap loops in two other
// processes and in this one at once: no increment may be lost.
func TestSwapAcrossProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	st, err := filestore.New(dir)
	require.NoError(t, err)
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("0"), time.Time{}))

	const procs, each = 2, 40
	var cmds []*exec.Cmd
	for range procs {
		cmd := spawn(t, "count", dir, id, strconv.Itoa(each))
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- count(ctx(t), st, id, each) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "helper process")
	}
	got, _, err := st.Load(ctx(t), id)
	require.NoError(t, err)
	if want := strconv.Itoa((procs + 2) * each); string(got) != want {
		t.Fatalf("counter after %d processes and 2 goroutines added %d each: got %s, want %s", procs, each, got, want)
	}
}

// TestLockAcrossProcesses checks that a lock another process holds keeps
// this one waiting, and that the holder's death frees it at once, long
// before its ttl.
func TestLockAcrossProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	st, err := filestore.New(dir)
	require.NoError(t, err)
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))

	cmd := spawn(t, "lock", dir, id)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if u, err := st.Lock(short, id, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		if u != nil {
			_ = u.Unlock(ctx(t))
		}
		t.Fatalf("Lock while another process holds it: got %v, want an error wrapping context.DeadlineExceeded", err)
	}

	require.NoError(t, stdin.Close()) // the helper exits without unlocking
	require.NoError(t, cmd.Wait())
	start := time.Now()
	unlock, err := st.Lock(ctx(t), id, time.Minute)
	require.NoError(t, err)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Lock after the holder died: took %s, want it at once (the holder's ttl was an hour)", took)
	}
	require.NoError(t, unlock.Unlock(ctx(t)))
	if _, err := os.Stat(filepath.Join(dir, id[:2], id[2:4], id+".lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after unlock: got %v, want it removed", err)
	}
}

// TestLockTakeover checks the ttl: a holder that outlives it loses the lock,
// and its late unlock leaves the new holder's lock alone.
func TestLockTakeover(t *testing.T) {
	st := newStore(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))
	old, err := st.Lock(ctx(t), id, 50*time.Millisecond)
	require.NoError(t, err)
	next, err := st.Lock(ctx(t), id, time.Minute) // waits out the ttl
	require.NoError(t, err)
	require.NoError(t, old.Unlock(ctx(t)), "the old holder's late unlock")

	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := st.Lock(short, id, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock after the old holder's late unlock: got %v, want the new holder to keep it (DeadlineExceeded)", err)
	}
	require.NoError(t, next.Unlock(ctx(t)))
	u, err := st.Lock(ctx(t), id, 0) // ttl 0: DefaultLockTTL
	require.NoError(t, err)
	require.NoError(t, u.Unlock(ctx(t)))
	require.NoError(t, u.Unlock(ctx(t)), "a second unlock")
}

// TestWritesWaitForTheLeafLock holds a leaf directory's lock as another
// process would, so that writes there must wait: they give up when their
// context does, and succeed once it is released.
func TestWritesWaitForTheLeafLock(t *testing.T) {
	st := newStore(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("v1"), time.Time{}))
	f, err := os.OpenFile(filepath.Join(st.Dir(), id[:2], id[2:4], ".lock"), os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))

	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"Save", func(c context.Context) error { return st.Save(c, id, []byte("v2"), time.Time{}) }},
		{"Delete", func(c context.Context) error { return st.Delete(c, id) }},
		{"Insert", func(c context.Context) error { _, err := st.Insert(c, id, []byte("v2"), time.Time{}); return err }},
		{"CompareAndSwap", func(c context.Context) error {
			_, err := st.CompareAndSwap(c, id, []byte("v1"), []byte("v2"), time.Time{})
			return err
		}},
		{"Lock", func(c context.Context) error { _, err := st.Lock(c, id, time.Minute); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := c.call(short)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%s while the leaf is locked: got %v, want an error wrapping context.DeadlineExceeded", c.name, err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("%s with a 100ms deadline took %s", c.name, took)
			}
		})
	}
	got, found, err := st.Load(ctx(t), id)
	require.NoError(t, err, "Load needs no lock")
	require.True(t, found)
	require.Equal(t, "v1", string(got))

	require.NoError(t, f.Close())
	require.NoError(t, st.Save(ctx(t), id, []byte("v2"), time.Time{}))
}

// Lock of an id that holds no session, such as one a client made up,
// creates no directory and no file, and holds nothing; once the session
// exists, Lock excludes.
func TestLockWithoutSession(t *testing.T) {
	st := newStore(t)
	id := storetest.NewID()
	unlock, err := st.Lock(ctx(t), id, time.Minute)
	require.NoError(t, err)
	entries, err := os.ReadDir(st.Dir())
	require.NoError(t, err)
	require.Empty(t, entries, "Lock of an id without a session created files")
	again, err := st.Lock(ctxTimeout(t, 100*time.Millisecond), id, time.Minute)
	require.NoError(t, err, "a second Lock of an id without a session")
	require.NoError(t, again.Unlock(ctx(t)))
	require.NoError(t, unlock.Unlock(ctx(t)))

	require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))
	unlock, err = st.Lock(ctx(t), id, time.Minute)
	require.NoError(t, err)
	_, err = st.Lock(ctxTimeout(t, 100*time.Millisecond), id, time.Minute)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a second Lock of a session")
	require.NoError(t, unlock.Unlock(ctx(t)))
}
