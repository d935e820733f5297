package gormstore

import (
	"fmt"
	"regexp"
	"time"
)

// Option configures a Store; pass options to New.
type Option func(*options)

type options struct {
	table    string
	lockPoll time.Duration
}

// Defaults of the options.
const (
	DefaultTable    = "ci_sessions"
	DefaultLockPoll = 50 * time.Millisecond
)

// maxTableName leaves room for the lock table's "_locks" within
// PostgreSQL's 63-byte identifiers.
const maxTableName = 57

var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func defaultOptions() options {
	return options{table: DefaultTable, lockPoll: DefaultLockPoll}
}

func (o *options) validate() error {
	if !tableName.MatchString(o.table) || len(o.table) > maxTableName {
		return fmt.Errorf("gormstore: table name %q must be 1 to %d ASCII letters, digits and underscores, not starting with a digit", o.table, maxTableName)
	}
	if o.lockPoll <= 0 {
		return fmt.Errorf("gormstore: lock poll interval %s is not positive", o.lockPoll)
	}
	return nil
}

// WithTable sets the name of the session table; the lock table is named
// after it, with "_locks" added. The name must be 1 to 57 ASCII letters,
// digits and underscores, not starting with a digit; it is used as it is,
// quoted, so its case matters where the database's does.
// Default: "ci_sessions".
func WithTable(name string) Option {
	return func(o *options) { o.table = name }
}

// WithLockPoll sets the longest pause between two attempts of Lock to take
// a session lock that another request holds. Pauses start at a millisecond
// and double up to it. It must be positive.
// Default: 50ms.
func WithLockPoll(d time.Duration) Option {
	return func(o *options) { o.lockPoll = d }
}
