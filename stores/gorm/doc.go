// Package gormstore keeps sessions in a SQL table through GORM: SQLite,
// PostgreSQL, and MySQL or MariaDB.
//
//	db, err := gorm.Open(postgres.Open(dsn))
//	if err != nil { ... }
//	st, err := gormstore.New(db) // creates the table ci_sessions if missing
//	if err != nil { ... }
//	cfg := core.DefaultConfig()
//	cfg.Driver, cfg.Store = core.DriverNative, st
//
// # Tables
//
// New creates, if they are missing, the session table (ci_sessions, see
// WithTable) and its lock table (the same name with "_locks"):
//
//	ci_sessions        id (PRIMARY KEY), data (bytes), expires_at (Unix ms, 0: never; indexed)
//	ci_sessions_locks  id (PRIMARY KEY), token, expires_at (Unix ms)
//
// The id column compares bytes exactly (VARBINARY on MySQL and MariaDB,
// whose default collations ignore case), and data holds up to 4 GiB
// (LONGBLOB, BYTEA, BLOB), less whatever the server's packet limit allows
// (MySQL's max_allowed_packet). The default name is also that of
// CodeIgniter's own session table, whose columns differ: New refuses an
// existing table without these columns rather than share it.
//
// # Statements
//
// Every operation is one statement, so each is atomic on its own and none
// holds a transaction open: Load is a SELECT that skips expired rows; Save
// an upsert (INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL,
// INSERT … ON DUPLICATE KEY UPDATE on MySQL and MariaDB); Insert the same
// upsert that updates only an expired row; CompareAndSwap an UPDATE whose
// WHERE compares the whole stored data; Collect a DELETE of a bounded batch
// of expired rows. Lock inserts a row in the lock table, or takes over one
// whose holder's ttl has passed, and polls with backoff while another
// holder has it; unlock deletes the row if it still carries its token.
//
// On MySQL and MariaDB the store reads affected-row counts, which the
// clientFoundRows=true DSN parameter changes: New checks this and refuses
// such a connection. Without interpolateParams=true, go-sql-driver/mysql
// prepares every statement with arguments on the server, a round trip of
// its own before each execution.
//
// The store's statements are not logged through db's logger (they carry
// session ids, which are credentials, and session data); their errors are
// returned, wrapped.
//
// # SQLite
//
// SQLite allows one writer at a time. With a pool of connections (the
// database/sql default), give it a busy timeout so that concurrent writers
// wait instead of failing with SQLITE_BUSY, and WAL mode so that readers do
// not wait for writers; with github.com/libtnb/sqlite (pure Go, no cgo):
//
//	gorm.Open(sqlite.Open("sessions.db?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"))
//
// Alternatively, limit the pool to one connection (SetMaxOpenConns(1) on
// db.DB()), which also makes ":memory:" work: every connection to
// ":memory:" opens a database of its own.
//
// # Abilities
//
// Store has every optional ability: core.Swapper, core.Locker and
// core.Collector. It never closes db.
package gormstore
