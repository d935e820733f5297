package gormstore

import (
	"bytes"
	"context"
	"time"
)

// Insert stores data under id only if id holds nothing, or only expired
// data, and reports whether it stored: one upsert that updates only an
// expired row, atomic in the database.
func (s *Store) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "insert", id); err != nil {
		return false, err
	}
	now := nowMillis()
	args := []any{id, nonNil(data), expiryMillis(expiresAt), now}
	if s.dialect == dialectMySQL {
		args = append(args, now) // the condition appears twice
	}
	res := s.exec(ctx, s.q.insert, args...)
	if res.Error != nil {
		return false, fail(ctx, "insert", res.Error)
	}
	// 1: inserted; MySQL counts 2 for an updated row, 0 for one left as it was.
	return res.RowsAffected > 0, nil
}

// CompareAndSwap replaces the data under id with data only if the unexpired
// data stored there equals old, byte for byte, and reports whether it did:
// one UPDATE whose WHERE compares the stored data.
func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "compare and swap", id); err != nil {
		return false, err
	}
	now, exp := nowMillis(), expiryMillis(expiresAt)
	res := s.exec(ctx, s.q.cas, nonNil(data), exp, id, nonNil(old), now)
	if res.Error != nil {
		return false, fail(ctx, "compare and swap", res.Error)
	}
	if res.RowsAffected > 0 {
		return true, nil
	}
	if s.dialect != dialectMySQL || !bytes.Equal(old, data) {
		return false, nil
	}
	// MySQL counts only rows it changed: a swap to the very same data and
	// expiry matched, changed nothing, and counts 0. Such a swap is a read,
	// so asking whether the row holds those values now is as good.
	var one int
	err := s.db.WithContext(ctx).Raw(s.q.confirm, id, nonNil(data), exp, now).Scan(&one).Error
	if err != nil {
		return false, fail(ctx, "compare and swap", err)
	}
	return one == 1, nil
}
