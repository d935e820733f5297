package codeigniter_test

import (
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/stores/codeigniter"
)

// offlineDB is a *sql.DB that never connects: database/sql opens
// connections on first use, and these tests make none.
func offlineDB(t *testing.T, driver string) *sql.DB {
	db, err := sql.Open(driver, map[string]string{"mysql": "u@tcp(127.0.0.1:1)/x", "pgx": "host=127.0.0.1 port=1"}[driver])
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestConfig(t *testing.T) {
	db := offlineDB(t, "mysql")
	app := codeigniter.App{Version: 4, Handler: codeigniter.Database(db, codeigniter.MySQL), Table: "ci_sessions", CookieName: "ci_session"}
	cfg, err := codeigniter.Config(app)
	require.NoError(t, err)
	require.Equal(t, codeigniter.DriverName, cfg.Driver)
	require.IsType(t, &codeigniter.Driver{}, cfg.Drivers[codeigniter.DriverName])
	require.IsType(t, &codeigniter.DatabaseStore{}, cfg.Store)
	require.True(t, cfg.Lock, "CodeIgniter always locks")
	require.False(t, cfg.MatchIP)
	require.False(t, cfg.MatchUserAgent)
	require.Equal(t, "ci_session", cfg.CookieName)
	require.Equal(t, 7200*time.Second, cfg.Expiration)
	require.False(t, cfg.ExpireOnClose)
	require.Equal(t, 300*time.Second, cfg.TimeToUpdate)
	require.Equal(t, "/", cfg.CookiePath)
	require.False(t, cfg.CookieScriptAccess, "CodeIgniter's session cookie is always HttpOnly")
	require.Equal(t, http.SameSiteLaxMode, cfg.CookieSameSite)
	require.Negative(t, cfg.RotationGrace, "no forwards in a store PHP reads")
	require.Equal(t, 30*time.Second, cfg.LockTimeout)
	require.Empty(t, cfg.EncryptionKey)
	m, err := core.New(cfg)
	require.NoError(t, err, "the configuration works as it is")
	require.NoError(t, m.Close())
	require.Equal(t, core.Format{Codec: "php", IDLength: 32, IDBitsPerCharacter: 4, KeepOldOnRotation: true},
		cfg.Drivers[codeigniter.DriverName].(core.FormatDriver).Format())
}

func TestConfigOverrides(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		app   codeigniter.App
		check func(t *testing.T, cfg core.Config, f core.Format)
	}{
		{"sess_expiration = 0", codeigniter.App{Expiration: codeigniter.SessionCookie}, func(t *testing.T, cfg core.Config, _ core.Format) {
			require.True(t, cfg.ExpireOnClose)
			require.Equal(t, 1440*time.Second, cfg.Expiration, "the server keeps it gc_maxlifetime")
		}},
		{"sess_expiration = 0, gc_maxlifetime", codeigniter.App{Expiration: codeigniter.SessionCookie, GCMaxLifetime: time.Hour}, func(t *testing.T, cfg core.Config, _ core.Format) {
			require.Equal(t, time.Hour, cfg.Expiration)
		}},
		{"sess_expiration", codeigniter.App{Expiration: 30 * time.Minute}, func(t *testing.T, cfg core.Config, _ core.Format) {
			require.Equal(t, 30*time.Minute, cfg.Expiration)
			require.False(t, cfg.ExpireOnClose)
		}},
		{"sess_time_to_update = 0", codeigniter.App{TimeToUpdate: codeigniter.NoRegeneration}, func(t *testing.T, cfg core.Config, _ core.Format) {
			require.Zero(t, cfg.TimeToUpdate)
		}},
		{"sess_regenerate_destroy", codeigniter.App{RegenerateDestroy: true}, func(t *testing.T, _ core.Config, f core.Format) {
			require.False(t, f.KeepOldOnRotation)
		}},
		{"cookie settings", codeigniter.App{CookieName: "my_app", CookieDomain: "example.com", CookiePath: "/app", CookieSecure: true, CookieSameSite: http.SameSiteStrictMode},
			func(t *testing.T, cfg core.Config, _ core.Format) {
				require.Equal(t, "my_app", cfg.CookieName)
				require.Equal(t, "example.com", cfg.CookieDomain)
				require.Equal(t, "/app", cfg.CookiePath)
				require.True(t, cfg.CookieSecure)
				require.Equal(t, http.SameSiteStrictMode, cfg.CookieSameSite)
			}},
		{"lock timeout", codeigniter.App{LockTimeout: 5 * time.Second}, func(t *testing.T, cfg core.Config, _ core.Format) {
			require.Equal(t, 5*time.Second, cfg.LockTimeout)
		}},
		{"CodeIgniter 3 with PHP's defaults", codeigniter.App{Version: 3}, func(t *testing.T, _ core.Config, f core.Format) {
			require.Equal(t, 40, f.IDLength)
			require.Equal(t, 4, f.IDBitsPerCharacter)
		}},
		{"CodeIgniter 3 with Debian's php.ini", codeigniter.App{Version: 3, SIDLength: 26, SIDBitsPerCharacter: 5}, func(t *testing.T, _ core.Config, f core.Format) {
			require.Equal(t, 32, f.IDLength)
			require.Equal(t, 5, f.IDBitsPerCharacter)
		}},
		{"CodeIgniter 4 forces 32 hex digits", codeigniter.App{Version: 4, SIDLength: 26, SIDBitsPerCharacter: 5}, func(t *testing.T, _ core.Config, f core.Format) {
			require.Equal(t, 32, f.IDLength)
			require.Equal(t, 4, f.IDBitsPerCharacter)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := c.app
			if app.Version == 0 {
				app.Version = 4
			}
			app.Handler = codeigniter.Files(dir)
			cfg, err := codeigniter.Config(app)
			require.NoError(t, err)
			f := cfg.Drivers[codeigniter.DriverName].(core.FormatDriver).Format()
			c.check(t, cfg, f)
			m, err := core.New(cfg)
			require.NoError(t, err)
			require.NoError(t, m.Close())
		})
	}
}

func TestSIDLength(t *testing.T) {
	cases := []struct{ length, bits, wantLength int }{
		{32, 4, 40}, // PHP's defaults: 128 bits, lengthened to 160
		{26, 5, 32}, // Debian's php.ini
		{40, 4, 40},
		{22, 6, 27},
		{48, 6, 48},
		{20, 4, 20}, // CodeIgniter's formula adds nothing when 160 is a multiple of the bits
	}
	for _, c := range cases {
		l, b := codeigniter.SIDLength(c.length, c.bits)
		require.Equal(t, c.wantLength, l, "SIDLength(%d, %d)", c.length, c.bits)
		require.Equal(t, c.bits, b)
	}
	// 80 bits is too few for the engine, whatever CodeIgniter 3 accepts.
	cfg, err := codeigniter.Config(codeigniter.App{Version: 3, Handler: codeigniter.Files(t.TempDir()), SIDLength: 20})
	require.NoError(t, err)
	_, err = core.New(cfg)
	require.ErrorIs(t, err, core.ErrInvalidConfig)
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	db := offlineDB(t, "mysql")
	cases := []struct {
		name string
		app  codeigniter.App
	}{
		{"no version", codeigniter.App{Handler: codeigniter.Files(dir)}},
		{"version 2", codeigniter.App{Version: 2, Handler: codeigniter.Files(dir)}},
		{"no handler", codeigniter.App{Version: 4}},
		{"cookie name", codeigniter.App{Version: 4, Handler: codeigniter.Files(dir), CookieName: "a;b"}},
		{"negative expiration", codeigniter.App{Version: 4, Handler: codeigniter.Files(dir), Expiration: -5 * time.Second}},
		{"sub-second expiration", codeigniter.App{Version: 4, Handler: codeigniter.Files(dir), Expiration: time.Millisecond}},
		{"negative time to update", codeigniter.App{Version: 4, Handler: codeigniter.Files(dir), TimeToUpdate: -time.Minute}},
		{"empty directory name", codeigniter.App{Version: 4, Handler: codeigniter.Files("")}},
		{"nil database", codeigniter.App{Version: 4, Handler: codeigniter.Database(nil, codeigniter.MySQL)}},
		{"unknown dialect", codeigniter.App{Version: 4, Handler: codeigniter.Database(db, codeigniter.Dialect(9))}},
		{"table name", codeigniter.App{Version: 4, Handler: codeigniter.Database(db, codeigniter.MySQL), Table: "ci_sessions; DROP TABLE x"}},
		{"table name with two dots", codeigniter.App{Version: 4, Handler: codeigniter.Database(db, codeigniter.MySQL), Table: "a.b.c"}},
		{"nil redis", codeigniter.App{Version: 4, Handler: codeigniter.Redis(nil)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := codeigniter.Config(c.app)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "codeigniter: "), "got %q", err)
		})
	}
}

func TestSchema(t *testing.T) {
	db := offlineDB(t, "mysql")
	cases := []struct {
		version int
		dialect codeigniter.Dialect
		matchIP bool
		want    []string
	}{
		{3, codeigniter.MySQL, false, []string{"`id` varchar(128) NOT NULL", "`ip_address` varchar(45) NOT NULL",
			"`timestamp` int(10) unsigned DEFAULT 0 NOT NULL", "`data` blob NOT NULL", "KEY `ci_sessions_timestamp` (`timestamp`)", "PRIMARY KEY (`id`)\n"}},
		{3, codeigniter.PostgreSQL, true, []string{`"id" varchar(128) NOT NULL`, `"ip_address" varchar(45) NOT NULL`,
			`"timestamp" bigint DEFAULT 0 NOT NULL`, `"data" text DEFAULT '' NOT NULL`, `PRIMARY KEY ("id", "ip_address")`,
			`CREATE INDEX IF NOT EXISTS "ci_sessions_timestamp" ON "ci_sessions" ("timestamp")`}},
		{4, codeigniter.MySQL, true, []string{"`id` varchar(128) NOT NULL", "`ip_address` varchar(45) NOT NULL",
			"`timestamp` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL", "`data` blob NOT NULL", "PRIMARY KEY (`id`, `ip_address`)"}},
		{4, codeigniter.PostgreSQL, false, []string{`"id" varchar(128) NOT NULL`, `"ip_address" inet NOT NULL`,
			`"timestamp" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL`, `"data" bytea DEFAULT '' NOT NULL`, `PRIMARY KEY ("id")`,
			`CREATE INDEX IF NOT EXISTS "ci_sessions_timestamp" ON "ci_sessions" ("timestamp")`}},
	}
	for _, c := range cases {
		t.Run(c.dialect.String(), func(t *testing.T) {
			stmts, err := codeigniter.Schema(codeigniter.App{Version: c.version, Handler: codeigniter.Database(db, c.dialect), MatchIP: c.matchIP})
			require.NoError(t, err)
			all := strings.Join(stmts, "\n")
			for _, w := range c.want {
				require.Contains(t, all, w)
			}
		})
	}
	_, err := codeigniter.Schema(codeigniter.App{Version: 4, Handler: codeigniter.Files(t.TempDir())})
	require.Error(t, err, "Schema of another handler")
}

// TestKeys checks where each layout puts a session, from CodeIgniter's
// handlers.
func TestKeys(t *testing.T) {
	const id = "0123456789abcdef0123456789abcdef"
	ipSum := md5.Sum([]byte("10.0.0.1"))
	ipHex := hex.EncodeToString(ipSum[:])
	dir := t.TempDir()
	rc := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}})
	t.Cleanup(func() { _ = rc.Close() })
	db := offlineDB(t, "pgx")
	open := func(app codeigniter.App) codeigniter.Store {
		st, err := codeigniter.NewStore(app)
		require.NoError(t, err)
		return st
	}

	files := open(codeigniter.App{Version: 4, Handler: codeigniter.Files(dir)}).(*codeigniter.FileStore)
	require.Equal(t, filepath.Join(dir, "ci_session"+id), files.Path(id))
	files = open(codeigniter.App{Version: 3, Handler: codeigniter.Files(dir), MatchIP: true}).ForIP("10.0.0.1").(*codeigniter.FileStore)
	require.Equal(t, filepath.Join(dir, "ci_session"+ipHex+id), files.Path(id), "CodeIgniter puts md5(ip) between the cookie name and the id")

	for _, c := range []struct {
		app  codeigniter.App
		ip   string
		want string
	}{
		{codeigniter.App{Version: 3}, "", "ci_session:" + id},
		{codeigniter.App{Version: 3, MatchIP: true}, "10.0.0.1", "ci_session:10.0.0.1:" + id},
		{codeigniter.App{Version: 4}, "", "ci_session:ci_session:" + id},
		{codeigniter.App{Version: 4, CookieName: "shop"}, "", "ci_session:shop:" + id},
		{codeigniter.App{Version: 4, MatchIP: true}, "::1", "ci_session:ci_session:::1:" + id},
		{codeigniter.App{Version: 4, KeyPrefix: "app:"}, "", "app:" + id},
		{codeigniter.App{Version: 4, MatchIP: true}, "not an ip", "ci_session:ci_session:0.0.0.0:" + id},
	} {
		c.app.Handler = codeigniter.Redis(rc)
		require.Equal(t, c.want, open(c.app).ForIP(c.ip).(*codeigniter.RedisStore).Key(id))
	}

	v3 := open(codeigniter.App{Version: 3, Handler: codeigniter.Database(db, codeigniter.PostgreSQL)}).(*codeigniter.DatabaseStore)
	require.Equal(t, id, v3.RowID(id))
	v4 := open(codeigniter.App{Version: 4, Handler: codeigniter.Database(db, codeigniter.PostgreSQL), CookieName: "shop"}).(*codeigniter.DatabaseStore)
	require.Equal(t, "shop:"+id, v4.RowID(id), "CodeIgniter 4 prefixes the cookie name and ':'")
	// GET_LOCK's name is md5(id), or md5(id + "_" + ip) with sess_match_ip.
	sum := md5.Sum([]byte(id))
	require.Equal(t, hex.EncodeToString(sum[:]), v4.LockName(id))
	ipLock := open(codeigniter.App{Version: 3, Handler: codeigniter.Database(db, codeigniter.MySQL), MatchIP: true}).ForIP("10.0.0.1").(*codeigniter.DatabaseStore)
	sum = md5.Sum([]byte(id + "_10.0.0.1"))
	require.Equal(t, hex.EncodeToString(sum[:]), ipLock.LockName(id))
}
