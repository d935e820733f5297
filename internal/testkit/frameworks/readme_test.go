package frameworks_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readmePath is the repository's README, from this package's folder.
const readmePath = "../../../README.md"

// quickStart is a Go program of the README, under its "### " heading.
type quickStart struct {
	heading, code string
}

// readmeQuickStarts returns the README's Go code blocks that are whole
// programs (they start with "package main"), from the README's own text.
func readmeQuickStarts(t *testing.T) []quickStart {
	t.Helper()
	f, err := os.Open(readmePath)
	require.NoError(t, err)
	defer f.Close()
	var (
		out     []quickStart
		heading string
		code    []string
		inGo    bool
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case inGo && line == "```":
			if len(code) > 0 && code[0] == "package main" {
				out = append(out, quickStart{heading: heading, code: strings.Join(code, "\n") + "\n"})
			}
			inGo, code = false, nil
		case inGo:
			code = append(code, line)
		case line == "```go":
			inGo = true
		case strings.HasPrefix(line, "### "):
			heading = strings.TrimPrefix(line, "### ")
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// TestREADMEQuickStarts builds, vets and runs each quick start of the
// README as pasted into a module of its own (with replace directives to
// this repository): it answers "visit 1", then "visit 2" to a browser
// with the cookie, and stops with a message without SESSION_KEY.
func TestREADMEQuickStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds five programs")
	}
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)
	progs := readmeQuickStarts(t)
	var headings []string
	for _, p := range progs {
		headings = append(headings, p.heading)
	}
	require.Equal(t, []string{"Gin", "Echo v4", "Echo v5", "Fiber", "net/http (and chi, gorilla/mux)"}, headings,
		"the README's complete programs")

	gomod, gosum := quickStartModule(t)
	for _, p := range progs {
		t.Run(p.heading, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(p.code), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o600))
			bin := filepath.Join(dir, "app")
			run := func(args ...string) {
				cmd := exec.Command(goBin, args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
			}
			run("build", "-o", bin, ".")
			run("vet", ".")

			missing := exec.Command(bin)
			missing.Env = withoutEnv(os.Environ(), "SESSION_KEY")
			out, err := missing.CombinedOutput()
			require.Error(t, err, "without SESSION_KEY: %s", out)
			require.Contains(t, string(out), "SESSION_KEY must hold 32 random bytes")

			addr := freeAddr(t)
			app := exec.Command(bin)
			app.Env = append(withoutEnv(os.Environ(), "SESSION_KEY", "ADDR"),
				"SESSION_KEY="+hex.EncodeToString([]byte("0123456789abcdef0123456789abcdef")), "ADDR="+addr)
			app.Stdout, app.Stderr = io.Discard, io.Discard
			require.NoError(t, app.Start())
			t.Cleanup(func() { _ = app.Process.Kill(); _ = app.Wait() })

			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, Timeout: 5 * time.Second}
			require.Eventually(t, func() bool {
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err == nil {
					_ = c.Close()
				}
				return err == nil
			}, 30*time.Second, 50*time.Millisecond, "the program listens on %s", addr)
			for _, want := range []string{"visit 1", "visit 2"} {
				require.Equal(t, want, fetchBody(t, client, "http://"+addr+"/"))
			}
		})
	}
}

// quickStartModule returns the go.mod and go.sum of a module for a quick
// start: this module's requirements, with replace directives that point
// at this repository's folders.
func quickStartModule(t *testing.T) (gomod, gosum []byte) {
	t.Helper()
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	s := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(mod), "module example.com/app")
	s = regexp.MustCompile(`=> \.\./\.\./\.\.`).ReplaceAllString(s, "=> "+filepath.ToSlash(root))
	return []byte(s), sum
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// freeAddr returns a loopback address no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func fetchBody(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	return string(body)
}
