package core_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	memstore "github.com/ignitego/session/stores/memory"
)

func TestDefaultConfigIsCodeIgniters(t *testing.T) {
	c := core.DefaultConfig()
	require.Equal(t, "cookie", c.Driver)
	require.Equal(t, "ci_session", c.CookieName)
	require.Equal(t, 2*time.Hour, c.Expiration)
	require.Equal(t, 5*time.Minute, c.TimeToUpdate)
	require.False(t, c.ExpireOnClose)
	require.False(t, c.EncryptCookie)
	require.False(t, c.UseDatabase)
	require.False(t, c.MatchIP)
	require.False(t, c.MatchUserAgent, "CodeIgniter 3 and 4 dropped sess_match_useragent")
	require.Equal(t, "", c.CookiePrefix)
	require.Equal(t, "", c.CookieDomain)
	require.Equal(t, "/", c.CookiePath)
	require.False(t, c.CookieSecure)
	require.False(t, c.CookieScriptAccess, "HttpOnly")
	require.Equal(t, http.SameSiteLaxMode, c.CookieSameSite)
	require.Nil(t, c.Store)
}

type noopDriver struct{}

func (noopDriver) Load(context.Context, *core.DriverRequest) (core.Loaded, error) {
	return core.Loaded{}, nil
}
func (noopDriver) Save(context.Context, *core.DriverRequest, *core.Commit) error { return nil }
func (noopDriver) Destroy(context.Context, *core.DriverRequest, string) error    { return nil }

func TestNewRejectsConfigsThatCannotWork(t *testing.T) {
	withKey := func(c *core.Config) { c.EncryptionKey = testKey }
	cases := []struct {
		name    string
		change  func(c *core.Config)
		unknown bool // the error also wraps ErrUnknownDriver
	}{
		{"cookie driver without a key", func(c *core.Config) {}, false},
		{"short key", func(c *core.Config) { c.EncryptionKey = []byte("too short") }, false},
		{"short previous key", func(c *core.Config) { withKey(c); c.PreviousEncryptionKeys = [][]byte{[]byte("x")} }, false},
		{"previous keys without a key", func(c *core.Config) {
			c.Driver, c.Store = "native", memstore.New()
			c.PreviousEncryptionKeys = [][]byte{testKey}
		}, false},
		{"native without a store", func(c *core.Config) { c.Driver = "native" }, false},
		{"use database without a store", func(c *core.Config) { withKey(c); c.UseDatabase = true }, false},
		{"valid native without a store", func(c *core.Config) { withKey(c); c.ValidDrivers = []string{"native"} }, false},
		{"unknown driver", func(c *core.Config) { withKey(c); c.Driver = "redis" }, true},
		{"unknown valid driver", func(c *core.Config) { withKey(c); c.ValidDrivers = []string{"nope"} }, true},
		{"custom driver named like a built-in", func(c *core.Config) {
			withKey(c)
			c.Drivers = map[string]core.Driver{"native": noopDriver{}}
		}, false},
		{"nil custom driver", func(c *core.Config) { withKey(c); c.Drivers = map[string]core.Driver{"x": nil} }, false},
		{"bad cookie name", func(c *core.Config) { withKey(c); c.CookieName = "ci session" }, false},
		{"bad driver cookie name", func(c *core.Config) {
			withKey(c)
			c.ValidDrivers = []string{"a;b"}
			c.Drivers = map[string]core.Driver{"a;b": noopDriver{}}
		}, false},
		{"negative expiration", func(c *core.Config) { withKey(c); c.Expiration = -time.Hour }, false},
		{"negative time to update", func(c *core.Config) { withKey(c); c.TimeToUpdate = -1 }, false},
		{"SameSite None without Secure", func(c *core.Config) { withKey(c); c.CookieSameSite = http.SameSiteNoneMode }, false},
		{"lock without a store", func(c *core.Config) { withKey(c); c.Lock = true }, false},
		{"lock on a store that cannot lock", func(c *core.Config) {
			c.Driver, c.Store, c.Lock = "native", plainStore{memstore.New()}, true
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := core.DefaultConfig()
			tc.change(&cfg)
			m, err := core.New(cfg)
			require.Nil(t, m)
			require.ErrorIs(t, err, core.ErrInvalidConfig)
			require.Equal(t, tc.unknown, errors.Is(err, core.ErrUnknownDriver), "ErrUnknownDriver in %v", err)
			msg := err.Error()
			require.True(t, strings.HasPrefix(msg, "session: invalid config: "), "got %q", msg)
			require.Equal(t, 1, strings.Count(msg, "session:"), "one prefix in %q", msg)
		})
	}
}

func TestNewErrorMessages(t *testing.T) {
	cases := []struct {
		name   string
		change func(c *core.Config)
		want   string
	}{
		{"unknown driver", func(c *core.Config) { c.EncryptionKey, c.Driver = testKey, "x" },
			`session: invalid config: unknown driver "x": neither built in nor in Drivers`},
		{"native without a store", func(c *core.Config) { c.Driver = "native" },
			`session: invalid config: the native driver needs a Store`},
		{"cookie driver without a key", func(c *core.Config) {},
			`session: invalid config: the cookie driver needs an EncryptionKey of at least 32 bytes`},
		{"negative expiration", func(c *core.Config) { c.EncryptionKey, c.Expiration = testKey, -time.Hour },
			`session: invalid config: Expiration -1h0m0s is negative (use NoExpiration)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := core.DefaultConfig()
			tc.change(&cfg)
			_, err := core.New(cfg)
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestNewFillsZeroValues(t *testing.T) {
	m, err := core.New(core.Config{Driver: "native", Store: memstore.New()})
	require.NoError(t, err)
	defer m.Close()
	c := m.Config()
	require.Equal(t, "ci_session", c.CookieName)
	require.Equal(t, 2*time.Hour, c.Expiration)
	require.Equal(t, "/", c.CookiePath)
	require.Equal(t, http.SameSiteLaxMode, c.CookieSameSite)
	require.Zero(t, c.TimeToUpdate, "zero TimeToUpdate means never rotate")
	require.False(t, c.MatchUserAgent)
	require.NotNil(t, c.Now)
	require.NotNil(t, c.Logger)
}

func TestCookieNames(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.EncryptionKey, cfg.Store = testKey, memstore.New()
	cfg.CookiePrefix, cfg.CookieName = "app_", "sess"
	cfg.ValidDrivers = []string{"native", "memo"}
	cfg.Drivers = map[string]core.Driver{"memo": noopDriver{}}
	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	require.Equal(t, "app_sess", m.CookieName("cookie"))
	require.Equal(t, "app_sess_native", m.CookieName("native"))
	require.Equal(t, "app_sess_memo", m.CookieName("memo"))
	require.Equal(t, "", m.CookieName("nope"))
}

func TestStartNeedsATransport(t *testing.T) {
	m := newManager(t, "native", memstore.New(), nil)
	_, err := m.Start(context.Background(), nil)
	require.Error(t, err)
}

func TestGarbageCollection(t *testing.T) {
	before := runtime.NumGoroutine()
	st := memstore.New()
	past := time.Now().Add(-time.Minute)
	for range 25 {
		require.NoError(t, st.Save(context.Background(), storetest.NewID(), []byte("x"), past))
	}
	live := storetest.NewID()
	require.NoError(t, st.Save(context.Background(), live, []byte("x"), time.Now().Add(time.Hour)))

	m := newManager(t, "native", st, nil, func(c *core.Config) { c.GCInterval = 5 * time.Millisecond; c.GCBatch = 10 })
	require.Eventually(t, func() bool { return st.Len() == 1 }, 10*time.Second, time.Millisecond, "the schedule removes expired sessions")
	_, found, _ := st.Load(context.Background(), live)
	require.True(t, found)
	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "Close twice is safe")
	requireGoroutinesBackTo(t, before)

	for range 7 {
		require.NoError(t, st.Save(context.Background(), storetest.NewID(), []byte("x"), past))
	}
	n, err := m.Collect(context.Background())
	require.NoError(t, err)
	require.Equal(t, 7, n, "Collect runs on demand, in batches, after Close too")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = m.Collect(cancelled)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, core.ErrStore)
}

func TestCollectWithoutACollector(t *testing.T) {
	m := newManager(t, "native", plainStore{memstore.New()}, nil)
	n, err := m.Collect(context.Background())
	require.NoError(t, err)
	require.Zero(t, n)
}

// requireGoroutinesBackTo waits until no more than n goroutines run,
// polling from the test's own goroutine (a helper goroutine would count).
func requireGoroutinesBackTo(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: got %d, want at most %d: a goroutine outlived Close", runtime.NumGoroutine(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
