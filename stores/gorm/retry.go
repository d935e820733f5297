package gormstore

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
)

// deadlockRetries bounds how often exec runs a statement again that the
// database chose as a deadlock's victim.
const deadlockRetries = 3

// exec runs one statement, and runs it again when the database rolled it
// back to break a deadlock: InnoDB does so when a garbage collection's
// range DELETE and a save lock the same rows in another order, and asks
// for the statement to be run again. Every statement the store runs is
// one atomic statement, so running it again is safe.
func (s *Store) exec(ctx context.Context, query string, args ...any) *gorm.DB {
	var res *gorm.DB
	for try := 0; ; try++ {
		res = s.db.WithContext(ctx).Exec(query, args...)
		if res.Error == nil || try == deadlockRetries || !deadlocked(res.Error) || ctx.Err() != nil {
			return res
		}
	}
}

// deadlocked reports whether err is the database's "deadlock, run the
// statement again": MySQL's and MariaDB's error 1213, PostgreSQL's
// SQLSTATE 40P01 (deadlock_detected) or 40001 (serialization_failure).
func deadlocked(err error) bool {
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		switch st.SQLState() {
		case "40P01", "40001":
			return true
		}
	}
	return strings.Contains(err.Error(), "Error 1213 (40001)")
}
