package gormstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ignitego/session/core"

	"github.com/ignitego/session/internal/lease"

	"github.com/ignitego/session/internal/backoff"
)

// DefaultLockTTL is the ttl Lock uses when it is given none (ttl <= 0).
const DefaultLockTTL = time.Minute

// Lock takes the exclusive lock on the session id: a row in the lock table
// holding a random token and the end of the holder's ttl (ttl <= 0 means
// DefaultLockTTL). It inserts the row, or takes over one whose ttl has
// passed, in one statement, and while another holder has it polls with
// backoff (see WithLockPoll) until ctx is done. The Lease's Renew moves the
// row's end, and its Unlock deletes the row, only while the row holds this
// lock's token; once Unlock succeeded, calling it again does nothing.
func (s *Store) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := check(ctx, "lock", id); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = DefaultLockTTL
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	token := hex.EncodeToString(raw[:])
	b := backoff.New(s.lockPoll)
	for {
		now := time.Now()
		args := []any{id, token, now.Add(ttl).UnixMilli(), now.UnixMilli()}
		if s.dialect == dialectMySQL {
			args = append(args, now.UnixMilli())
		}
		res := s.db.WithContext(ctx).Exec(s.q.lock, args...)
		if res.Error != nil {
			// The row may have been written and the reply lost.
			return s.lease(id, token), fail(ctx, "lock", res.Error)
		}
		if res.RowsAffected > 0 {
			return s.lease(id, token), nil
		}
		if err := b.Wait(ctx); err != nil {
			return nil, fmt.Errorf("gormstore: lock: %w", err)
		}
	}
}

// lease returns the Lease of the lock row of id that holds token.
func (s *Store) lease(id, token string) core.Lease {
	renew := func(ctx context.Context, ttl time.Duration) (bool, error) {
		res := s.db.WithContext(ctx).Exec(s.q.renew, time.Now().Add(ttl).UnixMilli(), id, token)
		if res.Error != nil {
			return false, fail(ctx, "renew lock", res.Error)
		}
		if res.RowsAffected > 0 {
			return true, nil
		}
		// MySQL counts only rows that changed: a renewal within the same
		// millisecond changes none. Ask whether the row is still ours.
		var n int
		if err := s.db.WithContext(ctx).Raw(s.q.holds, id, token).Scan(&n).Error; err != nil {
			return false, fail(ctx, "renew lock", err)
		}
		return n == 1, nil
	}
	release := func(ctx context.Context) error {
		if err := s.db.WithContext(ctx).Exec(s.q.unlock, id, token).Error; err != nil {
			return fail(ctx, "unlock", err)
		}
		return nil
	}
	return lease.New("gormstore", renew, release)
}
