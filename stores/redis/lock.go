package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/rediscas"

	"github.com/ignitego/session/internal/lease"

	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/internal/backoff"
)

// DefaultLockTTL is the ttl Lock uses when it is given none (ttl <= 0).
const DefaultLockTTL = time.Minute

// Lock takes the exclusive lock on the session id: the key LockKey(id) set
// to a random token with SET NX PX ttl (ttl <= 0 means DefaultLockTTL), so
// that Redis drops it when a holder never unlocks. While another holder
// has it, Lock polls with backoff (see WithLockPoll) until ctx is done.
// The Lease's Renew resets the key's expiry, and its Unlock deletes the key,
// only while the key holds this lock's token; once Unlock succeeded,
// calling it again does nothing.
func (s *Store) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := s.check(ctx, "lock", id); err != nil {
		return nil, err
	}
	if ttl <= 0 {
		ttl = DefaultLockTTL
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	token := hex.EncodeToString(raw[:])
	key := s.LockKey(id)
	b := backoff.New(s.lockPoll)
	for {
		ok, err := s.client.SetNX(ctx, key, token, ttl).Result()
		if err != nil {
			// The SET may have reached Redis and its reply been lost.
			return s.lease(key, token), s.fail(ctx, "lock", err)
		}
		if ok {
			return s.lease(key, token), nil
		}
		if err := b.Wait(ctx); err != nil {
			return nil, fmt.Errorf("redisstore: lock: %w", err)
		}
	}
}

// LockKey returns the key of the lock on the session id: prefix+"lock:{"+
// prefix+id+"}". Its hash tag is the session's key, so that on Redis
// Cluster the lock is in the session's hash slot, on the same master: a
// request that locks, loads and saves its session depends on one node. A
// prefix holding '{' or '}' gets prefix+"lock:"+id, in the slot the
// prefix's own hash tag chooses (see WithPrefix).
func (s *Store) LockKey(id string) string {
	if strings.ContainsAny(s.prefix, "{}") {
		return s.prefix + "lock:" + id
	}
	return s.prefix + "lock:{" + s.prefix + id + "}"
}

var (
	unlockScript = redis.NewScript(rediscas.Unlock)
	renewScript  = redis.NewScript(rediscas.Renew)
)

// lease returns the Lease of the lock key that holds token.
func (s *Store) lease(key, token string) core.Lease {
	renew := func(ctx context.Context, ttl time.Duration) (bool, error) {
		n, err := renewScript.Run(ctx, s.client, []string{key}, token, max(ttl.Milliseconds(), 1)).Int()
		if err != nil {
			return false, s.fail(ctx, "renew lock", err)
		}
		return n == 1, nil
	}
	release := func(ctx context.Context) error {
		if err := unlockScript.Run(ctx, s.client, []string{key}, token).Err(); err != nil {
			return s.fail(ctx, "unlock", err)
		}
		return nil
	}
	return lease.New("redisstore", renew, release)
}
