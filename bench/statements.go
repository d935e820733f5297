package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// statements counts the SQL statements a database/sql pool executes, at
// its driver: every Exec and Query of a connection or of a prepared
// statement, and every BEGIN, COMMIT and ROLLBACK. Preparing a statement
// is not counted; a driver that declines a call (driver.ErrSkip, and
// database/sql prepares and executes instead) is counted once, when the
// statement runs. It measures SQLite, whose statements cross no wire.
type statements struct{ n atomic.Int64 }

// meter returns s as a case's meter.
func (s *statements) meter() *meter { return &meter{unit: "statements", count: s.n.Load} }

// open returns a pool that opens dsn with the driver registered as name,
// its statements counted in s.
func (s *statements) open(name, dsn string) (*sql.DB, error) {
	probe, err := sql.Open(name, dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	return sql.OpenDB(&countedConnector{drv: drv, dsn: dsn, n: &s.n}), nil
}

type countedConnector struct {
	drv driver.Driver
	dsn string
	n   *atomic.Int64
}

func (c *countedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var (
		conn driver.Conn
		err  error
	)
	if dc, ok := c.drv.(driver.DriverContext); ok {
		var cn driver.Connector
		if cn, err = dc.OpenConnector(c.dsn); err == nil {
			conn, err = cn.Connect(ctx)
		}
	} else {
		conn, err = c.drv.Open(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	return &countedConn{inner: conn, n: c.n}, nil
}

func (c *countedConnector) Driver() driver.Driver { return c.drv }

// errNoContext refuses the pre-context driver interfaces: database/sql
// calls their context forms, which the counted driver must have.
var errNoContext = errors.New("bench: the driver lacks the context form of this call")

// countedConn passes every call on to the driver's connection, counting
// the statements it executes. It has each optional interface database/sql
// looks for, and declines (driver.ErrSkip, or the neutral answer) where
// the driver's connection has none, so that database/sql behaves as it
// would with the driver alone.
type countedConn struct {
	inner driver.Conn
	n     *atomic.Int64
}

func (c *countedConn) Close() error { return c.inner.Close() }

func (c *countedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *countedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var (
		st  driver.Stmt
		err error
	)
	if p, ok := c.inner.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.inner.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countedStmt{inner: st, n: c.n}, nil
}

func (c *countedConn) Begin() (driver.Tx, error) { return nil, errNoContext }

func (c *countedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.inner.(driver.ConnBeginTx)
	if !ok {
		return nil, errNoContext
	}
	c.n.Add(1)
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countedTx{inner: tx, n: c.n}, nil
}

func (c *countedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.ExecContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		c.n.Add(1)
	}
	return r, err
}

func (c *countedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		c.n.Add(1)
	}
	return r, err
}

func (c *countedConn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *countedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countedConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countedConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type countedStmt struct {
	inner driver.Stmt
	n     *atomic.Int64
}

func (s *countedStmt) Close() error  { return s.inner.Close() }
func (s *countedStmt) NumInput() int { return s.inner.NumInput() }

func (s *countedStmt) Exec([]driver.Value) (driver.Result, error) { return nil, errNoContext }
func (s *countedStmt) Query([]driver.Value) (driver.Rows, error)  { return nil, errNoContext }

func (s *countedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.inner.(driver.StmtExecContext)
	if !ok {
		return nil, errNoContext
	}
	s.n.Add(1)
	return e.ExecContext(ctx, args)
}

func (s *countedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.inner.(driver.StmtQueryContext)
	if !ok {
		return nil, errNoContext
	}
	s.n.Add(1)
	return q.QueryContext(ctx, args)
}

func (s *countedStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type countedTx struct {
	inner driver.Tx
	n     *atomic.Int64
}

func (t *countedTx) Commit() error {
	t.n.Add(1)
	return t.inner.Commit()
}

func (t *countedTx) Rollback() error {
	t.n.Add(1)
	return t.inner.Rollback()
}
