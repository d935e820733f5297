package gormstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/storeid"
)

// Store is a core.Store on a SQL table reached through GORM. The zero value
// is not usable; call New.
//
// It keeps the store contract: Load of a missing, expired or malformed id
// is found=false with a nil error, and an error always means the database
// failed (down, timed out, or the context ended); Save of a malformed id is
// an error, Delete of one is nil; a zero expiresAt never expires; Store
// keeps no reference to the data it is given, and the data Load returns
// belongs to the caller. It is safe for concurrent use, also by several
// processes sharing the database. It never closes the *gorm.DB.
type Store struct {
	db       *gorm.DB
	dialect  string
	table    string
	q        queries
	lockPoll time.Duration
}

var (
	_ core.Store     = (*Store)(nil)
	_ core.Swapper   = (*Store)(nil)
	_ core.Locker    = (*Store)(nil)
	_ core.Collector = (*Store)(nil)
)

// New returns a Store on db, creating its tables if they are missing (see
// the package documentation). The tables are created with db's context: use
// db.WithContext to bound the time New may take. db's dialect must be
// SQLite, PostgreSQL, or MySQL (MariaDB included).
func New(db *gorm.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("gormstore: db is nil")
	}
	if db.Error != nil {
		return nil, fmt.Errorf("gormstore: db carries an error: %w", db.Error)
	}
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	if db.Dialector == nil {
		return nil, errors.New("gormstore: db has no dialector")
	}
	dialect := db.Dialector.Name()
	switch dialect {
	case dialectSQLite, dialectPostgres, dialectMySQL:
	default:
		return nil, fmt.Errorf("gormstore: dialect %q is not supported (SQLite, PostgreSQL, MySQL and MariaDB are)", dialect)
	}
	quiet := db.Session(&gorm.Session{NewDB: true, Logger: db.Logger.LogMode(logger.Silent)})
	locks := o.table + "_locks"
	if err := migrate(quiet, dialect, o.table, locks); err != nil {
		return nil, err
	}
	if dialect == dialectMySQL {
		if err := checkAffectedRows(quiet, locks); err != nil {
			return nil, err
		}
	}
	return &Store{
		db:       quiet,
		dialect:  dialect,
		table:    o.table,
		q:        newQueries(dialect, o.table, locks),
		lockPoll: o.lockPoll,
	}, nil
}

// Table returns the name of the session table.
func (s *Store) Table() string { return s.table }

// Load returns the data stored under id, unless it has expired.
func (s *Store) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("gormstore: load: %w", err)
	}
	if !core.ValidID(id) {
		return nil, false, nil
	}
	rows, err := s.db.WithContext(ctx).Raw(s.q.load, id, nowMillis()).Rows()
	if err != nil {
		return nil, false, fail(ctx, "load", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, false, fail(ctx, "load", err)
		}
		return nil, false, nil
	}
	var data []byte
	if err := rows.Scan(&data); err != nil {
		return nil, false, fail(ctx, "load", err)
	}
	if err := rows.Close(); err != nil {
		return nil, false, fail(ctx, "load", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, true, nil
}

// Save stores data under id until expiresAt, in one upsert. An expiresAt
// in the past stores a row that Load does not see and Collect removes.
func (s *Store) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := check(ctx, "save", id); err != nil {
		return err
	}
	if err := s.exec(ctx, s.q.save, id, nonNil(data), expiryMillis(expiresAt)).Error; err != nil {
		return fail(ctx, "save", err)
	}
	return nil
}

// Delete removes the session id.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("gormstore: delete: %w", err)
	}
	if !core.ValidID(id) {
		return nil
	}
	if err := s.exec(ctx, s.q.del, id).Error; err != nil {
		return fail(ctx, "delete", err)
	}
	return nil
}

// check refuses a done context and a malformed id.
func check(ctx context.Context, op, id string) error {
	return storeid.Check(ctx, "gormstore", op, id)
}

// fail wraps a database error for op (some drivers report an ended
// context only as a broken connection).
func fail(ctx context.Context, op string, err error) error {
	return storeid.Fail(ctx, "gormstore", op, err)
}

// nonNil turns a nil slice into an empty one: drivers send nil as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func nowMillis() int64 { return time.Now().UnixMilli() }

// expiryMillis is expiresAt in Unix milliseconds, rounded up so that a
// session never expires early; 0 for the zero time, which never expires,
// and at least 1 for any other, so that a time before 1970 is past, not
// never.
func expiryMillis(expiresAt time.Time) int64 {
	if expiresAt.IsZero() {
		return 0
	}
	ms := expiresAt.UnixMilli()
	if expiresAt.After(time.UnixMilli(ms)) {
		ms++
	}
	return max(ms, 1)
}
