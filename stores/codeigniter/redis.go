package codeigniter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/ignitego/session/core"

	"github.com/ignitego/session/internal/lease"
	"github.com/ignitego/session/internal/slotmap"

	"github.com/ignitego/session/internal/rediscas"
	"github.com/redis/go-redis/v9"
)

type redisHandler struct{ client redis.UniversalClient }

func (h redisHandler) open(app App) (Store, error) {
	if h.client == nil {
		return nil, errors.New("codeigniter: Redis: the client is nil")
	}
	return &RedisStore{client: h.client, app: app, prefix: app.KeyPrefix}, nil
}

// RedisStore is CodeIgniter's Redis handler: the session id is the key
// App.KeyPrefix + id ("ci_session:" + id for CodeIgniter 3,
// "ci_session:ci_session:" + id for CodeIgniter 4 and its default cookie
// name), with the client IP and ':' before the id under App.MatchIP; the
// value is the session payload; the key expires as CodeIgniter's does.
//
// The lock is CodeIgniter's: the key of the session with ":lock" appended,
// holding the Unix time it was taken at, set with NX and an expiry (EX),
// and deleted to release it. A waiter tries again every App.LockWait, as
// CodeIgniter does: CodeIgniter 3 first asks the lock's TTL, and takes over
// a lock that has none; CodeIgniter 4 only tries SET NX.
//
// Expiry is kept to the millisecond (PX), while CodeIgniter sets whole
// seconds (EX); garbage collection is Redis's own, so the store has no
// Collector ability.
//
// Every command names a single key, so the store works on Sentinel and on
// Redis Cluster, with the client redis.NewUniversalClient builds for them.
// CodeIgniter's key names have no hash tag: on a cluster a session and its
// lock are in different hash slots, most often on different masters.
// CodeIgniter's own Redis handlers connect to a single server, so a PHP
// application sharing the sessions needs a single node, or the master of a
// Sentinel group.
type RedisStore struct {
	client redis.UniversalClient
	app    App
	prefix string
}

var _ Store = (*RedisStore)(nil)

// ForIP returns the store as a request from ip sees it: with App.MatchIP,
// keys are prefixed with the IP as CodeIgniter prefixes them.
func (s *RedisStore) ForIP(ip string) Store {
	if !s.app.MatchIP {
		return s
	}
	return &RedisStore{client: s.client, app: s.app, prefix: s.app.KeyPrefix + clientIP(ip) + ":"}
}

// Key returns the Redis key of the session id.
func (s *RedisStore) Key(id string) string { return s.prefix + id }

// Load returns the session stored under id: one GET.
func (s *RedisStore) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fail(ctx, "load", err)
	}
	if check(ctx, "load", id) != nil {
		return nil, false, nil
	}
	data, err := s.client.Get(ctx, s.Key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.failed(ctx, "load", err)
	}
	return data, true, nil
}

// Save stores data under id until expiresAt: one SET with PX (none for a
// zero expiresAt), or one DEL when expiresAt has passed.
func (s *RedisStore) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := check(ctx, "save", id); err != nil {
		return err
	}
	ttl, live := rediscas.TTL(expiresAt)
	var err error
	if live {
		err = s.client.Set(ctx, s.Key(id), data, ttl).Err()
	} else {
		err = s.client.Del(ctx, s.Key(id)).Err()
	}
	if err != nil {
		return s.failed(ctx, "save", err)
	}
	return nil
}

// Delete removes the session id: one DEL.
func (s *RedisStore) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "delete", err)
	}
	if check(ctx, "delete", id) != nil {
		return nil
	}
	if err := s.client.Del(ctx, s.Key(id)).Err(); err != nil {
		return s.failed(ctx, "delete", err)
	}
	return nil
}

// Insert stores data under id if no session is there: SET NX.
func (s *RedisStore) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "insert", id); err != nil {
		return false, err
	}
	ttl, live := rediscas.TTL(expiresAt)
	if !live {
		n, err := s.client.Exists(ctx, s.Key(id)).Result()
		if err != nil {
			return false, s.failed(ctx, "insert", err)
		}
		return n == 0, nil
	}
	ok, err := s.client.SetNX(ctx, s.Key(id), data, ttl).Result()
	if err != nil {
		return false, s.failed(ctx, "insert", err)
	}
	return ok, nil
}

// casScript is the compare-and-swap every store on Redis runs.
var casScript = redis.NewScript(rediscas.Script)

// CompareAndSwap replaces the session under id with data if it is old: a
// script that GETs and SETs atomically.
func (s *RedisStore) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	if err := check(ctx, "swap", id); err != nil {
		return false, err
	}
	n, err := casScript.Run(ctx, s.client, []string{s.Key(id)}, old, data, rediscas.PX(expiresAt)).Int()
	if err != nil {
		return false, s.failed(ctx, "swap", err)
	}
	return n == 1, nil
}

// lockSeconds is the expiry of a lock CodeIgniter takes, and of one the
// store takes for a ttl it is not given.
const lockSeconds = 300

// Lock takes CodeIgniter's lock on the session id, the key Key(id)+":lock",
// expiring after ttl (rounded up to whole seconds, as CodeIgniter sets
// them; 300s when ttl <= 0). It tries again every App.LockWait until ctx is
// done. The value is the time, as CodeIgniter sets it, and a random token
// of this lock's: the Lease's Renew resets the expiry, and its Unlock
// deletes the key, only while the key holds it. CodeIgniter itself never
// renews its lock; it sets 300s and deletes the key at the script's end.
func (s *RedisStore) Lock(ctx context.Context, id string, ttl time.Duration) (core.Lease, error) {
	if err := check(ctx, "lock", id); err != nil {
		return nil, err
	}
	secs := int64(lockSeconds)
	if ttl > 0 {
		secs = int64((ttl + time.Second - 1) / time.Second)
	}
	key := s.Key(id) + ":lock"
	for {
		// CodeIgniter stores the time; it never reads the value back. The
		// random part makes it this lock's token.
		var raw [8]byte
		_, _ = rand.Read(raw[:])
		value := strconv.FormatInt(time.Now().Unix(), 10) + "." + hex.EncodeToString(raw[:])
		ok, err := s.tryLock(ctx, key, value, time.Duration(secs)*time.Second)
		if err != nil {
			// The SET may have reached Redis and its reply been lost.
			return s.lease(key, value), s.failed(ctx, "lock "+shortID(id), err)
		}
		if ok {
			return s.lease(key, value), nil
		}
		if err := sleep(ctx, s.app.LockWait); err != nil {
			return nil, fail(ctx, "lock "+shortID(id), err)
		}
	}
}

// tryLock makes one attempt at the lock key, as the application's version
// of CodeIgniter makes it.
func (s *RedisStore) tryLock(ctx context.Context, key, value string, ex time.Duration) (bool, error) {
	if s.app.Version == 4 {
		return s.client.SetNX(ctx, key, value, ex).Result()
	}
	// CodeIgniter 3: a lock with time left is held; a missing one is taken
	// with SET NX; one without an expiry (or expiring now) is taken over.
	left, err := s.client.TTL(ctx, key).Result()
	if err != nil {
		return false, err
	}
	// go-redis reports TTL's -2 (no key) and -1 (no expiry) as
	// nanoseconds, whole seconds otherwise.
	switch {
	case left > 0:
		return false, nil
	case left == -2:
		return s.client.SetNX(ctx, key, value, ex).Result()
	default:
		return true, s.client.Set(ctx, key, value, ex).Err()
	}
}

var (
	unlockScript = redis.NewScript(rediscas.Unlock)
	renewScript  = redis.NewScript(rediscas.Renew)
)

// lease returns the Lease of the lock key that holds value.
func (s *RedisStore) lease(key, value string) core.Lease {
	renew := func(ctx context.Context, ttl time.Duration) (bool, error) {
		// Whole seconds, as Lock sets them: CodeIgniter 3 reads the lock's
		// TTL in seconds, and takes over a lock whose TTL reads 0.
		secs := max((ttl+time.Second-1)/time.Second, 1)
		n, err := renewScript.Run(ctx, s.client, []string{key}, value, (secs * time.Second).Milliseconds()).Int()
		if err != nil {
			return false, s.failed(ctx, "renew lock", err)
		}
		return n == 1, nil
	}
	release := func(ctx context.Context) error {
		if err := unlockScript.Run(ctx, s.client, []string{key}, value).Err(); err != nil {
			return s.failed(ctx, "unlock", err)
		}
		return nil
	}
	return lease.New("codeigniter", renew, release)
}

// failed wraps a Redis error for op, and asks a cluster client to reload
// its slot map: the failure may be a master that failed over (see
// slotmap.AfterError).
func (s *RedisStore) failed(ctx context.Context, op string, err error) error {
	slotmap.AfterError(ctx, s.client)
	return fail(ctx, op, err)
}
