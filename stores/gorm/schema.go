package gormstore

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"gorm.io/gorm"
)

// The dialects the store speaks, by gorm.Dialector.Name.
const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
	dialectMySQL    = "mysql" // MySQL and MariaDB
)

// queries are the store's statements for one dialect and table.
type queries struct {
	load, save, del, insert, cas, confirm, collect string
	lock, renew, holds, unlock, collectLocks       string
}

// newQueries writes the statements for dialect on table t and lock table l.
func newQueries(dialect, t, l string) queries {
	q := quoter(dialect)
	T, L := q(t), q(l)
	const live = "(expires_at = 0 OR expires_at > ?)"
	qs := queries{
		load:    "SELECT data FROM " + T + " WHERE id = ? AND " + live,
		del:     "DELETE FROM " + T + " WHERE id = ?",
		cas:     "UPDATE " + T + " SET data = ?, expires_at = ? WHERE id = ? AND data = ? AND " + live,
		confirm: "SELECT 1 FROM " + T + " WHERE id = ? AND data = ? AND expires_at = ? AND " + live,
		renew:   "UPDATE " + L + " SET expires_at = ? WHERE id = ? AND token = ?",
		holds:   "SELECT 1 FROM " + L + " WHERE id = ? AND token = ?",
		unlock:  "DELETE FROM " + L + " WHERE id = ? AND token = ?",
	}
	insertRow := "INSERT INTO " + T + " (id, data, expires_at) VALUES (?, ?, ?) "
	insertLock := "INSERT INTO " + L + " (id, token, expires_at) VALUES (?, ?, ?) "
	if dialect == dialectMySQL {
		// MySQL assigns left to right, and a later IF sees the columns an
		// earlier one changed: expires_at, which the conditions read, goes
		// last.
		const expired = "expires_at > 0 AND expires_at <= ?"
		qs.save = insertRow + "ON DUPLICATE KEY UPDATE data = VALUES(data), expires_at = VALUES(expires_at)"
		qs.insert = insertRow + "ON DUPLICATE KEY UPDATE data = IF(" + expired + ", VALUES(data), data), " +
			"expires_at = IF(" + expired + ", VALUES(expires_at), expires_at)"
		qs.collect = "DELETE FROM " + T + " WHERE " + expired + " LIMIT ?"
		qs.lock = insertLock + "ON DUPLICATE KEY UPDATE token = IF(expires_at <= ?, VALUES(token), token), " +
			"expires_at = IF(expires_at <= ?, VALUES(expires_at), expires_at)"
		qs.collectLocks = "DELETE FROM " + L + " WHERE expires_at <= ? LIMIT ?"
		return qs
	}
	// SQLite and PostgreSQL. Collect repeats the expiry test outside the
	// subquery, so that a row saved anew meanwhile is rechecked and kept.
	expired := func(tab string) string { return tab + ".expires_at > 0 AND " + tab + ".expires_at <= ?" }
	qs.save = insertRow + "ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at"
	qs.insert = qs.save + " WHERE " + expired(T)
	qs.collect = "DELETE FROM " + T + " WHERE " + expired(T) + " AND id IN (SELECT id FROM " + T + " WHERE " + expired(T) + " LIMIT ?)"
	qs.lock = insertLock + "ON CONFLICT (id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at WHERE " + L + ".expires_at <= ?"
	qs.collectLocks = "DELETE FROM " + L + " WHERE " + L + ".expires_at <= ? AND id IN (SELECT id FROM " + L + " WHERE " + L + ".expires_at <= ? LIMIT ?)"
	return qs
}

// quoter returns the identifier quoting of dialect. Names are validated
// (see WithTable), so they need no escaping.
func quoter(dialect string) func(string) string {
	if dialect == dialectMySQL {
		return func(s string) string { return "`" + s + "`" }
	}
	return func(s string) string { return `"` + s + `"` }
}

// ddl returns the statements that create the tables if missing, and then
// those that create the expiry index if missing (MySQL has no CREATE INDEX
// IF NOT EXISTS, so there it is part of the table).
func ddl(dialect, t, l string) (tables, indexes []string) {
	q := quoter(dialect)
	T, L := q(t), q(l)
	switch dialect {
	case dialectMySQL:
		return []string{
			"CREATE TABLE IF NOT EXISTS " + T + " (id VARBINARY(256) NOT NULL PRIMARY KEY, data LONGBLOB NOT NULL, " +
				"expires_at BIGINT NOT NULL, INDEX " + q(t+"_expires_at") + " (expires_at))",
			"CREATE TABLE IF NOT EXISTS " + L + " (id VARBINARY(256) NOT NULL PRIMARY KEY, token VARCHAR(64) NOT NULL, " +
				"expires_at BIGINT NOT NULL)",
		}, nil
	case dialectPostgres:
		return []string{
				"CREATE TABLE IF NOT EXISTS " + T + " (id VARCHAR(256) NOT NULL PRIMARY KEY, data BYTEA NOT NULL, expires_at BIGINT NOT NULL)",
				"CREATE TABLE IF NOT EXISTS " + L + " (id VARCHAR(256) NOT NULL PRIMARY KEY, token VARCHAR(64) NOT NULL, expires_at BIGINT NOT NULL)",
			}, []string{
				"CREATE INDEX IF NOT EXISTS " + q(t+"_expires_at") + " ON " + T + " (expires_at)",
			}
	default: // SQLite
		return []string{
				"CREATE TABLE IF NOT EXISTS " + T + " (id VARCHAR(256) NOT NULL PRIMARY KEY, data BLOB NOT NULL, expires_at BIGINT NOT NULL)",
				"CREATE TABLE IF NOT EXISTS " + L + " (id VARCHAR(256) NOT NULL PRIMARY KEY, token VARCHAR(64) NOT NULL, expires_at BIGINT NOT NULL)",
			}, []string{
				"CREATE INDEX IF NOT EXISTS " + q(t+"_expires_at") + " ON " + T + " (expires_at)",
			}
	}
}

// migrate creates the tables if missing, checks that they have the
// store's columns (a table of that name may predate the store), and
// creates the index if missing.
func migrate(db *gorm.DB, dialect, t, l string) error {
	tables, indexes := ddl(dialect, t, l)
	for _, stmt := range tables {
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("gormstore: create table: %w", err)
		}
	}
	q := quoter(dialect)
	for _, c := range []struct{ table, cols string }{{t, "id, data, expires_at"}, {l, "id, token, expires_at"}} {
		if err := db.Exec("SELECT " + c.cols + " FROM " + q(c.table) + " WHERE 1 = 0").Error; err != nil {
			return fmt.Errorf("gormstore: table %s exists without the columns %s; it belongs to something else "+
				"(CodeIgniter's own session table?): name the store's table with WithTable: %w", c.table, c.cols, err)
		}
	}
	for _, stmt := range indexes {
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("gormstore: create index: %w", err)
		}
	}
	return nil
}

// checkAffectedRows makes sure that MySQL reports rows changed, not rows
// matched (the clientFoundRows DSN parameter), as Insert and Lock rely on:
// it updates a probe row of the lock table to the values it has.
func checkAffectedRows(db *gorm.DB, l string) error {
	q := quoter(dialectMySQL)
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := "~probe-" + hex.EncodeToString(b[:]) // '~' is in no session id
	if err := db.Exec("INSERT INTO "+q(l)+" (id, token, expires_at) VALUES (?, 'probe', 1)", id).Error; err != nil {
		return fmt.Errorf("gormstore: probe the connection: %w", err)
	}
	res := db.Exec("UPDATE "+q(l)+" SET token = token WHERE id = ?", id)
	del := db.Exec("DELETE FROM "+q(l)+" WHERE id = ?", id)
	switch {
	case res.Error != nil:
		return fmt.Errorf("gormstore: probe the connection: %w", res.Error)
	case del.Error != nil:
		return fmt.Errorf("gormstore: probe the connection: %w", del.Error)
	case res.RowsAffected != 0:
		return fmt.Errorf("gormstore: the MySQL connection reports rows matched instead of rows changed (clientFoundRows=true in the DSN); the store needs the default")
	}
	return nil
}
