package codeigniter

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/backoff"
	"github.com/ignitego/session/internal/storeid"
)

// Store is a CodeIgniter application's session storage, with the Store,
// Swapper and Locker abilities of core: session payloads stored where and
// as CodeIgniter's handler stores them, and locked as it locks them, so
// that a request in Go and one in PHP never hold a session at once.
//
// A Store keeps the core.Store contract, with the limits of CodeIgniter's
// own layout noted on each implementation (*FileStore, *DatabaseStore,
// *RedisStore). Ids are checked with core.ValidID before any file name,
// key or statement is built.
type Store interface {
	core.Store
	core.Swapper
	core.Locker

	// ForIP returns the store as seen by a request from the client IP ip.
	// With App.MatchIP a session is stored under its id and that IP, as
	// CodeIgniter stores it, so another IP does not see it; without, the IP
	// is only written in the ip_address column of new database rows. An ip
	// that is not an IP address counts as "0.0.0.0", as CodeIgniter 4
	// counts it. The Store itself is ForIP("").
	ForIP(ip string) Store
}

// Handler is where a CodeIgniter application keeps its sessions: Files,
// Database or Redis.
type Handler interface {
	open(app App) (Store, error)
}

// Files is CodeIgniter's files handler: a session file per session in dir
// (sess_save_path; $savePath), which is created with mode 0700 if it is
// missing. It needs a Unix system: the lock is PHP's flock(2).
func Files(dir string) Handler { return filesHandler{dir: dir} }

// Dialect is the SQL database behind the Database handler.
type Dialect int

// The databases CodeIgniter's database handler supports (it locks sessions
// only on these two).
const (
	MySQL      Dialect = iota + 1 // MySQL and MariaDB (CodeIgniter's mysqli driver)
	PostgreSQL                    // PostgreSQL (CodeIgniter's postgre driver)
)

// String returns the database's name.
func (d Dialect) String() string {
	switch d {
	case MySQL:
		return "MySQL"
	case PostgreSQL:
		return "PostgreSQL"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Database is CodeIgniter's database handler on db, a MySQL or MariaDB
// (github.com/go-sql-driver/mysql) or a PostgreSQL
// (github.com/jackc/pgx/v5/stdlib) database: App.Table in the layout of
// App.Version. With GORM, pass gormDB.DB(). The store never closes db.
func Database(db *sql.DB, d Dialect) Handler { return dbHandler{db: db, dialect: d} }

// Redis is CodeIgniter's Redis handler on client. The store never closes
// client.
func Redis(client redis.UniversalClient) Handler { return redisHandler{client: client} }

// NewStore returns app's session storage.
func NewStore(app App) (Store, error) {
	a, err := app.withDefaults()
	if err != nil {
		return nil, err
	}
	return a.Handler.open(a)
}

// clientIP returns ip as CodeIgniter writes a client IP: as it is when it
// is an IP address (without an IPv6 zone), else "0.0.0.0".
func clientIP(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "0.0.0.0"
	}
	if a.Zone() != "" {
		return a.WithZone("").String()
	}
	return ip
}

// check refuses a done context and, for writes, a malformed id.
func check(ctx context.Context, op, id string) error {
	return storeid.Check(ctx, "codeigniter", op, id)
}

// fail wraps err for op, with the context's error when the context ended.
func fail(ctx context.Context, op string, err error) error {
	return storeid.Fail(ctx, "codeigniter", op, err)
}

// shortID keeps ids out of error strings.
func shortID(id string) string { return storeid.Short(id) }

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error { return backoff.Sleep(ctx, d) }
