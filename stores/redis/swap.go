package redisstore

import (
	"context"
	"time"

	"github.com/ignitego/session/internal/rediscas"
	"github.com/redis/go-redis/v9"
)

// Insert stores data under id only if id holds nothing (an expired key is
// gone in Redis), and reports whether it stored: one SET NX with PX. With
// an expiresAt already past it stores nothing, and reports whether it
// would have (one EXISTS).
func (s *Store) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := s.check(ctx, "insert", id); err != nil {
		return false, err
	}
	ttl, live := rediscas.TTL(expiresAt)
	if !live {
		n, err := s.client.Exists(ctx, s.prefix+id).Result()
		if err != nil {
			return false, s.fail(ctx, "insert", err)
		}
		return n == 0, nil
	}
	ok, err := s.client.SetNX(ctx, s.prefix+id, data, ttl).Result()
	if err != nil {
		return false, s.fail(ctx, "insert", err)
	}
	return ok, nil
}

// casScript is the compare-and-swap every store on Redis runs.
var casScript = redis.NewScript(rediscas.Script)

// CompareAndSwap replaces the data under id with data only if the data
// stored there equals old, byte for byte, and reports whether it did: one
// script, atomic in Redis. An expiresAt already past deletes the key when
// it matches.
func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := s.check(ctx, "compare and swap", id); err != nil {
		return false, err
	}
	n, err := casScript.Run(ctx, s.client, []string{s.prefix + id}, old, data, rediscas.PX(expiresAt)).Int()
	if err != nil {
		return false, s.fail(ctx, "compare and swap", err)
	}
	return n == 1, nil
}
