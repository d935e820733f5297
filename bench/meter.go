package bench

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// meter counts what a case's store costs in I/O, in one unit, so that each
// benchmark reports it per request (b.ReportMetric, unit+"/op"):
//
//	roundtrips  request/response exchanges with a server (Redis, PostgreSQL,
//	            MariaDB), counted at the client's sockets
//	statements  SQL statements a SQLite database executed (see statements.go)
//	syscalls    read and write system calls on files (see fileio.go)
type meter struct {
	unit  string
	count func() int64 // the total so far
}

// roundTrips counts request/response exchanges on the connections of one
// client. A round trip is a write followed by a read on the same
// connection, so a pipeline of many commands counts once, as it should,
// and so does a query its driver sends as several protocol messages in one
// write (pgx's Parse/Bind/Execute/Sync). A message that gets no answer
// (MySQL's COM_STMT_CLOSE) joins the next exchange. Counting at the socket
// works the same for every client: go-redis, redigo, pgx,
// go-sql-driver/mysql.
type roundTrips struct{ n atomic.Int64 }

// Load returns the round trips so far.
func (r *roundTrips) Load() int64 { return r.n.Load() }

// meter returns r as a case's meter.
func (r *roundTrips) meter() *meter { return &meter{unit: "roundtrips", count: r.Load} }

// dial connects as a net.Dialer does, and counts the connection's round
// trips in r.
func (r *roundTrips) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, rt: r}, nil
}

// countingConn is a net.Conn whose owner counts its round trips: the
// first bytes read after a write end one. Clients use a connection from one
// goroutine at a time, but a driver may have a read pending in the
// background while it writes (pgx does, when a write is slow, to avoid
// deadlocks): the flag is atomic, and a read checks it once its bytes have
// arrived, not when it starts waiting for them.
type countingConn struct {
	net.Conn
	rt      *roundTrips
	written atomic.Bool
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.written.Store(true)
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.written.Swap(false) {
		c.rt.n.Add(1)
	}
	return n, err
}
