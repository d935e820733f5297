//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core/storetest"
	filestore "github.com/ignitego/session/stores/file"
)

// leafOf returns the leaf directory of id's file.
func leafOf(st *filestore.Store, id string) string {
	return filepath.Dir(filepath.Join(st.Dir(), filestore.RelPath(id)))
}

// exists reports whether path exists.
func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat: %v", err)
	}
	return err == nil
}

// leftover writes a file as a crashed write leaves it, age old.
func leftover(t *testing.T, path string, age time.Duration) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte("half a session"), 0o600))
	old := time.Now().Add(-age)
	require.NoError(t, os.Chtimes(path, old, old))
}

// New and Collect remove the temporary files of writes that crashed as
// soon as they are ten seconds old, and the directories that held nothing
// else; they leave young ones, and sessions.
func TestStaleTempFiles(t *testing.T) {
	tests := []struct {
		name  string
		clean func(t *testing.T, st *filestore.Store) *filestore.Store
	}{
		{"at start-up", func(t *testing.T, st *filestore.Store) *filestore.Store {
			again, err := filestore.New(st.Dir())
			require.NoError(t, err)
			again.WaitSweep()
			return again
		}},
		{"at garbage collection", func(t *testing.T, st *filestore.Store) *filestore.Store {
			_, err := st.Collect(ctx(t), 100)
			require.NoError(t, err)
			return st
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			live, gone := storetest.NewID(), storetest.NewID()
			require.NoError(t, st.Save(ctx(t), live, []byte("live"), time.Time{}))
			require.NoError(t, st.Save(ctx(t), gone, []byte("gone"), time.Time{}))
			require.NoError(t, st.Delete(ctx(t), gone)) // its leaf keeps only the lock file
			stale := filepath.Join(leafOf(st, live), ".tmp-crashed")
			young := filepath.Join(leafOf(st, live), ".tmp-young")
			alone := filepath.Join(leafOf(st, gone), ".tmp-crashed")
			leftover(t, stale, time.Minute)
			leftover(t, young, 0)
			leftover(t, alone, time.Minute)

			st = tt.clean(t, st)
			require.False(t, exists(t, stale), "a temporary file a minute old was kept")
			require.True(t, exists(t, young), "a temporary file just written was removed")
			require.False(t, exists(t, leafOf(st, gone)), "a directory holding only a crashed write's file was kept")
			got, found, err := st.Load(ctx(t), live)
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, "live", string(got))
		})
	}
}

// A temporary file in a leaf whose lock a writer holds, in this or another
// process, is that write in progress, whatever its age: neither New nor
// Collect removes it.
func TestWriteInProgressIsKept(t *testing.T) {
	st := newStore(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))
	lock, err := os.OpenFile(filepath.Join(leafOf(st, id), ".lock"), os.O_RDWR, 0)
	require.NoError(t, err)
	defer lock.Close()
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX))
	temp := filepath.Join(leafOf(st, id), ".tmp-writing")
	leftover(t, temp, time.Hour) // a slow write, or a clock set back

	again, err := filestore.New(st.Dir())
	require.NoError(t, err)
	again.WaitSweep()
	require.True(t, exists(t, temp), "New removed the file of a write in progress")
	short := ctxTimeout(t, 100*time.Millisecond)
	_, err = st.Collect(short, 100)
	require.ErrorIs(t, err, short.Err(), "Collect waits for the leaf's lock")
	require.True(t, exists(t, temp), "Collect removed the file of a write in progress")

	require.NoError(t, lock.Close()) // the writer died
	_, err = st.Collect(ctx(t), 100)
	require.NoError(t, err)
	require.False(t, exists(t, temp), "the file of a write that died was kept")
}

// Collect removes a leaf directory, and its parent, once no session is
// left in it; the next write there makes them anew.
func TestCollectRemovesEmptyDirectories(t *testing.T) {
	tests := []struct {
		name string
		end  func(t *testing.T, st *filestore.Store, id string)
	}{
		{"deleted", func(t *testing.T, st *filestore.Store, id string) {
			require.NoError(t, st.Delete(ctx(t), id))
		}},
		{"expired", func(t *testing.T, st *filestore.Store, id string) {
			require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Now().Add(-time.Second)))
		}},
		{"locked and unlocked", func(t *testing.T, st *filestore.Store, id string) {
			unlock, err := st.Lock(ctx(t), id, time.Minute)
			require.NoError(t, err)
			require.NoError(t, st.Delete(ctx(t), id))
			require.NoError(t, unlock.Unlock(ctx(t)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t)
			id := storetest.NewID()
			require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))
			tt.end(t, st, id)
			require.True(t, exists(t, leafOf(st, id)), "the leaf before Collect")
			_, err := st.Collect(ctx(t), 100)
			require.NoError(t, err)
			require.False(t, exists(t, leafOf(st, id)), "an empty leaf directory after Collect")
			require.False(t, exists(t, filepath.Dir(leafOf(st, id))), "an empty parent directory after Collect")

			require.NoError(t, st.Save(ctx(t), id, []byte("again"), time.Time{}))
			got, found, err := st.Load(ctx(t), id)
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, "again", string(got))
		})
	}
}

// A writer that opened a leaf's lock file while Collect held it, and that
// Collect then removed with the directory, does not write under a lock no
// one else can see: it makes the directory and the lock file anew.
func TestWriterWaitingForARemovedLeaf(t *testing.T) {
	st := newStore(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))
	require.NoError(t, st.Delete(ctx(t), id))
	leaf := leafOf(st, id)
	lockPath := filepath.Join(leaf, ".lock")
	lock, err := os.OpenFile(lockPath, os.O_RDWR, 0)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX))

	done := make(chan error, 1)
	go func() { done <- st.Save(ctx(t), id, []byte("after"), time.Time{}) }()
	waitOpened(t, lockPath, 2) // the writer waits for the lock
	// What Collect does with an empty leaf, holding its lock.
	require.NoError(t, os.Remove(lockPath))
	require.NoError(t, os.Remove(leaf))
	require.NoError(t, lock.Close())

	require.NoError(t, <-done)
	got, found, err := st.Load(ctx(t), id)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "after", string(got))
	require.True(t, exists(t, lockPath), "the leaf's lock file made anew")
}

// Writers on sessions of one leaf, which keeps emptying, and garbage
// collection removing it meanwhile, all succeed.
func TestWritesWhileCollectRemovesDirectories(t *testing.T) {
	st := newStore(t, filestore.WithSync(false))
	prefix := storetest.NewID()[:4]
	const writers, rounds = 4, 50
	stop := make(chan struct{})
	collected := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				collected <- nil
				return
			default:
			}
			if _, err := st.Collect(ctx(t), 100); err != nil {
				collected <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := prefix + storetest.NewID()[4:]
			for range rounds {
				stored, err := st.Insert(ctx(t), id, []byte("1"), time.Time{})
				if err == nil && !stored {
					err = errors.New("Insert of a deleted session did not store")
				}
				var swapped bool
				if err == nil {
					swapped, err = st.CompareAndSwap(ctx(t), id, []byte("1"), []byte("2"), time.Time{})
				}
				if err == nil && !swapped {
					err = errors.New("CompareAndSwap of the session just inserted did not swap")
				}
				if err == nil {
					err = st.Delete(ctx(t), id)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.NoError(t, <-collected)
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// Close stops the start-up clean-up and waits for it; the store stays
// usable, and a second Close does nothing.
func TestClose(t *testing.T) {
	st := newStore(t)
	require.NoError(t, st.Close())
	require.NoError(t, st.Close(), "a second Close")
	id := storetest.NewID()
	require.NoError(t, st.Save(ctx(t), id, []byte("v"), time.Time{}))
	_, found, err := st.Load(ctx(t), id)
	require.NoError(t, err)
	require.True(t, found)
}
