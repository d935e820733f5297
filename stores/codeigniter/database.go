package codeigniter

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

type dbHandler struct {
	db      *sql.DB
	dialect Dialect
}

func (h dbHandler) open(app App) (Store, error) {
	if h.db == nil {
		return nil, errors.New("codeigniter: Database: the *sql.DB is nil")
	}
	if h.dialect != MySQL && h.dialect != PostgreSQL {
		return nil, fmt.Errorf("codeigniter: Database: %v: use MySQL or PostgreSQL", h.dialect)
	}
	table, err := quoteTable(h.dialect, app.Table)
	if err != nil {
		return nil, err
	}
	return &DatabaseStore{db: h.db, app: app, dialect: h.dialect, table: table, ip: "0.0.0.0", held: &heldConns{m: make(map[string]*heldConn)}}, nil
}

// DatabaseStore is CodeIgniter's database handler: a row per session in
// App.Table, whose columns are those CodeIgniter's user guide defines for
// the application's version and database (see Schema):
//
//   - id is the session id (CodeIgniter 3), or the cookie name, ':' and
//     the session id (CodeIgniter 4);
//   - ip_address is the IP of the client that created the row, and with
//     App.MatchIP part of the key: a row is read, changed and deleted only
//     by its IP;
//   - timestamp is the time of the last write: Unix seconds (CodeIgniter
//     3), or a TIMESTAMP (MySQL) or timestamptz (PostgreSQL) set from the
//     database's now() (CodeIgniter 4);
//   - data is the payload: a blob (MySQL), base64 in a text column
//     (PostgreSQL, CodeIgniter 3) or a bytea (PostgreSQL, CodeIgniter 4).
//
// A row is expired, for reads and writes as for CodeIgniter's garbage
// collector, when its timestamp is older than the expiration: the store
// writes a session saved until expiresAt with the timestamp expiresAt less
// the expiration, which is now for the engine's saves, so that both
// applications agree on when it expires. Timestamps have whole seconds
// except on CodeIgniter 4's PostgreSQL table. A session that never expires
// gets the column's largest time (Unix time 4294967295, MySQL's TIMESTAMP
// limit in 2038, PostgreSQL's infinity).
//
// The lock is CodeIgniter's advisory lock, taken on one connection from
// db's pool that the lock keeps until unlock: on MySQL and MariaDB
// GET_LOCK(md5(id), …), with "_" and the IP appended to the id before the
// MD5 under App.MatchIP; on PostgreSQL pg_advisory_lock(hashtext(id)), or
// pg_advisory_lock(hashtext(id), hashtext(ip)) under App.MatchIP (the bare
// session id in both versions). While the process holds a session's lock,
// the reads and writes of that session go through the lock's connection,
// as a PHP request's do through its one connection: a request never needs
// a second connection, and never waits for the lock it holds. Other
// sessions' reads and writes use db's pool.
//
// The store keeps the core.Store contract within the limits of
// CodeIgniter's columns: the id column holds 128 characters, the cookie
// name's included on CodeIgniter 4 (PHP's ids have up to 256: CodeIgniter
// 4's guide says to widen it for long ids), and MySQL's blob 64 KiB of
// session payload (MySQL and MariaDB refuse a longer one in their default
// strict mode, and truncate it otherwise, as they do CodeIgniter's).
// Writes need the primary key CodeIgniter's guide adds: (id), or (id,
// ip_address) under App.MatchIP.
type DatabaseStore struct {
	db      *sql.DB
	app     App
	dialect Dialect
	table   string // quoted
	ip      string
	held    *heldConns // shared by every view of the store
}

var _ Store = (*DatabaseStore)(nil)

// ForIP returns the store as a request from ip sees it: new rows carry ip
// in their ip_address column, and under App.MatchIP only rows with ip are
// seen.
func (s *DatabaseStore) ForIP(ip string) Store {
	c := *s
	c.ip = clientIP(ip)
	return &c
}

// RowID returns the value of the id column for the session id.
func (s *DatabaseStore) RowID(id string) string {
	if s.app.Version == 4 {
		return s.app.CookieName + ":" + id
	}
	return id
}

// stmt builds one SQL statement and its arguments, with the dialect's
// placeholders numbered in the order they are written.
type stmt struct {
	s    *DatabaseStore
	b    strings.Builder
	args []any
}

func (s *DatabaseStore) stmt() *stmt { return &stmt{s: s} }

// w writes SQL text.
func (q *stmt) w(parts ...string) *stmt {
	for _, p := range parts {
		q.b.WriteString(p)
	}
	return q
}

// arg writes a placeholder for v.
func (q *stmt) arg(v any) *stmt {
	q.args = append(q.args, v)
	if q.s.dialect == MySQL {
		q.b.WriteByte('?')
	} else {
		q.b.WriteString("$" + strconv.Itoa(len(q.args)))
	}
	return q
}

// col writes a quoted column name.
func (q *stmt) col(name string) *stmt { return q.w(quoteIdent(q.s.dialect, name)) }

// ipValue writes the request's IP, as the ip_address column's type.
func (q *stmt) ipValue() *stmt {
	if q.s.dialect == PostgreSQL && q.s.app.Version == 4 {
		return q.w("CAST(").arg(q.s.ip).w(" AS inet)")
	}
	return q.arg(q.s.ip)
}

// key writes the condition that selects id's row.
func (q *stmt) key(id string) *stmt {
	q.col("id").w(" = ").arg(q.s.RowID(id))
	if q.s.app.MatchIP {
		q.w(" AND ").col("ip_address").w(" = ").ipValue()
	}
	return q
}

// live writes the condition that a row has not expired: its timestamp is
// no older than the expiration, CodeIgniter's garbage collector's rule.
func (q *stmt) live() *stmt {
	secs := int64(q.s.app.lifetime() / time.Second)
	q.col("timestamp").w(" >= ")
	switch {
	case q.s.app.Version == 3:
		return q.arg(time.Now().Unix() - secs)
	case q.s.dialect == MySQL:
		return q.w("NOW() - INTERVAL ").arg(secs).w(" SECOND")
	default:
		return q.w("now() - make_interval(secs => ").arg(float64(secs)).w(")")
	}
}

// stamp writes the timestamp of a session saved until expiresAt.
func (q *stmt) stamp(expiresAt time.Time) *stmt {
	life := q.s.app.lifetime()
	written := expiresAt.Add(-life).Unix()
	if q.s.app.Version == 3 {
		// The column holds an unsigned 32-bit number on MySQL.
		if expiresAt.IsZero() || written > math.MaxUint32 {
			return q.arg(int64(math.MaxUint32))
		}
		return q.arg(max(written, 0))
	}
	offset := time.Until(expiresAt) - life
	switch {
	case q.s.dialect == MySQL && (expiresAt.IsZero() || written >= math.MaxInt32):
		// MySQL's TIMESTAMP ends in 2038.
		return q.w("FROM_UNIXTIME(2147483647)")
	case q.s.dialect == MySQL:
		return q.w("NOW() + INTERVAL ").arg(int64(math.Round(offset.Seconds()))).w(" SECOND")
	case expiresAt.IsZero():
		return q.w("'infinity'")
	default:
		return q.w("now() + make_interval(secs => ").arg(offset.Seconds()).w(")")
	}
}

// payload writes data as the data column holds it.
func (q *stmt) payload(data []byte) *stmt {
	if q.s.base64() {
		return q.arg(base64.StdEncoding.EncodeToString(data))
	}
	return q.arg(data)
}

// dataIs writes the condition that the data column holds data.
func (q *stmt) dataIs(data []byte) *stmt {
	if q.s.base64() {
		return q.w("decode(").col("data").w(", 'base64') = ").arg(data)
	}
	return q.col("data").w(" = ").arg(data)
}

// base64 reports whether the data column holds base64 text (CodeIgniter
// 3 on PostgreSQL).
func (s *DatabaseStore) base64() bool { return s.dialect == PostgreSQL && s.app.Version == 3 }

// exec runs the statement for the session id: on the connection of the
// session's lock when the process holds it, else on the pool.
func (q *stmt) exec(ctx context.Context, id string) (res sql.Result, err error) {
	err = q.s.withConn(id, func(c queryer) error {
		res, err = c.ExecContext(ctx, q.b.String(), q.args...)
		return err
	})
	return res, err
}

// scan runs the query for the session id, as exec does, and scans its
// first row into dest.
func (q *stmt) scan(ctx context.Context, id string, dest ...any) error {
	return q.s.withConn(id, func(c queryer) error {
		return c.QueryRowContext(ctx, q.b.String(), q.args...).Scan(dest...)
	})
}

// Load returns the payload of id's row, unless there is none or it has
// expired: one SELECT.
func (s *DatabaseStore) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fail(ctx, "load", err)
	}
	if check(ctx, "load", id) != nil {
		return nil, false, nil
	}
	q := s.stmt().w("SELECT ").col("data").w(" FROM ", s.table, " WHERE ").key(id).w(" AND ").live()
	var raw []byte
	err := q.scan(ctx, id, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fail(ctx, "load "+shortID(id), err)
	}
	data, err := s.decode(raw)
	if err != nil {
		return nil, false, fail(ctx, "load "+shortID(id), err)
	}
	return data, true, nil
}

// decode returns the payload a data column holds.
func (s *DatabaseStore) decode(raw []byte) ([]byte, error) {
	if raw == nil {
		raw = []byte{}
	}
	if !s.base64() {
		return raw, nil
	}
	// CodeIgniter trims the text, and PHP's decoder skips whitespace.
	clean := bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, raw)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		return nil, fmt.Errorf("the data column does not hold base64: %w", err)
	}
	return out[:n], nil
}

// Save writes id's row: one upsert (INSERT … ON DUPLICATE KEY UPDATE on
// MySQL, INSERT … ON CONFLICT DO UPDATE on PostgreSQL) that, like
// CodeIgniter's UPDATE, leaves ip_address as the row's creator wrote it.
func (s *DatabaseStore) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := check(ctx, "save", id); err != nil {
		return err
	}
	q := s.insert(id, data, expiresAt)
	if s.dialect == MySQL {
		q.w(" ON DUPLICATE KEY UPDATE ").col("timestamp").w(" = VALUES(").col("timestamp").w("), ").
			col("data").w(" = VALUES(").col("data").w(")")
	} else {
		q.w(" ON CONFLICT (", s.conflictKey(), ") DO UPDATE SET ").col("timestamp").w(" = EXCLUDED.").col("timestamp").
			w(", ").col("data").w(" = EXCLUDED.").col("data")
	}
	if _, err := q.exec(ctx, id); err != nil {
		return fail(ctx, "save "+shortID(id), err)
	}
	return nil
}

// insert starts the INSERT of id's row.
func (s *DatabaseStore) insert(id string, data []byte, expiresAt time.Time) *stmt {
	q := s.stmt().w("INSERT INTO ", s.table, " (").col("id").w(", ").col("ip_address").w(", ").col("timestamp").w(", ").col("data").
		w(") VALUES (").arg(s.RowID(id)).w(", ").ipValue().w(", ").stamp(expiresAt).w(", ").payload(data).w(")")
	return q
}

// conflictKey is the primary key CodeIgniter's guide gives the table.
func (s *DatabaseStore) conflictKey() string {
	if s.app.MatchIP {
		return quoteIdent(s.dialect, "id") + ", " + quoteIdent(s.dialect, "ip_address")
	}
	return quoteIdent(s.dialect, "id")
}

// Delete removes id's row: one DELETE.
func (s *DatabaseStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "delete", err)
	}
	if check(ctx, "delete", id) != nil {
		return nil
	}
	if _, err := s.stmt().w("DELETE FROM ", s.table, " WHERE ").key(id).exec(ctx, id); err != nil {
		return fail(ctx, "delete "+shortID(id), err)
	}
	return nil
}

// Insert writes id's row if there is none, or only an expired one: a
// DELETE of an expired row, then an INSERT that a live row makes a no-op
// (ON CONFLICT DO NOTHING on PostgreSQL; a duplicate key on MySQL).
func (s *DatabaseStore) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "insert", id); err != nil {
		return false, err
	}
	del := s.stmt().w("DELETE FROM ", s.table, " WHERE ").key(id).w(" AND NOT (").live().w(")")
	if _, err := del.exec(ctx, id); err != nil {
		return false, fail(ctx, "insert "+shortID(id), err)
	}
	q := s.insert(id, data, expiresAt)
	if s.dialect == PostgreSQL {
		q.w(" ON CONFLICT DO NOTHING")
	}
	res, err := q.exec(ctx, id)
	var my *mysql.MySQLError
	if errors.As(err, &my) && my.Number == 1062 { // ER_DUP_ENTRY
		return false, nil
	}
	if err != nil {
		return false, fail(ctx, "insert "+shortID(id), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fail(ctx, "insert "+shortID(id), err)
	}
	return n > 0, nil
}

// CompareAndSwap rewrites id's row if it is live and holds old: one UPDATE
// whose WHERE compares the whole payload.
func (s *DatabaseStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "swap", id); err != nil {
		return false, err
	}
	q := s.stmt().w("UPDATE ", s.table, " SET ").col("timestamp").w(" = ").stamp(expiresAt).w(", ").col("data").w(" = ").payload(data).
		w(" WHERE ").key(id).w(" AND ").dataIs(old).w(" AND ").live()
	res, err := q.exec(ctx, id)
	if err != nil {
		return false, fail(ctx, "swap "+shortID(id), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fail(ctx, "swap "+shortID(id), err)
	}
	if n > 0 || !bytes.Equal(old, data) {
		return n > 0, nil
	}
	// MySQL counts the rows an UPDATE changed: rewriting a row with what
	// it holds counts none. Whether the row matched is then a question.
	var one int
	err = s.stmt().w("SELECT 1 FROM ", s.table, " WHERE ").key(id).w(" AND ").dataIs(old).w(" AND ").live().
		scan(ctx, id, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fail(ctx, "swap "+shortID(id), err)
	}
	return true, nil
}

// Collect deletes at most limit expired rows, those CodeIgniter's garbage
// collector deletes: one DELETE.
func (s *DatabaseStore) Collect(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fail(ctx, "collect", err)
	}
	if limit <= 0 {
		return 0, nil
	}
	q := s.stmt()
	if s.dialect == MySQL {
		q.w("DELETE FROM ", s.table, " WHERE NOT (").live().w(") LIMIT ").arg(limit)
	} else {
		q.w("DELETE FROM ", s.table, " WHERE ctid IN (SELECT ctid FROM ", s.table, " WHERE NOT (").live().w(") LIMIT ").arg(limit).w(")")
	}
	res, err := q.exec(ctx, "")
	if err != nil {
		return 0, fail(ctx, "collect", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fail(ctx, "collect", err)
	}
	return int(n), nil
}
