//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	filestore "github.com/ignitego/session/stores/file"
)

func newStore(t testing.TB, opts ...filestore.Option) *filestore.Store {
	t.Helper()
	st, err := filestore.New(filepath.Join(t.TempDir(), "sessions"), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		opts []filestore.Option
	}{
		{"default", nil},
		{"without sync", []filestore.Option{filestore.WithSync(false)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) core.Store { return newStore(t, c.opts...) })
		})
	}
}

func TestNew(t *testing.T) {
	t.Run("creates the directory 0700", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		st, err := filestore.New(dir)
		require.NoError(t, err)
		require.Equal(t, dir, st.Dir())
		info, err := os.Stat(dir)
		require.NoError(t, err)
		require.Equal(t, fs.ModeDir|0o700, info.Mode(), "got mode %s, want drwx------", info.Mode())
	})
	t.Run("relative directory", func(t *testing.T) {
		t.Chdir(t.TempDir())
		st, err := filestore.New("rel")
		require.NoError(t, err)
		require.True(t, filepath.IsAbs(st.Dir()), "got Dir %q, want an absolute path", st.Dir())
	})
	bad := []struct {
		name string
		dir  func(t *testing.T) string
		opts []filestore.Option
		msg  string
	}{
		{"empty name", func(*testing.T) string { return "" }, nil, "empty"},
		{"a file in the way", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "file")
			require.NoError(t, os.WriteFile(p, nil, 0o600))
			return p
		}, nil, "create the directory"},
		{"zero lock poll", func(t *testing.T) string { return t.TempDir() }, []filestore.Option{filestore.WithLockPoll(0)}, "lock poll"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			st, err := filestore.New(c.dir(t), c.opts...)
			if err == nil || st != nil {
				t.Fatalf("New: got %v, %v; want nil and an error", st, err)
			}
			if !strings.HasPrefix(err.Error(), "filestore: ") || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("New: got error %q, want it to start with filestore: and mention %q", err, c.msg)
			}
		})
	}
	t.Run("nil option", func(t *testing.T) {
		_, err := filestore.New(t.TempDir(), nil)
		require.NoError(t, err)
	})
}

func TestLayout(t *testing.T) {
	cases := []struct {
		id   string
		path string
	}{
		{"3f9a0c17", "3f/9a/3f9a0c17"},
		{"a", "a_/__/a"},
		{"abc", "ab/c_/abc"},
		{"AB-,x", "AB/-,/AB-,x"},
		{strings.Repeat("b", 128), "bb/bb/" + strings.Repeat("b", 128)},
		// Past 128 bytes, the name is the id's SHA-256.
		{strings.Repeat("c", 129), "cc/cc/~" + sha(strings.Repeat("c", 129))},
		{strings.Repeat("d", core.MaxIDLength), "dd/dd/~" + sha(strings.Repeat("d", core.MaxIDLength))},
	}
	st := newStore(t)
	for _, c := range cases {
		t.Run(c.id[:min(len(c.id), 8)], func(t *testing.T) {
			require.NoError(t, st.Save(ctx(t), c.id, []byte("x"), time.Time{}))
			info, err := os.Stat(filepath.Join(st.Dir(), c.path))
			if err != nil {
				t.Fatalf("session file for %q: got %v, want it at %s", c.id, err, c.path)
			}
			if info.Mode() != 0o600 {
				t.Fatalf("session file mode: got %s, want -rw-------", info.Mode())
			}
			for _, d := range []string{filepath.Dir(c.path), filepath.Dir(filepath.Dir(c.path))} {
				info, err := os.Stat(filepath.Join(st.Dir(), d))
				require.NoError(t, err)
				if info.Mode() != fs.ModeDir|0o700 {
					t.Fatalf("directory %s mode: got %s, want drwx------", d, info.Mode())
				}
			}
		})
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestMalformedIDsTouchNothing checks that a malformed id is refused before
// any path is built: nothing appears on disk, inside or outside the store.
func TestMalformedIDsTouchNothing(t *testing.T) {
	parent := t.TempDir()
	st, err := filestore.New(filepath.Join(parent, "sessions"))
	require.NoError(t, err)
	c := ctx(t)
	for _, id := range storetest.MalformedIDs {
		if err := st.Save(c, id, []byte("x"), time.Time{}); err == nil {
			t.Errorf("Save(%q): got nil, want an error", id)
		}
		if _, err := st.Insert(c, id, []byte("x"), time.Time{}); err == nil {
			t.Errorf("Insert(%q): got nil, want an error", id)
		}
		if _, err := st.CompareAndSwap(c, id, nil, []byte("x"), time.Time{}); err == nil {
			t.Errorf("CompareAndSwap(%q): got nil, want an error", id)
		}
		if _, err := st.Lock(c, id, time.Second); err == nil {
			t.Errorf("Lock(%q): got nil, want an error", id)
		}
	}
	var found []string
	require.NoError(t, filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if p != parent && p != st.Dir() {
			found = append(found, p)
		}
		return err
	}))
	if len(found) > 0 {
		t.Fatalf("after malformed ids: got %q on disk, want nothing", found)
	}
}

func TestExpiryIsInTheFile(t *testing.T) {
	st := newStore(t)
	id := storetest.NewID()
	file := filepath.Join(st.Dir(), id[:2], id[2:4], id)
	c := ctx(t)
	require.NoError(t, st.Save(c, id, []byte("data"), time.Now().Add(time.Hour)))
	fresh, err := os.ReadFile(file)
	require.NoError(t, err)

	// The same data, saved as expired: only the header differs, and Load
	// honours it.
	require.NoError(t, st.Save(c, id, []byte("data"), time.Now().Add(-time.Second)))
	expired, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Len(t, expired, len(fresh))
	require.Equal(t, fresh[16:], expired[16:], "data after the header")
	require.NotEqual(t, fresh[4:12], expired[4:12], "expiry in the header")
	_, found, err := st.Load(c, id)
	require.NoError(t, err)
	require.False(t, found, "Load of a file whose header says expired: got found, want not found")

	// Putting the fresh header back revives it: the expiry lives nowhere else.
	require.NoError(t, os.WriteFile(file, fresh, 0o600))
	got, found, err := st.Load(c, id)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "data", string(got))
}

func TestCorruptFile(t *testing.T) {
	cases := []struct {
		name    string
		content []byte
	}{
		{"empty", nil},
		{"short", []byte("SES")},
		{"wrong magic", []byte("PHP\x01xxxxxxxxxxxxdata")},
		{"flipped data bit", nil}, // filled in below
	}
	st := newStore(t)
	c := ctx(t)
	good := storetest.NewID()
	require.NoError(t, st.Save(c, good, []byte("data"), time.Time{}))
	b, err := os.ReadFile(filepath.Join(st.Dir(), good[:2], good[2:4], good))
	require.NoError(t, err)
	b[len(b)-1] ^= 1
	cases[3].content = b

	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			id := storetest.NewID()
			require.NoError(t, st.Save(c, id, []byte("placeholder"), time.Time{}))
			file := filepath.Join(st.Dir(), id[:2], id[2:4], id)
			require.NoError(t, os.WriteFile(file, cs.content, 0o600))
			_, found, err := st.Load(c, id)
			if err == nil || found {
				t.Fatalf("Load of a corrupt file: got found=%v, err=%v; want an error", found, err)
			}
			if strings.Contains(err.Error(), id) {
				t.Fatalf("Load error: got %q, which holds the whole session id; want it shortened", err)
			}
			if _, err := st.CompareAndSwap(c, id, []byte("placeholder"), []byte("x"), time.Time{}); err == nil {
				t.Fatal("CompareAndSwap over a corrupt file: got nil, want an error")
			}
		})
	}
}

func TestNoTemporaryFilesLeft(t *testing.T) {
	st := newStore(t)
	c := ctx(t)
	id := storetest.NewID()
	for i := 0; i < 20; i++ {
		require.NoError(t, st.Save(c, id, []byte(strings.Repeat("x", i*100)), time.Now().Add(time.Hour)))
	}
	_, err := st.CompareAndSwap(c, id, []byte("stale"), []byte("y"), time.Time{})
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Join(st.Dir(), id[:2], id[2:4]))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{".lock", id}, names, "files in the session's directory")
}

// TestDirectoryGone checks the errors of a store whose directory was
// replaced by a file: every call fails, wrapping the cause, and a session
// id never appears whole in an error.
func TestDirectoryGone(t *testing.T) {
	st := newStore(t)
	c := ctx(t)
	id := storetest.NewID()
	require.NoError(t, st.Save(c, id, []byte("x"), time.Time{}))
	require.NoError(t, os.RemoveAll(st.Dir()))
	require.NoError(t, os.WriteFile(st.Dir(), nil, 0o600))

	calls := []struct {
		name string
		call func() error
	}{
		{"Load", func() error { _, _, err := st.Load(c, id); return err }},
		{"Save", func() error { return st.Save(c, id, []byte("y"), time.Time{}) }},
		{"Delete", func() error { return st.Delete(c, id) }},
		{"Insert", func() error { _, err := st.Insert(c, id, []byte("y"), time.Time{}); return err }},
		{"CompareAndSwap", func() error { _, err := st.CompareAndSwap(c, id, []byte("x"), []byte("y"), time.Time{}); return err }},
		{"Lock", func() error { _, err := st.Lock(c, id, time.Second); return err }},
		{"Collect", func() error { _, err := st.Collect(c, 10); return err }},
	}
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			err := cl.call()
			if !errors.Is(err, syscall.ENOTDIR) {
				t.Fatalf("%s: got %v, want an error wrapping ENOTDIR", cl.name, err)
			}
			if !strings.HasPrefix(err.Error(), "filestore: ") || strings.Contains(err.Error(), id) {
				t.Fatalf("%s: got error %q, want the filestore: prefix and no whole session id", cl.name, err)
			}
		})
	}
}
