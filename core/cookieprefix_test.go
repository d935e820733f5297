package core_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

func TestNewChecksCookieRules(t *testing.T) {
	tests := []struct {
		name string
		set  func(c *core.Config)
		ok   bool
	}{
		{"__Secure- with Secure", func(c *core.Config) { c.CookiePrefix, c.CookieSecure = "__Secure-", true }, true},
		{"__Secure- without Secure", func(c *core.Config) { c.CookiePrefix = "__Secure-" }, false},
		{"__secure- in lower case without Secure", func(c *core.Config) { c.CookiePrefix = "__secure-" }, false},
		{"__Secure- in the cookie name", func(c *core.Config) { c.CookieName = "__Secure-sid" }, false},
		{"__Secure- with a Domain", func(c *core.Config) {
			c.CookiePrefix, c.CookieSecure, c.CookieDomain = "__Secure-", true, "example.com"
		}, true},
		{"__Host- with Secure", func(c *core.Config) { c.CookiePrefix, c.CookieSecure = "__Host-", true }, true},
		{"__Host- without Secure", func(c *core.Config) { c.CookiePrefix = "__Host-" }, false},
		{"__HOST- without Secure", func(c *core.Config) { c.CookiePrefix = "__HOST-" }, false},
		{"__Host- with a Domain", func(c *core.Config) {
			c.CookiePrefix, c.CookieSecure, c.CookieDomain = "__Host-", true, "example.com"
		}, false},
		{"__Host- with another Path", func(c *core.Config) {
			c.CookiePrefix, c.CookieSecure, c.CookiePath = "__Host-", true, "/app"
		}, false},
		{"Partitioned with Secure", func(c *core.Config) { c.CookiePartitioned, c.CookieSecure = true, true }, true},
		{"Partitioned without Secure", func(c *core.Config) { c.CookiePartitioned = true }, false},
		{"AbsoluteTimeout negative", func(c *core.Config) { c.AbsoluteTimeout = -time.Second }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := core.DefaultConfig()
			cfg.EncryptionKey = testKey
			tt.set(&cfg)
			m, err := core.New(cfg)
			if !tt.ok {
				require.ErrorIs(t, err, core.ErrInvalidConfig)
				return
			}
			require.NoError(t, err)
			require.NoError(t, m.Close())
		})
	}
}

func TestAbsoluteTimeoutNeedsAStartTime(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.EncryptionKey = testKey
	cfg.Driver, cfg.MatchUserAgent = "ci", false
	cfg.Drivers = map[string]core.Driver{"ci": &phpDriver{StoreDriver: core.StoreDriver{Store: memstore.New()}, format: core.Format{Codec: "php"}}}
	cfg.AbsoluteTimeout = time.Hour
	_, err := core.New(cfg)
	require.ErrorIs(t, err, core.ErrInvalidConfig)
	require.ErrorContains(t, err, `driver "ci"`)
}

func TestPartitionedCookie(t *testing.T) {
	m := newManager(t, core.DriverNative, memstore.New(), nil, func(c *core.Config) {
		c.CookiePrefix, c.CookieSecure, c.CookiePartitioned = "__Host-", true, true
	})
	b := newBrowser()
	c := request(t, m, b, func(s *core.Session) { s.SetUserdata("k", 1) })
	require.NotNil(t, c)
	require.Equal(t, "__Host-ci_session", c.Name)
	require.True(t, c.Partitioned)
	require.Contains(t, c.String(), "; Partitioned")
	r := b.start(t, m)
	r.Destroy()
	r.finish(t)
	gone := lastCookie(r, "__Host-ci_session")
	require.Equal(t, -1, gone.MaxAge)
	require.True(t, gone.Partitioned, "the deletion names the same partitioned cookie")
	require.Equal(t, http.SameSiteLaxMode, gone.SameSite)
}
