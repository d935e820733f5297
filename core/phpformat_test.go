package core_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// phpDriver keeps sessions in a store as PHP does: the bare id in the
// cookie, the payload in PHP's session format.
type phpDriver struct {
	core.StoreDriver
	format core.Format
}

func (d *phpDriver) Format() core.Format { return d.format }

func phpManager(t *testing.T, st core.Store, clock *frontends.Clock) *core.Manager {
	d := &phpDriver{StoreDriver: core.StoreDriver{Store: st}, format: core.Format{Codec: "php", IDLength: 32, KeepOldOnRotation: true}}
	return newManager(t, "ci", st, clock, func(c *core.Config) {
		c.Driver, c.Drivers = "ci", map[string]core.Driver{"ci": d}
		c.MatchUserAgent, c.MatchIP = false, false
	})
}

// ciSample is a session as CodeIgniter writes it (produced by PHP 8.2 for
// core/php's golden vectors), with its times moved to now.
func ciSample(now time.Time) []byte {
	entries := []php.Entry{
		{Key: "__ci_last_regenerate", Value: now.Unix() - 120},
		{Key: "notice", Value: "Welcome back"},
		{Key: "__ci_vars", Value: arrayOf("notice", "old", "message", "new", "otp", now.Unix()+300)},
		{Key: "user_id", Value: int64(42)},
		{Key: "cart", Value: arrayOf("items", []any{arrayOf("sku", "A-1", "qty", int64(2))}, "total", 19.9)},
		{Key: "message", Value: "Saved"},
		{Key: "otp", Value: "123456"},
	}
	b, err := php.EncodeSession(entries)
	if err != nil {
		panic(err)
	}
	return b
}

func arrayOf(kv ...any) *php.Array {
	a := &php.Array{}
	for i := 0; i < len(kv); i += 2 {
		a.Set(kv[i].(string), kv[i+1])
	}
	return a
}

func TestPHPFormatReadsCodeIgniterSessions(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := phpManager(t, st, clock)
	id := "0123456789abcdef0123456789abcdef"
	require.NoError(t, st.Save(context.Background(), id, ciSample(clock.Now()), time.Now().Add(time.Hour)))

	b := newBrowser()
	b.cookies["ci_session"] = id
	b.do(t, m, func(s *core.Session) {
		require.Equal(t, id, s.ID())
		require.Equal(t, int64(42), s.Userdata("user_id"))
		n, ok := core.Get[int](s, "user_id")
		require.True(t, ok, "a PHP int reads as a Go int")
		require.Equal(t, 42, n)
		type item struct {
			SKU string `json:"sku"`
			Qty int    `json:"qty"`
		}
		type cart struct {
			Items []item  `json:"items"`
			Total float64 `json:"total"`
		}
		c, ok := core.Get[cart](s, "cart")
		require.True(t, ok)
		require.Equal(t, cart{Items: []item{{"A-1", 2}}, Total: 19.9}, c)
		require.Nil(t, s.Flashdata("notice"), "CodeIgniter's 'old' flashdata is dropped at session start")
		require.Equal(t, "Saved", s.Flashdata("message"), "'new' flashdata is readable, now old")
		require.Equal(t, "123456", s.Tempdata("otp"))
		require.Equal(t, clock.Now().Unix()-120, s.Userdata("last_activity"))
		require.Equal(t, "192.0.2.1", s.Userdata("ip_address"), "PHP keeps no IP: the current request's")
		require.Equal(t, "core-test", s.Userdata("user_agent"))
		all := s.AllUserdata()
		require.ElementsMatch(t, []string{"cart", "ip_address", "last_activity", "session_id", "user_agent", "user_id"}, slices.Collect(maps.Keys(all)),
			"userdata() holds neither flash nor temp items nor __ci_vars and __ci_last_regenerate")
		s.SetUserdata("go_side", "hello from Go")
		s.SetFlashdata("go_flash", "flash from Go")
		s.SetTempdata("go_temp", 7, 10*time.Minute)
	})

	data, found, err := st.Load(context.Background(), id)
	require.NoError(t, err)
	require.True(t, found)
	entries, err := php.DecodeSession(data)
	require.NoError(t, err, "what Go wrote is a PHP session payload")
	got := map[string]any{}
	var order []string
	for _, e := range entries {
		got[e.Key] = e.Value
		order = append(order, e.Key)
	}
	require.Equal(t, "__ci_last_regenerate", order[0], "CodeIgniter's bookkeeping keeps its place")
	require.NotContains(t, got, "notice")
	require.Equal(t, int64(42), got["user_id"])
	require.Equal(t, "hello from Go", got["go_side"])
	vars := got["__ci_vars"].(*php.Array)
	for key, want := range map[string]any{"message": "old", "go_flash": "new", "otp": clock.Now().Unix() + 300} {
		v, ok := vars.Get(key)
		require.True(t, ok, key)
		require.Equal(t, want, v, key)
	}
	goTemp, _ := vars.Get("go_temp")
	require.Equal(t, clock.Now().Add(10*time.Minute).Unix(), goTemp, "temp expiry as CodeIgniter's time() + ttl")
	_, hasNotice := vars.Get("notice")
	require.False(t, hasNotice)
}

func TestPHPFormatLifecycle(t *testing.T) {
	clock := frontends.NewClock()
	st := memstore.New()
	m := phpManager(t, st, clock)
	b := newBrowser()
	b.do(t, m, func(s *core.Session) {
		s.SetUserdata("user", "ada")
		_ = s.Token()
		_ = s.GenerateOneTimeToken()
	})
	id := b.cookies["ci_session"]
	require.Len(t, id, 32, "ids of the PHP form")
	data, _, _ := st.Load(context.Background(), id)
	entries, err := php.DecodeSession(data)
	require.NoError(t, err)
	require.Equal(t, "__ci_last_regenerate", entries[0].Key)
	require.Equal(t, "__ignitego", entries[len(entries)-1].Key, "the tokens, where PHP ignores them")

	b.do(t, m, func(s *core.Session) {
		require.Equal(t, "ada", s.Userdata("user"))
		require.NotEmpty(t, s.Token())
		s.SetUserdata("__ci_vars", "forged")
		s.SetUserdata("42", "a key PHP cannot store")
		err := s.Save(context.Background())
		var ee *core.EncodeError
		require.True(t, errors.As(err, &ee), "got %v", err)
		require.Equal(t, "42", ee.Key)
		require.ErrorIs(t, err, php.ErrUnstorableKey)
		require.NotErrorIs(t, err, core.ErrReservedKey, "__ci_vars is CodeIgniter's: a warning for the log only")
		s.UnsetUserdata("42")
	})

	// Rotation keeps the old session, as CodeIgniter does by default.
	clock.Advance(6 * time.Minute)
	b.do(t, m, func(s *core.Session) { require.Equal(t, "ada", s.Userdata("user")) })
	newID := b.cookies["ci_session"]
	require.NotEqual(t, id, newID)
	old, found, _ := st.Load(context.Background(), id)
	require.True(t, found, "sess_regenerate_destroy = false keeps the old id")
	_, err = php.DecodeSession(old)
	require.NoError(t, err, "and it still holds a PHP payload, not a forward")
}

func TestFormatValidation(t *testing.T) {
	for name, f := range map[string]core.Format{
		"unknown codec":   {Codec: "xml"},
		"too few bits":    {IDLength: 20, IDBitsPerCharacter: 4},
		"bits per char 3": {IDBitsPerCharacter: 3},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := core.DefaultConfig()
			cfg.Driver, cfg.MatchUserAgent = "ci", false
			cfg.Drivers = map[string]core.Driver{"ci": &phpDriver{StoreDriver: core.StoreDriver{Store: memstore.New()}, format: f}}
			_, err := core.New(cfg)
			require.ErrorIs(t, err, core.ErrInvalidConfig)
		})
	}
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.MatchUserAgent = "ci", true
	cfg.Drivers = map[string]core.Driver{"ci": &phpDriver{StoreDriver: core.StoreDriver{Store: memstore.New()}, format: core.Format{Codec: "php"}}}
	_, err := core.New(cfg)
	require.ErrorIs(t, err, core.ErrInvalidConfig, "PHP sessions carry no User-Agent to match")
}

func TestPHPIDForms(t *testing.T) {
	for _, f := range []core.Format{
		{Codec: "php", IDLength: 26, IDBitsPerCharacter: 5},
		{Codec: "php", IDLength: 22, IDBitsPerCharacter: 6},
		{Codec: "php", IDLength: 40, IDBitsPerCharacter: 4},
	} {
		st := memstore.New()
		d := &phpDriver{StoreDriver: core.StoreDriver{Store: st}, format: f}
		m := newManager(t, "ci", st, nil, func(c *core.Config) {
			c.Driver, c.Drivers, c.MatchUserAgent = "ci", map[string]core.Driver{"ci": d}, false
		})
		b := newBrowser()
		b.do(t, m, func(s *core.Session) { s.SetUserdata("k", 1) })
		id := b.cookies["ci_session"]
		require.Len(t, id, f.IDLength)
		require.True(t, core.ValidID(id))
		b.do(t, m, func(s *core.Session) { require.Equal(t, int64(1), s.Userdata("k")) })
	}
}
