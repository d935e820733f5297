package bench

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/libtnb/sqlite"
	"gorm.io/gorm"
)

// sqliteDSN returns the DSN of a SQLite database in a file of tb's own,
// removed when tb ends: WAL mode and a busy timeout, as stores/gorm
// documents, and the parameters github.com/libtnb/sqlite adds to a DSN it
// opens itself.
func sqliteDSN(tb testing.TB) string {
	return filepath.Join(tb.TempDir(), "sessions.db") +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_texttotime=1&_inttotime=1&_time_format=sqlite"
}

// sqliteSQL returns a database/sql pool on dsn through modernc.org/sqlite
// (pure Go; libtnb/sqlite registers it as "sqlite"), its statements
// counted in st, closed when tb ends.
func sqliteSQL(tb testing.TB, dsn string, st *statements) *sql.DB {
	tb.Helper()
	db, err := st.open(sqlite.DriverName, dsn)
	if err != nil {
		tb.Fatalf("sqlite: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// sqliteGorm returns GORM on SQLite through github.com/libtnb/sqlite on
// dsn, its statements counted in st, closed when tb ends.
func sqliteGorm(tb testing.TB, dsn string, st *statements) *gorm.DB {
	tb.Helper()
	return openGorm(tb, sqlite.New(sqlite.Config{Conn: sqliteSQL(tb, dsn, st)}))
}
