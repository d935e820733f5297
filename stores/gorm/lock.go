package gormstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ignitego/session/internal/unlock"

	"github.com/ignitego/session/internal/backoff"
)

// DefaultLockTTL is the ttl Lock uses when it is given none (ttl <= 0).
const DefaultLockTTL = time.Minute

// Lock takes the exclusive lock on the session id: a row in the lock table
// holding a random token and the end of the holder's ttl (ttl <= 0 means
// DefaultLockTTL). It inserts the row, or takes over one whose ttl has
// passed, in one statement, and while another holder has it polls with
// backoff (see WithLockPoll) until ctx is done. unlock deletes the row if it
// still holds this lock's token; once it succeeded, calling it again does
// nothing.
func (s *Store) Lock(ctx context.Context, id string, ttl time.Duration) (func(context.Context) error, error) {
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
			return nil, fail(ctx, "lock", res.Error)
		}
		if res.RowsAffected > 0 {
			return s.unlocker(id, token), nil
		}
		if err := b.Wait(ctx); err != nil {
			return nil, fmt.Errorf("gormstore: lock: %w", err)
		}
	}
}

func (s *Store) unlocker(id, token string) func(context.Context) error {
	return unlock.Once(func(ctx context.Context) error {
		if err := s.db.WithContext(ctx).Exec(s.q.unlock, id, token).Error; err != nil {
			return fail(ctx, "unlock", err)
		}
		return nil
	})
}
