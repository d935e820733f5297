package bench

import (
	"context"
	"testing"

	"github.com/alexedwards/scs/mysqlstore"
	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/sqlite3store"
	gincgorm "github.com/gin-contrib/sessions/gorm"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ignitego/session/core"
	gormstore "github.com/ignitego/session/stores/gorm"
)

// The stores measured in Gin only, ours next to the peers on the same
// server: SQL through GORM on PostgreSQL, MariaDB and SQLite, and files
// (see files.go). Each case has a schema, database or file of its own.
var ginStores = []oursStore{
	{
		name:    "postgres",
		perCall: 1,
		config: func(tb testing.TB) (core.Config, *meter) {
			rt := new(roundTrips)
			db := postgresGorm(tb, postgresCounted(postgresSchema(tb), rt))
			return nativeConfig(newGormStore(tb, db)), rt.meter()
		},
	},
	{
		// go-sql-driver/mysql prepares a statement with arguments on the
		// server, a round trip of its own, unless the DSN says
		// interpolateParams=true.
		name:    "mariadb",
		perCall: 2,
		config: func(tb testing.TB) (core.Config, *meter) {
			rt := new(roundTrips)
			db := mariadbGorm(tb, mariadbDatabase(tb), rt)
			return nativeConfig(newGormStore(tb, db)), rt.meter()
		},
	},
	{
		name:    "sqlite",
		perCall: 1,
		config: func(tb testing.TB) (core.Config, *meter) {
			st := new(statements)
			db := sqliteGorm(tb, sqliteDSN(tb), st)
			return nativeConfig(newGormStore(tb, db)), st.meter()
		},
	},
}

// The tables scs's stores expect, as their READMEs give them.
const (
	scsPostgresTable = `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL)`
	scsPostgresIndex = `CREATE INDEX sessions_expiry_idx ON sessions (expiry)`
	scsMariaDBTable  = `CREATE TABLE sessions (token CHAR(43) PRIMARY KEY, data BLOB NOT NULL, expiry TIMESTAMP(6) NOT NULL)`
	scsMariaDBIndex  = `CREATE INDEX sessions_expiry_idx ON sessions (expiry)`
	scsSQLiteTable   = `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL)`
	scsSQLiteIndex   = `CREATE INDEX sessions_expiry_idx ON sessions (expiry)`
)

// filePeers are the peers on files (see files.go).
var filePeers []mount

// storePeers are the peers on the stores of ginStores: scs's SQL stores
// (none cleaning up in the background) and gin-contrib/sessions' GORM
// store (wader/gormstore, no periodic cleanup), on the same servers
// through the same drivers.
func storePeers() []mount {
	return append([]mount{
		{library: "scs", store: "postgres", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			pool := postgresPool(tb, postgresCounted(postgresSchema(tb), rt))
			for _, stmt := range []string{scsPostgresTable, scsPostgresIndex} {
				if _, err := pool.Exec(context.Background(), stmt); err != nil {
					tb.Fatalf("scs table: %v", err)
				}
			}
			return ginSCS("postgres", pgxstore.NewWithCleanupInterval(pool, 0), rt.meter())
		}},
		{library: "scs", store: "mariadb", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			db := mariadbSQL(tb, mariadbDatabase(tb), rt)
			for _, stmt := range []string{scsMariaDBTable, scsMariaDBIndex} {
				if _, err := db.Exec(stmt); err != nil {
					tb.Fatalf("scs table: %v", err)
				}
			}
			return ginSCS("mariadb", mysqlstore.NewWithCleanupInterval(db, 0), rt.meter())
		}},
		{library: "scs", store: "sqlite", build: func(tb testing.TB) *Case {
			st := new(statements)
			db := sqliteSQL(tb, sqliteDSN(tb), st)
			for _, stmt := range []string{scsSQLiteTable, scsSQLiteIndex} {
				if _, err := db.Exec(stmt); err != nil {
					tb.Fatalf("scs table: %v", err)
				}
			}
			return ginSCS("sqlite", sqlite3store.NewWithConfig(db, sqlite3store.Config{}), st.meter())
		}},
		{library: "gin-contrib", store: "postgres", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			db := postgresGorm(tb, postgresCounted(postgresSchema(tb), rt))
			return ginContrib(tb, "postgres", gincgorm.NewStore(db, false, encryptionKey), rt.meter())
		}},
		{library: "gin-contrib", store: "mariadb", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			db := mariadbGorm(tb, mariadbDatabase(tb), rt)
			return ginContrib(tb, "mariadb", gincgorm.NewStore(db, false, encryptionKey), rt.meter())
		}},
		{library: "gin-contrib", store: "sqlite", build: func(tb testing.TB) *Case {
			st := new(statements)
			db := sqliteGorm(tb, sqliteDSN(tb), st)
			return ginContrib(tb, "sqlite", gincgorm.NewStore(db, false, encryptionKey), st.meter())
		}},
	}, filePeers...)
}

// newGormStore returns ours' GORM store on db, in its default table.
func newGormStore(tb testing.TB, db *gorm.DB) *gormstore.Store {
	tb.Helper()
	st, err := gormstore.New(db)
	if err != nil {
		tb.Fatalf("gormstore: %v", err)
	}
	return st
}

// openGorm opens GORM on d with its defaults and no logging.
func openGorm(tb testing.TB, d gorm.Dialector) *gorm.DB {
	tb.Helper()
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		tb.Fatalf("gorm: %v", err)
	}
	return db
}
