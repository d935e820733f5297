//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/flowtest"
	filestore "github.com/ignitego/session/stores/file"
)

// holds reports whether st has a file for id, expired or not.
func holds(st *filestore.Store) func(t testing.TB, id string) bool {
	return func(t testing.TB, id string) bool {
		_, err := os.Stat(filepath.Join(st.Dir(), filestore.RelPath(id)))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("stat: %v", err)
		}
		return err == nil
	}
}

func TestCollectThroughManager(t *testing.T) {
	st := newStore(t)
	flowtest.Collect(t, st, holds(st))
}

// TestCollectBatches spreads expired sessions over many directories and
// collects them in small batches: each call deletes at most its limit,
// resumes where the last stopped, and together they delete every one.
func TestCollectBatches(t *testing.T) {
	st := newStore(t)
	c := ctx(t)
	const expired, live = 50, 20
	var ids []string
	for i := 0; i < expired; i++ {
		id := storetest.NewID()
		ids = append(ids, id)
		require.NoError(t, st.Save(c, id, []byte("old"), time.Now().Add(-time.Minute)))
	}
	var keep []string
	for i := 0; i < live; i++ {
		id := storetest.NewID()
		keep = append(keep, id)
		require.NoError(t, st.Save(c, id, []byte("live"), time.Time{}))
	}
	total, calls := 0, 0
	for {
		n, err := st.Collect(c, 7)
		require.NoError(t, err)
		if n > 7 {
			t.Fatalf("Collect(limit 7): got %d deleted", n)
		}
		total += n
		calls++
		if n < 7 {
			break
		}
		if calls > expired {
			t.Fatal("Collect kept returning its limit")
		}
	}
	if total != expired {
		t.Fatalf("Collect in batches of 7: got %d deleted in all, want %d", total, expired)
	}
	if want := expired/7 + 1; calls != want {
		t.Fatalf("Collect calls: got %d, want %d (full batches, then one short)", calls, want)
	}
	for _, id := range ids {
		require.False(t, holds(st)(t, id), "an expired session survived")
	}
	for _, id := range keep {
		require.True(t, holds(st)(t, id), "a live session was collected")
	}
	n, err := st.Collect(c, 0)
	require.NoError(t, err)
	require.Zero(t, n, "Collect(limit 0)")
}

// TestCollectLeftovers checks what Collect does with files other than
// sessions: corrupt session files count as expired; a temporary file is
// removed once it is ten seconds old; a lock file only when no one holds
// it; anything else is left alone.
func TestCollectLeftovers(t *testing.T) {
	st := newStore(t)
	c := ctx(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(c, id, []byte("live"), time.Time{}))
	dir := filepath.Dir(filepath.Join(st.Dir(), filestore.RelPath(id)))
	path := func(name string) string { return filepath.Join(dir, name) }
	write := func(name string, age time.Duration) {
		require.NoError(t, os.WriteFile(path(name), []byte("junk"), 0o600))
		old := time.Now().Add(-age)
		require.NoError(t, os.Chtimes(path(name), old, old))
	}
	corrupt := id[:4] + "corrupt"
	write(corrupt, 0)
	write(".tmp-old", time.Minute)
	write(".tmp-new", 0)
	write("notes.txt", 2*time.Hour)
	write(id[:4]+"free.lock", 0)

	heldID := id[:4] + "held"
	require.NoError(t, st.Save(c, heldID, []byte("live"), time.Time{}))
	unlock, err := st.Lock(c, heldID, time.Minute)
	require.NoError(t, err)
	defer unlock.Unlock(c)

	n, err := st.Collect(c, 100)
	require.NoError(t, err)
	require.Equal(t, 1, n, "Collect counts the corrupt session file only")

	gone := []string{corrupt, ".tmp-old", id[:4] + "free.lock"}
	kept := []string{id, heldID, ".tmp-new", "notes.txt", heldID + ".lock", ".lock"}
	for _, name := range gone {
		if _, err := os.Stat(path(name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Collect: got %v, want it removed", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Stat(path(name)); err != nil {
			t.Errorf("%s after Collect: got %v, want it kept", name, err)
		}
	}
}

func TestCollectCancelled(t *testing.T) {
	st := newStore(t)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Collect(c, 10)
	require.ErrorIs(t, err, context.Canceled)
}

// TestCollectSkipsRewrittenSession checks the second look under the lock:
// a session saved anew between Collect's scan and its removal survives.
// The leaf lock is held while Collect scans, then the session is rewritten
// live before the lock is released.
func TestCollectSkipsRewrittenSession(t *testing.T) {
	st := newStore(t)
	c := ctx(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(c, id, []byte("old"), time.Now().Add(-time.Minute)))
	file := filepath.Join(st.Dir(), filestore.RelPath(id))
	lock, err := os.OpenFile(filepath.Join(filepath.Dir(file), ".lock"), os.O_RDWR, 0)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX))

	done := make(chan error, 1)
	var n int
	go func() {
		var err error
		n, err = st.Collect(c, 10)
		done <- err
	}()
	// Once Collect has the leaf's lock file open too, it has found the
	// expired file and waits for the lock; rewrite the session live, as a
	// writer holding the lock would.
	waitOpened(t, lock.Name(), 2)
	require.NoError(t, os.WriteFile(file+".new", filestore.FileContent([]byte("new"), time.Time{}), 0o600))
	require.NoError(t, os.Rename(file+".new", file))
	require.NoError(t, lock.Close())
	require.NoError(t, <-done)
	got, found, err := st.Load(c, id)
	require.NoError(t, err)
	require.True(t, found, "a session rewritten live before its removal was collected")
	require.Equal(t, "new", string(got))
	require.Zero(t, n)
}

// waitOpened waits until this process has path open n times (Linux: read
// from /proc; elsewhere it returns at once, and the test checks less).
func waitOpened(t *testing.T, path string, n int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fds, err := os.ReadDir("/proc/self/fd")
		require.NoError(t, err)
		open := 0
		for _, fd := range fds {
			if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == path {
				open++
			}
		}
		if open >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s open %d times after 10s, want %d", path, open, n)
		}
		time.Sleep(time.Millisecond) // polling the kernel's view
	}
}
