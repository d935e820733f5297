package redisstore

import (
	"context"
	"strconv"
	"time"

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
	ttl, live := ttlOf(expiresAt)
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

// casScript sets KEYS[1] to ARGV[2] only if it holds exactly ARGV[1]: with
// a TTL of ARGV[3] milliseconds, none for 0, or deleting it for -1.
var casScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
local ttl = tonumber(ARGV[3])
if ttl < 0 then
	redis.call('DEL', KEYS[1])
elseif ttl == 0 then
	redis.call('SET', KEYS[1], ARGV[2])
else
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
end
return 1
`)

// CompareAndSwap replaces the data under id with data only if the data
// stored there equals old, byte for byte, and reports whether it did: one
// script, atomic in Redis. An expiresAt already past deletes the key when
// it matches.
func (s *Store) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := s.check(ctx, "compare and swap", id); err != nil {
		return false, err
	}
	ttl, live := ttlOf(expiresAt)
	px := "-1"
	if live {
		px = strconv.FormatInt(ttl.Milliseconds(), 10)
	}
	n, err := casScript.Run(ctx, s.client, []string{s.prefix + id}, old, data, px).Int()
	if err != nil {
		return false, s.fail(ctx, "compare and swap", err)
	}
	return n == 1, nil
}
