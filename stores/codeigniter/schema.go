package codeigniter

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Schema returns the statements that create app's session table as
// CodeIgniter's user guide defines it for app.Version and the Database
// handler's dialect: its columns and types, the index on timestamp, and the
// primary key the guide adds for app.MatchIP, declared in the CREATE TABLE
// so that the statements can run again (IF NOT EXISTS). CodeIgniter 3.1:
//
//	MySQL:      id varchar(128), ip_address varchar(45), timestamp int(10) unsigned DEFAULT 0, data blob
//	PostgreSQL: id varchar(128), ip_address varchar(45), timestamp bigint DEFAULT 0, data text DEFAULT ''
//
// CodeIgniter 4:
//
//	MySQL:      id varchar(128), ip_address varchar(45), timestamp timestamp DEFAULT CURRENT_TIMESTAMP, data blob
//	PostgreSQL: id varchar(128), ip_address inet, timestamp timestamptz DEFAULT CURRENT_TIMESTAMP, data bytea DEFAULT ''
//
// every column NOT NULL, and the index named after the table with
// "_timestamp" (ci_sessions_timestamp, as in the guide).
func Schema(app App) ([]string, error) {
	a, err := app.withDefaults()
	if err != nil {
		return nil, err
	}
	h, ok := a.Handler.(dbHandler)
	if !ok {
		return nil, errors.New("codeigniter: Schema: the Handler is not Database")
	}
	d := h.dialect
	table, err := quoteTable(d, a.Table)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(a.Table, ".")
	index := quoteIdent(d, parts[len(parts)-1]+"_timestamp")
	q := func(name string) string { return quoteIdent(d, name) }
	key := q("id")
	if a.MatchIP {
		key += ", " + q("ip_address")
	}
	switch {
	case d == MySQL && a.Version == 3:
		return []string{"CREATE TABLE IF NOT EXISTS " + table + " (\n" +
			"\t`id` varchar(128) NOT NULL,\n" +
			"\t`ip_address` varchar(45) NOT NULL,\n" +
			"\t`timestamp` int(10) unsigned DEFAULT 0 NOT NULL,\n" +
			"\t`data` blob NOT NULL,\n" +
			"\tKEY " + index + " (`timestamp`),\n" +
			"\tPRIMARY KEY (" + key + ")\n)"}, nil
	case d == MySQL:
		return []string{"CREATE TABLE IF NOT EXISTS " + table + " (\n" +
			"\t`id` varchar(128) NOT NULL,\n" +
			"\t`ip_address` varchar(45) NOT NULL,\n" +
			"\t`timestamp` timestamp DEFAULT CURRENT_TIMESTAMP NOT NULL,\n" +
			"\t`data` blob NOT NULL,\n" +
			"\tKEY " + index + " (`timestamp`),\n" +
			"\tPRIMARY KEY (" + key + ")\n)"}, nil
	case a.Version == 3:
		return []string{"CREATE TABLE IF NOT EXISTS " + table + " (\n" +
			"\t\"id\" varchar(128) NOT NULL,\n" +
			"\t\"ip_address\" varchar(45) NOT NULL,\n" +
			"\t\"timestamp\" bigint DEFAULT 0 NOT NULL,\n" +
			"\t\"data\" text DEFAULT '' NOT NULL,\n" +
			"\tPRIMARY KEY (" + key + ")\n)",
			"CREATE INDEX IF NOT EXISTS " + index + " ON " + table + " (\"timestamp\")"}, nil
	default:
		return []string{"CREATE TABLE IF NOT EXISTS " + table + " (\n" +
			"\t\"id\" varchar(128) NOT NULL,\n" +
			"\t\"ip_address\" inet NOT NULL,\n" +
			"\t\"timestamp\" timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL,\n" +
			"\t\"data\" bytea DEFAULT '' NOT NULL,\n" +
			"\tPRIMARY KEY (" + key + ")\n)",
			"CREATE INDEX IF NOT EXISTS " + index + " ON " + table + " (\"timestamp\")"}, nil
	}
}

// CreateTable creates app's session table, with the statements Schema
// returns, unless it exists. CodeIgniter applications have theirs: this is
// for new setups and tests. Config and NewStore never create it.
func CreateTable(ctx context.Context, app App) error {
	stmts, err := Schema(app)
	if err != nil {
		return err
	}
	db := app.Handler.(dbHandler).db
	if db == nil {
		return errors.New("codeigniter: Database: the *sql.DB is nil")
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("codeigniter: create the session table: %w", err)
		}
	}
	return nil
}

// quoteTable checks a table name, optionally schema-qualified, and quotes
// it for d. Names hold ASCII letters, digits and '_', and do not start with
// a digit.
func quoteTable(d Dialect, table string) (string, error) {
	parts := strings.Split(table, ".")
	if len(parts) > 2 {
		return "", fmt.Errorf("codeigniter: table name %q: at most a schema and a table", table)
	}
	for i, p := range parts {
		if !validIdent(p) {
			return "", fmt.Errorf("codeigniter: table name %q: use letters, digits and '_'", table)
		}
		parts[i] = quoteIdent(d, p)
	}
	return strings.Join(parts, "."), nil
}

func validIdent(s string) bool {
	if s == "" || len(s) > 63 || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// quoteIdent quotes a checked identifier for d.
func quoteIdent(d Dialect, name string) string {
	if d == MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}
