package codeigniter_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/internal/testkit/frontends"
)

// browser keeps one cookie as a browser keeps it: the value exactly as a
// Set-Cookie header wrote it (quotes and %-escapes included), sent back
// unchanged in the Cookie header. PHP reads that value url-decoded, as
// $_COOKIE does; Go's own cookie jar would unquote it, which a browser
// does not.
type browser struct {
	t    testing.TB
	url  string
	name string
	http *http.Client

	mu    sync.Mutex
	value string
}

func newBrowser(t testing.TB, srv *frontends.Server, name string) *browser {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: t, url: srv.URL, name: name, http: &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Cookie returns the cookie's value as the browser stored it, "" if none.
func (b *browser) Cookie() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.value
}

// SetCookie stores value as if a Set-Cookie header had written it.
func (b *browser) SetCookie(value string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.value = value
}

// Get sends a GET request with the cookie, and stores the cookie the
// response sets.
func (b *browser) Get(path string) *frontends.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	if v := b.Cookie(); v != "" {
		req.Header.Set("Cookie", b.name+"="+v)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	for _, line := range resp.Header.Values("Set-Cookie") {
		nv, attrs, _ := strings.Cut(line, ";")
		name, value, ok := strings.Cut(nv, "=")
		if !ok || strings.TrimSpace(name) != b.name {
			continue
		}
		if strings.Contains(strings.ToLower(attrs), "max-age=0") {
			value = "" // deleted
		}
		b.SetCookie(strings.TrimSpace(value))
	}
	return &frontends.Response{Status: resp.StatusCode, Body: string(body), Header: resp.Header}
}
