package codeigniter_test

import (
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/stores/codeigniter"
)

// TestClocks pins which clock governs which expiry with CodeIgniter's
// layout, as docs/configuration.md lists them. The sessions' own expiry is
// the store's, on the wall clock, as in PHP: moving Config.Now past
// Expiration ends nothing. Tempdata's is Config.Now's. And the remaining
// lifetime the store gets is the whole Expiration whatever Config.Now
// says: a Redis TTL of about 2h with a clock set to 2001.
func TestClocks(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	fx := backendFor("redis").open(t, 4, "", nil)
	cfg, err := codeigniter.Config(fx.app)
	require.NoError(t, err)
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Now = clock
	m, err := core.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	routes := []frontends.Route{
		{Method: http.MethodGet, Path: "/set", Handle: func(c frontends.Ctx) {
			c.Session().SetUserdata("user", "ada")
			c.Session().SetTempdata("otp", "123456", 5*time.Minute)
			c.String(http.StatusOK, "ok")
		}},
		{Method: http.MethodGet, Path: "/get", Handle: func(c frontends.Ctx) {
			otp, _ := c.Session().Tempdata("otp").(string)
			c.String(http.StatusOK, core.GetOr(c.Session(), "user", "")+","+otp)
		}},
	}
	srv := frontends.Start(t, "net/http", m, routes, frontends.Options{})
	c := srv.NewClient(t, "")
	require.Equal(t, "ok", c.Get("/set").Body)
	require.Equal(t, "ada,123456", c.Get("/get").Body)

	st := mustStore(t, fx.app).(*codeigniter.RedisStore)
	ttl := fx.redis.TTL(t.Context(), st.Key(c.Cookie(m.CookieName(cfg.Driver)))).Val()
	require.InDelta(t, codeigniter.DefaultExpiration.Seconds(), ttl.Seconds(), 60, "the store's TTL: the whole Expiration, on the wall clock")

	advance(10 * time.Minute)
	require.Equal(t, "ada,", c.Get("/get").Body, "tempdata past its 5 minutes on Config.Now")
	advance(3 * time.Hour)
	require.Equal(t, "ada,", c.Get("/get").Body, "past Expiration on Config.Now only: the store's clock governs, as in PHP")
}
