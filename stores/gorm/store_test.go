package gormstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/libtnb/sqlite"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/testenv"
	gormstore "github.com/ignitego/session/stores/gorm"
)

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := newStore(t, b.open(t, ""))
			storetest.Run(t, func(*testing.T) core.Store { return st })
		})
	}
}

// TestOneConnection runs the kit on SQLite with a pool of one connection,
// the other documented way to share a SQLite database, here in memory.
func TestOneConnection(t *testing.T) {
	db, err := gorm.Open(sqlite.Open(":memory:"), &gorm.Config{})
	require.NoError(t, err)
	sqlDB, err := db.DB()
	require.NoError(t, err)
	sqlDB.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = sqlDB.Close() })
	st := newStore(t, db)
	storetest.Run(t, func(*testing.T) core.Store { return st })
}

func TestDefaultTable(t *testing.T) {
	db := backends[0].open(t, "")
	st, err := gormstore.New(db)
	require.NoError(t, err)
	require.Equal(t, "ci_sessions", st.Table())
	for _, table := range []string{"ci_sessions", "ci_sessions_locks"} {
		if !db.Migrator().HasTable(table) {
			t.Fatalf("tables after New: got no %s, want it created", table)
		}
	}
	require.True(t, hasIndex(t, db, "sqlite", "ci_sessions_expires_at"), "index on expires_at")
	// A second New on the existing tables works, and so does the first
	// store: New never closes db.
	_, err = gormstore.New(db)
	require.NoError(t, err)
	require.NoError(t, st.Save(ctx(t), "abc", []byte("x"), time.Time{}))
}

// TestCaseSensitiveIDs checks that ids differing only in case are distinct
// sessions on every backend (MySQL's default collations ignore case).
func TestCaseSensitiveIDs(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := newStore(t, b.open(t, ""))
			c := ctx(t)
			require.NoError(t, st.Save(c, "AbC", []byte("upper"), time.Time{}))
			require.NoError(t, st.Save(c, "abc", []byte("lower"), time.Time{}))
			got, found, err := st.Load(c, "AbC")
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, "upper", string(got))
			ok, err := st.Insert(c, "ABC", []byte("third"), time.Time{})
			require.NoError(t, err)
			require.True(t, ok, "Insert of an id taken only in another case")
		})
	}
}

// TestSwapToSameData covers a CompareAndSwap that changes nothing: MySQL
// counts no changed row, and the store must still report the swap.
func TestSwapToSameData(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := newStore(t, b.open(t, ""))
			c := ctx(t)
			id := storetest.NewID()
			exp := time.Now().Add(time.Hour)
			require.NoError(t, st.Save(c, id, []byte("same"), exp))
			ok, err := st.CompareAndSwap(c, id, []byte("same"), []byte("same"), exp)
			require.NoError(t, err)
			require.True(t, ok, "CompareAndSwap to the same data and expiry: got not swapped")
			ok, err = st.CompareAndSwap(c, id, []byte("other"), []byte("other"), exp)
			require.NoError(t, err)
			require.False(t, ok, "CompareAndSwap from stale data to itself: got swapped")
		})
	}
}

func TestNewErrors(t *testing.T) {
	sqliteDB := func(t *testing.T) *gorm.DB { return backends[0].open(t, "") }
	cases := []struct {
		name string
		db   func(t *testing.T) *gorm.DB
		opts []gormstore.Option
		msg  string
	}{
		{"nil db", func(*testing.T) *gorm.DB { return nil }, nil, "db is nil"},
		{"empty table name", sqliteDB, []gormstore.Option{gormstore.WithTable("")}, "table name"},
		{"table name with a quote", sqliteDB, []gormstore.Option{gormstore.WithTable(`x"; DROP TABLE y; --`)}, "table name"},
		{"table name starting with a digit", sqliteDB, []gormstore.Option{gormstore.WithTable("1x")}, "table name"},
		{"table name too long", sqliteDB, []gormstore.Option{gormstore.WithTable(strings.Repeat("t", 53))}, "table name"},
		{"zero lock poll", sqliteDB, []gormstore.Option{gormstore.WithLockPoll(0)}, "lock poll"},
		{"unsupported dialect", func(t *testing.T) *gorm.DB {
			db, err := gorm.Open(otherDialect{backends[0].dialector(t.TempDir())})
			require.NoError(t, err)
			return db
		}, nil, `dialect "sqlserver"`},
		{"a CodeIgniter table of the same name", func(t *testing.T) *gorm.DB {
			db := sqliteDB(t)
			require.NoError(t, db.Exec(`CREATE TABLE ci_sessions (id VARCHAR(128) NOT NULL, ip_address VARCHAR(45) NOT NULL,
				timestamp INT NOT NULL, data BLOB NOT NULL)`).Error)
			return db
		}, nil, "without the columns id, data, expires_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := gormstore.New(c.db(t), c.opts...)
			if err == nil || st != nil {
				t.Fatalf("New: got %v, %v; want nil and an error", st, err)
			}
			if !strings.HasPrefix(err.Error(), "gormstore: ") || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("New: got %q, want an error starting gormstore: and mentioning %q", err, c.msg)
			}
		})
	}
}

// TestLongestTableName creates the tables and index of the longest name
// WithTable accepts on every backend: all identifiers must fit.
func TestLongestTableName(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t, "")
			name := strings.Repeat("t", 40) + testenv.Name("")[1:] // 52 bytes, unique
			require.Len(t, name, 52)
			t.Cleanup(func() { dropTables(t, db, name) })
			st, err := gormstore.New(db, gormstore.WithTable(name), nil)
			require.NoError(t, err)
			require.NoError(t, st.Save(ctx(t), "abc", []byte("x"), time.Time{}))
			require.True(t, hasIndex(t, db, b.name, name+"_expires_at"), "index on expires_at")
		})
	}
}

// TestMySQLFoundRows checks that New refuses a MySQL connection that
// reports rows matched instead of rows changed.
func TestMySQLFoundRows(t *testing.T) {
	srv := testenv.MySQL(t)
	db := backends[2].openDSN(t, withParam(srv.DSN, "clientFoundRows=true"))
	table := testenv.Name("ci_sessions")
	t.Cleanup(func() { dropTables(t, db, table) })
	_, err := gormstore.New(db, gormstore.WithTable(table))
	if err == nil || !strings.Contains(err.Error(), "clientFoundRows") {
		t.Fatalf("New on a clientFoundRows connection: got %v, want an error naming clientFoundRows", err)
	}
	var n int64
	require.NoError(t, db.Table(table+"_locks").Count(&n).Error)
	require.Zero(t, n, "rows the probe left behind")
}

// otherDialect is a dialect the store does not speak.
type otherDialect struct{ gorm.Dialector }

func (otherDialect) Name() string { return "sqlserver" }

// hasIndex reports whether the database has an index of that name.
func hasIndex(t *testing.T, db *gorm.DB, backend, index string) bool {
	t.Helper()
	q := map[string]string{
		"sqlite":   "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
		"postgres": "SELECT count(*) FROM pg_indexes WHERE indexname = ?",
		"mariadb":  "SELECT count(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ?",
	}[backend]
	var n int
	require.NoError(t, db.Raw(q, index).Scan(&n).Error)
	return n > 0
}
