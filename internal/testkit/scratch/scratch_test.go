package scratch

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const helperVar = "SESSION_SCRATCH_HELPER"

// TestMain lets the test binary serve as a process that makes a scratch
// directory, writes its name on stdout and then dies abruptly.
func TestMain(m *testing.M) {
	if os.Getenv(helperVar) != "" {
		dir, err := Dir("scratch-test-")
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(2)
		}
		_ = os.WriteFile(filepath.Join(dir, "fixture"), []byte("data"), 0o600)
		os.Stdout.WriteString(dir + "\n")
		select {} // until killed
	}
	os.Exit(m.Run())
}

// TestDirRemovedAfterKill: the directory of a process that is killed, and
// so runs no cleanup of its own, is removed.
func TestDirRemovedAfterKill(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperVar+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 4096)
	n, err := out.Read(buf)
	require.NoError(t, err)
	dir := string(buf[:n-1])
	require.FileExists(t, filepath.Join(dir, "fixture"))

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Eventually(t, func() bool {
		_, err := os.Stat(dir)
		return os.IsNotExist(err)
	}, 10*time.Second, 20*time.Millisecond, "the directory %s outlived its process", dir)
}

// TestDirKeptWhileRunning: the directory stays while its process runs,
// garbage collections included (a collected pipe would end the watcher's
// wait).
func TestDirKeptWhileRunning(t *testing.T) {
	dir, err := Dir("scratch-test-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	for range 3 {
		runtime.GC()
		time.Sleep(100 * time.Millisecond)
	}
	require.DirExists(t, dir)
}

// TestRemoveAll removes a tree of files at every depth, and the tree's
// root.
func TestRemoveAll(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "fixture")
	for _, p := range []string{"top", "a/mid", "a/b/low", "a/b/c/d/deep", "e/f/g"} {
		p = filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
	}
	require.NoError(t, RemoveAll(root))
	require.NoDirExists(t, root)
	require.NoError(t, RemoveAll(root), "a directory already gone is no error")
}
