// The behaviour table: every front end (net/http, Gin, Echo v4, Echo v5 and
// Fiber v2) through real HTTP round trips with a cookie jar, on each
// built-in driver.

package frameworks_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	_ "github.com/ignitego/session/internal/testkit/frameworks"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

var (
	testKey  = []byte("behaviour-test-key-0123456789-abcdef")
	otherKey = []byte("another-test-key-0123456789-abcdefgh")
)

// Drivers the generic behaviours run on.
const (
	dCookie   = "cookie"
	dNative   = "native"
	dCookieDB = "cookie+db" // the cookie driver with UseDatabase
)

var allDrivers = []string{dCookie, dNative, dCookieDB}

// env is one behaviour's world: a server on one front end and driver.
type env struct {
	t      *testing.T
	fe     string
	driver string
	srv    *frontends.Server
	store  *frontends.Store
	clock  *frontends.Clock
	m      *core.Manager
	cookie string
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// client returns a new browser for the server.
func (e *env) client() *frontends.Client {
	c := e.srv.NewClient(e.t, "")
	c.Header.Set("User-Agent", "behaviour-test/1.0")
	return c
}

// storeHas reports whether the store holds the session id (store drivers).
func (e *env) storeHas(id string) bool {
	_, found, err := e.store.Inner.Load(e.t.Context(), id)
	require.NoError(e.t, err)
	return found
}

type behaviour struct {
	name    string
	drivers []string // nil: allDrivers
	config  func(c *core.Config)
	opts    frontends.Options
	routes  func(e *env) []frontends.Route
	run     func(t *testing.T, e *env)
}

// behaviours is the table; the cases live in cases_*_test.go.
var behaviours []behaviour

func register(b ...behaviour) bool {
	behaviours = append(behaviours, b...)
	return true
}

func baseConfig(driver string, clock *frontends.Clock, store core.Store, logs io.Writer) core.Config {
	cfg := core.DefaultConfig()
	cfg.EncryptionKey = testKey
	cfg.Store = store
	cfg.Now = clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	switch driver {
	case dNative:
		cfg.Driver = core.DriverNative
	case dCookieDB:
		cfg.UseDatabase = true
	}
	return cfg
}

func TestBehaviour(t *testing.T) {
	for _, fe := range frontends.Names() {
		t.Run(fe, func(t *testing.T) {
			t.Parallel()
			for _, b := range behaviours {
				drivers := b.drivers
				if drivers == nil {
					drivers = allDrivers
				}
				for _, d := range drivers {
					t.Run(b.name+"/"+d, func(t *testing.T) {
						e := &env{t: t, fe: fe, driver: d, clock: frontends.NewClock(), logs: &syncBuffer{}}
						e.store = frontends.NewStore(memstore.New())
						cfg := baseConfig(d, e.clock, e.store, e.logs)
						if b.config != nil {
							b.config(&cfg)
						}
						m, err := core.New(cfg)
						require.NoError(t, err)
						t.Cleanup(func() { _ = m.Close() })
						e.m = m
						e.cookie = m.CookieName(m.Config().Driver)
						e.srv = frontends.Start(t, fe, m, b.routes(e), b.opts)
						b.run(t, e)
					})
				}
			}
		})
	}
}

// get is a GET route.
func get(path string, fn func(c frontends.Ctx)) frontends.Route {
	return frontends.Route{Method: http.MethodGet, Path: path, Handle: fn}
}

// ok answers "ok".
func ok(c frontends.Ctx) { c.String(http.StatusOK, "ok") }

// body checks a response's status and body.
func body(t *testing.T, r *frontends.Response, want string, msg ...any) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "status (body %q)", r.Body)
	require.Equal(t, want, r.Body, msg...)
}

// sessionCookie returns the Set-Cookie of the session cookie in r, or nil.
func sessionCookie(e *env, r *frontends.Response) *http.Cookie {
	cs := r.SetCookies(e.cookie)
	if len(cs) == 0 {
		return nil
	}
	require.Len(e.t, cs, 1, "one Set-Cookie per cookie name")
	return cs[0]
}

// joinSorted joins the keys of m, sorted.
func joinSorted(keys []string) string {
	out := append([]string(nil), keys...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return strings.Join(out, ",")
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// line formats its operands like fmt.Sprintln, without the newline.
func line(a ...any) string { return strings.TrimSuffix(fmt.Sprintln(a...), "\n") }
