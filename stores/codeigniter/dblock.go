package codeigniter

import (
	"context"
	"crypto/md5"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/lease"
)

// queryer is what the store asks of a *sql.DB or a *sql.Conn.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// heldConns are the connections of the session locks the process holds,
// by lock.
type heldConns struct {
	mu sync.Mutex
	m  map[string]*heldConn
}

// heldConn is the connection of one held lock. Statements hold mu for
// reading while they use conn; unlock holds it for writing while it ends
// the lock, so that none uses a connection that went back to the pool.
type heldConn struct {
	mu   sync.RWMutex
	conn *sql.Conn
	gone bool
}

// lockKey identifies the lock of the session id within the process.
func (s *DatabaseStore) lockKey(id string) string {
	if s.app.MatchIP {
		return id + "\x00" + s.ip
	}
	return id
}

// withConn runs fn on the connection of id's lock when the process holds
// it, else on the pool.
func (s *DatabaseStore) withConn(id string, fn func(queryer) error) error {
	if id != "" {
		s.held.mu.Lock()
		h := s.held.m[s.lockKey(id)]
		s.held.mu.Unlock()
		if h != nil {
			h.mu.RLock()
			defer h.mu.RUnlock()
			if !h.gone {
				return fn(h.conn)
			}
		}
	}
	return fn(s.db)
}

// LockName returns the name of CodeIgniter's MySQL lock on the session id,
// GET_LOCK's argument: the MD5, in hex, of the id, followed under
// App.MatchIP by "_" and the IP.
func (s *DatabaseStore) LockName(id string) string {
	arg := id
	if s.app.MatchIP {
		arg += "_" + s.ip
	}
	sum := md5.Sum([]byte(arg))
	return hex.EncodeToString(sum[:])
}

// Lock takes CodeIgniter's advisory lock on the session id, on a connection
// of its own that it keeps until unlock, waiting while another session of
// the database holds it, until ctx is done: GET_LOCK(LockName(id), t) on
// MySQL, t being what is left of ctx's deadline (CodeIgniter's 300s without
// one); pg_advisory_lock(hashtext(id)[, hashtext(ip)]) on PostgreSQL. A
// holder that never unlocks loses the lock ttl after it took it or last
// renewed it (300s when ttl <= 0); Renew checks that the connection is
// alive. Unlock releases the lock and returns the connection to the pool; a
// connection that cannot release it is closed, which releases it too.
func (s *DatabaseStore) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := check(ctx, "lock", id); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = lockSeconds * time.Second
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fail(ctx, "lock "+shortID(id), err)
	}
	var release func(context.Context) error
	if s.dialect == MySQL {
		release, err = s.getLock(ctx, conn, s.LockName(id))
	} else {
		release, err = s.advisoryLock(ctx, conn, id)
	}
	if err != nil {
		discard(conn)
		return nil, fail(ctx, "lock "+shortID(id), err)
	}

	key := s.lockKey(id)
	h := &heldConn{conn: conn}
	s.held.mu.Lock()
	s.held.m[key] = h
	s.held.mu.Unlock()

	done := false // released, or the connection discarded
	var timer *time.Timer
	unlock := func(ctx context.Context) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if done {
			return nil
		}
		done, h.gone = true, true
		timer.Stop()
		s.held.mu.Lock()
		if s.held.m[key] == h {
			delete(s.held.m, key)
		}
		s.held.mu.Unlock()
		if err := release(ctx); err != nil {
			discard(conn) // which releases the lock too
			return fail(ctx, "unlock "+shortID(id), err)
		}
		return conn.Close()
	}
	renew := func(ctx context.Context, ttl time.Duration) (bool, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if done {
			return false, nil
		}
		if err := conn.PingContext(ctx); err != nil {
			return false, fail(ctx, "renew lock "+shortID(id), err)
		}
		timer.Reset(ttl)
		return true, nil
	}
	h.mu.Lock()
	timer = time.AfterFunc(ttl, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = unlock(ctx)
	})
	h.mu.Unlock()
	return lease.New("codeigniter", renew, unlock), nil
}

// getLock takes the MySQL lock name on conn.
func (s *DatabaseStore) getLock(ctx context.Context, conn *sql.Conn, name string) (func(context.Context) error, error) {
	for {
		wait := float64(lockSeconds)
		if deadline, ok := ctx.Deadline(); ok {
			wait = max(0, time.Until(deadline).Seconds())
		}
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, wait).Scan(&got); err != nil {
			return nil, err
		}
		switch {
		case !got.Valid:
			return nil, errors.New("GET_LOCK failed")
		case got.Int64 == 1:
			return func(ctx context.Context) error {
				var ok sql.NullInt64
				if err := conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK(?)", name).Scan(&ok); err != nil {
					return err
				}
				if ok.Int64 != 1 {
					return errors.New("RELEASE_LOCK: the lock was not held")
				}
				return nil
			}, nil
		}
		// Timed out: the context's deadline has passed, or a server that
		// counts whole seconds rounded a shorter wait down.
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// advisoryLock takes CodeIgniter's PostgreSQL advisory lock on id on conn.
func (s *DatabaseStore) advisoryLock(ctx context.Context, conn *sql.Conn, id string) (func(context.Context) error, error) {
	lock, unlock, args := "SELECT pg_advisory_lock(hashtext($1))", "SELECT pg_advisory_unlock(hashtext($1))", []any{id}
	if s.app.MatchIP {
		lock, unlock = "SELECT pg_advisory_lock(hashtext($1), hashtext($2))", "SELECT pg_advisory_unlock(hashtext($1), hashtext($2))"
		args = append(args, s.ip)
	}
	if _, err := conn.ExecContext(ctx, lock, args...); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		var ok bool
		if err := conn.QueryRowContext(ctx, unlock, args...).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return errors.New("pg_advisory_unlock: the lock was not held")
		}
		return nil
	}, nil
}

// discard closes conn instead of returning it to the pool, so that the
// server ends its session and every lock the session holds.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
