package gormstore

import (
	"context"
	"fmt"
)

// Collect deletes at most limit expired sessions, in one DELETE, and
// returns how many it deleted. When fewer than limit were left, it also
// deletes up to limit lock rows whose ttl has passed (left by a process
// that died holding them); those are not counted.
func (s *Store) Collect(ctx context.Context, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("gormstore: collect: %w", err)
	}
	if limit <= 0 {
		return 0, nil
	}
	now := nowMillis()
	args, lockArgs := []any{now, now, limit}, []any{now, now, limit}
	if s.dialect == dialectMySQL {
		args, lockArgs = []any{now, limit}, []any{now, limit}
	}
	res := s.exec(ctx, s.q.collect, args...)
	if res.Error != nil {
		return 0, fail(ctx, "collect", res.Error)
	}
	n := int(res.RowsAffected)
	if n < limit {
		if err := s.exec(ctx, s.q.collectLocks, lockArgs...).Error; err != nil {
			return n, fail(ctx, "collect locks", err)
		}
	}
	return n, nil
}
