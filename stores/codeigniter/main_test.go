package codeigniter_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/internal/testkit/testenv"
	"github.com/ignitego/session/stores/codeigniter"
)

// TestMain lists the tests that skipped for want of a server or of PHP.
func TestMain(m *testing.M) {
	// The outage tests break connections on purpose; the driver would log
	// each one.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	os.Exit(testenv.Main(m))
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// backend is a storage layout of CodeIgniter, on a real server where it
// needs one.
type backend struct {
	name string
	// open returns an App whose Handler is this backend, with a save path,
	// table or key prefix of the test's own (cleaned up when it ends), and
	// the settings the PHP side needs to reach the same storage. via, when
	// not "", is the address (a fault proxy) the Go side connects through.
	open func(t testing.TB, version int, via string, tweak func(*codeigniter.App)) *fixture
}

// fixture is one test's storage.
type fixture struct {
	app codeigniter.App
	php map[string]any // the PHP side's handler settings

	dir     string                // files
	db      *sql.DB               // databases: a connection no proxy cuts
	dialect codeigniter.Dialect   // databases
	redis   redis.UniversalClient // redis: a client no proxy cuts
}

// backends are the layouts a CodeIgniter application shares with the Go
// side: the tests that run PHP loop over them (see goBackends for the
// Go-only tests).
var backends = []backend{
	{"files", openFiles},
	{"mariadb", openMySQL},
	{"postgres", openPostgres},
	{"redis", openRedis},
	{"redis-sentinel", openRedisSentinel},
}

// backendFor returns the backend called name.
func backendFor(name string) backend {
	for _, b := range backends {
		if b.name == name {
			return b
		}
	}
	panic("no backend " + name)
}

// baseApp is the App of a test: its version, a cookie name of its own
// (which also keeps CodeIgniter 4's ids and keys apart from other tests').
func baseApp(version int, h codeigniter.Handler, tweak func(*codeigniter.App)) codeigniter.App {
	app := codeigniter.App{Version: version, Handler: h, CookieName: testenv.Name("ci_session")}
	if tweak != nil {
		tweak(&app)
	}
	return app
}

func openFiles(t testing.TB, version int, _ string, tweak func(*codeigniter.App)) *fixture {
	dir := t.TempDir()
	return &fixture{app: baseApp(version, codeigniter.Files(dir), tweak), php: map[string]any{"handler": "files", "save_path": dir}, dir: dir}
}

// openDB opens a database/sql connection pool, closed when the test ends
// (the store never closes it).
func openDB(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	db.SetMaxOpenConns(8)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// withTable creates the App's table with CreateTable, and drops it when
// the test ends, through admin (a connection that no proxy cuts).
func withTable(t testing.TB, app codeigniter.App, admin *sql.DB, d codeigniter.Dialect) {
	t.Helper()
	adminApp := app
	adminApp.Handler = codeigniter.Database(admin, d)
	if err := codeigniter.CreateTable(ctx(t), adminApp); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP TABLE " + app.Table); err != nil {
			t.Errorf("drop %s: %v", app.Table, err)
		}
	})
}

func openMySQL(t testing.TB, version int, via string, tweak func(*codeigniter.App)) *fixture {
	srv := testenv.MySQL(t)
	admin := openDB(t, "mysql", srv.DSN)
	db := admin
	if via != "" {
		db = openDB(t, "mysql", srv.Via(via))
	}
	app := baseApp(version, codeigniter.Database(db, codeigniter.MySQL), func(a *codeigniter.App) {
		a.Table = testenv.Name("ci_sessions")
		if tweak != nil {
			tweak(a)
		}
	})
	withTable(t, app, admin, codeigniter.MySQL)
	cfg, err := mysql.ParseDSN(srv.DSN)
	if err != nil {
		t.Fatalf("%s: %v", testenv.MySQLVar, err)
	}
	host, port, _ := net.SplitHostPort(srv.Addr)
	return &fixture{app: app, db: admin, dialect: codeigniter.MySQL, php: map[string]any{"handler": "mysql", "save_path": app.Table, "mysql": map[string]any{
		"host": host, "port": port, "user": cfg.User, "password": cfg.Passwd, "database": cfg.DBName,
	}}}
}

func openPostgres(t testing.TB, version int, via string, tweak func(*codeigniter.App)) *fixture {
	srv := testenv.Postgres(t)
	admin := openDB(t, "pgx", srv.DSN)
	db := admin
	if via != "" {
		db = openDB(t, "pgx", srv.Via(via))
	}
	app := baseApp(version, codeigniter.Database(db, codeigniter.PostgreSQL), func(a *codeigniter.App) {
		a.Table = testenv.Name("ci_sessions")
		if tweak != nil {
			tweak(a)
		}
	})
	withTable(t, app, admin, codeigniter.PostgreSQL)
	return &fixture{app: app, db: admin, dialect: codeigniter.PostgreSQL, php: map[string]any{"handler": "postgres", "save_path": app.Table, "postgres": map[string]any{"conninfo": srv.DSN}}}
}

func openRedis(t testing.TB, version int, via string, tweak func(*codeigniter.App)) *fixture {
	srv := testenv.Redis(t)
	admin := newRedis(t, srv.Addr)
	client := admin
	if via != "" {
		client = newRedis(t, via)
	}
	return redisFixture(t, version, client, admin, srv.Addr, tweak)
}

// redisFixture is a fixture on the Redis that client reaches, cleaned up
// through admin; phpAddr is the server the PHP side connects to.
func redisFixture(t testing.TB, version int, client, admin redis.UniversalClient, phpAddr string, tweak func(*codeigniter.App)) *fixture {
	app := baseApp(version, codeigniter.Redis(client), tweak)
	if version == 3 {
		// CodeIgniter 3's default prefix, ci_session:, is shared by every
		// application on the server: the test uses one of its own, as
		// sess_save_path's prefix= parameter sets it.
		app.KeyPrefix = testenv.Name("ci_session") + ":"
	}
	prefix := app.KeyPrefix
	if prefix == "" {
		prefix = "ci_session:" + app.CookieName + ":"
	}
	t.Cleanup(func() {
		if err := deleteKeys(admin, prefix); err != nil {
			t.Errorf("clean up: %v", err)
		}
	})
	host, port, _ := net.SplitHostPort(phpAddr)
	return &fixture{app: app, redis: admin, php: map[string]any{"handler": "redis", "redis": map[string]any{"host": host, "port": port, "prefix": prefix}}}
}

// newRedis connects to addr; the client is closed when the test ends.
func newRedis(t testing.TB, addr string) redis.UniversalClient {
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// deleteKeys deletes every key that starts with prefix: on each master of
// a cluster, one key per command (keys of different slots cannot share
// one).
func deleteKeys(c redis.UniversalClient, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if cc, ok := c.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return deleteOn(ctx, node, prefix)
		})
	}
	return deleteOn(ctx, c, prefix)
}

func deleteOn(ctx context.Context, c redis.UniversalClient, prefix string) error {
	iter := c.Scan(ctx, 0, escapeGlob(prefix)+"*", 500).Iterator()
	pipe := c.Pipeline()
	for iter.Next(ctx) {
		pipe.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if pipe.Len() == 0 {
		return nil
	}
	_, err := pipe.Exec(ctx)
	return err
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// mustStore opens app's Store.
func mustStore(t testing.TB, app codeigniter.App) codeigniter.Store {
	t.Helper()
	st, err := codeigniter.NewStore(app)
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	return st
}

func name(version int, b string) string { return fmt.Sprintf("ci%d/%s", version, b) }
