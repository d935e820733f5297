package gormstore_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ignitego/session/internal/testkit/testenv"
	gormstore "github.com/ignitego/session/stores/gorm"
)

func init() {
	// The outage tests break connections on purpose; the driver would log
	// each one.
	_ = mysqldriver.SetLogger(log.New(io.Discard, "", 0))
}

// backend is a database the store runs on in the tests.
type backend struct {
	name string
	// server returns the real server, skipping or failing the test as
	// testenv does; nil for SQLite, which needs none.
	server func(t testing.TB) testenv.Server
	// dialector opens dsn; for SQLite dsn is a directory for the file.
	dialector func(dsn string) gorm.Dialector
}

var backends = []backend{
	{"sqlite", nil, func(dir string) gorm.Dialector {
		return sqlite.Open(filepath.Join(dir, "sessions.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	}},
	{"postgres", testenv.Postgres, postgres.Open},
	{"mariadb", testenv.MySQL, mysql.Open},
}

// networked are the backends behind a real server.
func networked() []backend { return backends[1:] }

// open connects to b: directly, or through the proxy at via when not "".
// The connection is closed when the test ends (the store never closes it).
func (b backend) open(t testing.TB, via string) *gorm.DB {
	t.Helper()
	var dsn string
	if b.server == nil {
		dsn = t.TempDir()
	} else {
		srv := b.server(t)
		dsn = srv.DSN
		if via != "" {
			dsn = srv.Via(via)
		}
	}
	return b.openDSN(t, dsn)
}

func (b backend) openDSN(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(b.dialector(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("open %s: %v", b.name, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("open %s: %v", b.name, err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// newStore returns a store on its own table of db, dropped when the test
// ends.
func newStore(t testing.TB, db *gorm.DB, opts ...gormstore.Option) *gormstore.Store {
	t.Helper()
	table := testenv.Name("ci_sessions")
	st, err := gormstore.New(db, append([]gormstore.Option{gormstore.WithTable(table)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { dropTables(t, db, table) })
	return st
}

func dropTables(t testing.TB, db *gorm.DB, table string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range []string{table, table + "_locks"} {
		if err := db.WithContext(ctx).Migrator().DropTable(name); err != nil {
			t.Errorf("drop table %s: %v", name, err)
		}
	}
}

// count returns how many rows of table hold id, expired or not.
func count(t testing.TB, db *gorm.DB, table, id string) int {
	t.Helper()
	var n int64
	if err := db.Table(table).Where("id = ?", id).Count(&n).Error; err != nil {
		t.Fatalf("count: %v", err)
	}
	return int(n)
}

// withParam adds a parameter to a MySQL DSN.
func withParam(dsn, param string) string {
	if strings.Contains(dsn, "?") {
		return dsn + "&" + param
	}
	return fmt.Sprintf("%s?%s", dsn, param)
}
