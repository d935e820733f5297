package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clock is the sessions' and the page's time in a test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testSettings keeps the sessions in files in a new directory, on a clock
// the test moves. The clock starts at the real time, which the cookie jar
// keeps: the cookies' expiry follows the sessions' clock.
func testSettings(t *testing.T) (settings, *clock) {
	clk := &clock{now: time.Now().Truncate(time.Second)}
	return settings{
		Store:        "file",
		DataDir:      t.TempDir(),
		TimeToUpdate: time.Minute,
		TempdataTTL:  30 * time.Second,
		Now:          clk.Now,
	}, clk
}

// site is the app on a test server, and one browser: a client with a cookie
// jar that follows redirects.
type site struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
}

func start(t *testing.T, st settings, jar http.CookieJar) *site {
	t.Helper()
	m, where, closeStore, err := newManager(st)
	require.NoError(t, err)
	srv := httptest.NewServer(newApp(m, st, where).router())
	t.Cleanup(func() { srv.Close(); _ = m.Close(); closeStore() })
	if jar == nil {
		jar = newJar(t)
	}
	return &site{t: t, srv: srv, client: &http.Client{Jar: jar}}
}

func newJar(t *testing.T) http.CookieJar {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return jar
}

// browser is another browser on the same site: a cookie jar of its own.
func (s *site) browser() *site {
	return &site{t: s.t, srv: s.srv, client: &http.Client{Jar: newJar(s.t)}}
}

func (s *site) get(path string) (int, string) {
	s.t.Helper()
	resp, err := s.client.Get(s.srv.URL + path)
	require.NoError(s.t, err)
	return read(s.t, resp)
}

func (s *site) post(path string, form url.Values) (int, string) {
	s.t.Helper()
	resp, err := s.client.PostForm(s.srv.URL+path, form)
	require.NoError(s.t, err)
	return read(s.t, resp)
}

// page GETs path and requires a 200.
func (s *site) page(path string) string {
	s.t.Helper()
	status, body := s.get(path)
	require.Equal(s.t, http.StatusOK, status, "GET %s", path)
	return body
}

// submit POSTs a form that carries the page's CSRF token, follows the
// redirect and requires a 200.
func (s *site) submit(page, path string, form url.Values) string {
	s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("token", find(s.t, page, tokenField))
	status, body := s.post(path, form)
	require.Equal(s.t, http.StatusOK, status, "POST %s", path)
	return body
}

func (s *site) login(name string) string {
	s.t.Helper()
	return s.submit(s.page("/"), "/login", url.Values{"name": {name}})
}

func read(t *testing.T, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

var (
	tokenField       = regexp.MustCompile(`name="token" value="([0-9a-f]{64})"`)
	onceField        = regexp.MustCompile(`name="once" value="([0-9a-f]{64})"`)
	fingerprintField = regexp.MustCompile(`id="fingerprint">([0-9a-f]{8})<`)
	visitsField      = regexp.MustCompile(`id="visits">(\d+)<`)
	userField        = regexp.MustCompile(`id="user">([^<]*)<`)
)

// find returns the first group of re in page, failing the test without it.
func find(t *testing.T, page string, re *regexp.Regexp) string {
	t.Helper()
	m := re.FindStringSubmatch(page)
	require.NotNil(t, m, "the page has no match for %s", re)
	return m[1]
}

func TestStaticFiles(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	for _, tc := range []struct{ path, contentType, contains string }{
		{"/static/style.css", "text/css", "--accent"},
		{"/static/countdown.js", "javascript", "data-seconds"},
		{"/static/favicon.svg", "image/svg+xml", "<svg"},
		{"/favicon.ico", "image/svg+xml", "<svg"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := s.client.Get(s.srv.URL + tc.path)
			require.NoError(t, err)
			status, body := read(t, resp)
			assert.Equal(t, http.StatusOK, status)
			assert.Contains(t, resp.Header.Get("Content-Type"), tc.contentType)
			assert.Contains(t, body, tc.contains)
			assert.Empty(t, resp.Header.Values("Set-Cookie"), "a static file starts no session")
		})
	}
}

func TestPageHeaders(t *testing.T) {
	st, _ := testSettings(t)
	s := start(t, st, nil)
	resp, err := s.client.Get(s.srv.URL + "/")
	require.NoError(t, err)
	_, body := read(t, resp)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Contains(t, body, `<html lang="en">`)
	assert.NotContains(t, body, "<script>", "no inline script: the policy forbids it")
	assert.NotContains(t, body, "style=", "no inline style: the policy forbids it")
}
