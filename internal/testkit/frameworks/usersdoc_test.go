package frameworks_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// usersDocProgram returns the Go program of docs/users.md.
func usersDocProgram(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../../../docs/users.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```go\n(package main\n.*?)```").FindSubmatch(doc)
	require.NotNil(t, m, "docs/users.md holds a whole program")
	return string(m[1])
}

// TestUsersDocProgram builds, vets and runs the Gin page of docs/users.md
// as pasted into a module of its own, and uses it as two browsers would:
// a laptop and a phone sign in, the laptop's page lists both and no
// session id, signs out everywhere else, and the phone is signed out.
func TestUsersDocProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)
	dir := t.TempDir()
	gomod, gosum := quickStartModule(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(usersDocProgram(t)), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o600))
	bin := filepath.Join(dir, "app")
	for _, args := range [][]string{{"build", "-o", bin, "."}, {"vet", "."}} {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
	}

	addr := freeAddr(t)
	app := exec.Command(bin)
	app.Env = append(withoutEnv(os.Environ(), "ADDR"), "ADDR="+addr, "GIN_MODE=release")
	app.Stdout, app.Stderr = io.Discard, io.Discard
	require.NoError(t, app.Start())
	t.Cleanup(func() { _ = app.Process.Kill(); _ = app.Wait() })
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "the program listens on %s", addr)

	base := "http://" + addr
	laptop, phone := newDocBrowser(t, "laptop/1.0"), newDocBrowser(t, "phone/2.0")
	for _, b := range []*docBrowser{laptop, phone} {
		page := b.get(base + "/")
		require.Contains(t, page, "Sign in")
		page = b.post(base+"/login", url.Values{"user": {"ada"}, "csrf": {csrfOf(t, page)}})
		require.Contains(t, page, "ada, you are signed in on")
	}
	page := laptop.get(base + "/")
	require.Equal(t, 2, strings.Count(page, "<tr>"), "two devices:\n%s", page)
	require.Contains(t, page, "laptop/1.0")
	require.Contains(t, page, "phone/2.0")
	require.Contains(t, page, "this device")
	for _, b := range []*docBrowser{laptop, phone} {
		for _, ck := range b.jar.Cookies(mustURL(t, base)) {
			require.NotContains(t, page, ck.Value, "no session id in the page")
		}
	}
	require.Equal(t, http.StatusForbidden, laptop.status(base+"/devices/revoke-others", url.Values{}), "a POST without the CSRF token")

	page = laptop.post(base+"/devices/revoke-others", url.Values{"csrf": {csrfOf(t, page)}})
	require.Equal(t, 1, strings.Count(page, "<tr>"), "only this device left:\n%s", page)
	require.Contains(t, phone.get(base+"/"), "Sign in", "the phone is signed out")
}

// docBrowser is a browser with a cookie jar and a User-Agent.
type docBrowser struct {
	t   *testing.T
	ua  string
	jar http.CookieJar
	c   *http.Client
}

func newDocBrowser(t *testing.T, ua string) *docBrowser {
	jar, _ := cookiejar.New(nil)
	return &docBrowser{t: t, ua: ua, jar: jar, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (b *docBrowser) do(method, u string, form url.Values) (int, string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("User-Agent", b.ua)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp.StatusCode, string(body)
}

func (b *docBrowser) get(u string) string {
	b.t.Helper()
	status, body := b.do(http.MethodGet, u, nil)
	require.Equal(b.t, http.StatusOK, status, "%s", body)
	return body
}

// post sends a form and follows the redirect to the page.
func (b *docBrowser) post(u string, form url.Values) string {
	b.t.Helper()
	status, body := b.do(http.MethodPost, u, form)
	require.Equal(b.t, http.StatusOK, status, "%s", body)
	return body
}

func (b *docBrowser) status(u string, form url.Values) int {
	b.t.Helper()
	status, _ := b.do(http.MethodPost, u, form)
	return status
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "a CSRF token in the page:\n%s", page)
	return m[1]
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}
