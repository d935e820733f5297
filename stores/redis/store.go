package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/rediscas"
	"github.com/ignitego/session/internal/slotmap"
	"github.com/ignitego/session/internal/storeid"
)

// Store is a core.Store on Redis. The zero value is not usable; call New.
//
// It keeps the store contract: Load of a missing, expired or malformed id
// is found=false with a nil error, and an error always means Redis failed
// (down, timed out, or the context ended); Save of a malformed id is an
// error, Delete of one is nil; a zero expiresAt never expires; Store keeps
// no reference to the data it is given, and the data Load returns belongs
// to the caller. It is safe for concurrent use, also by several processes
// sharing the server. It never closes the client.
type Store struct {
	client   redis.UniversalClient
	prefix   string
	lockPoll time.Duration
}

var (
	_ core.Store   = (*Store)(nil)
	_ core.Swapper = (*Store)(nil)
	_ core.Locker  = (*Store)(nil)
)

// errNoClient is returned by every method of a Store made with a nil client.
var errNoClient = errors.New("redisstore: the client is nil")

// New returns a Store on client. A nil client gives a Store whose every
// call returns an error.
func New(client redis.UniversalClient, opts ...Option) *Store {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return &Store{client: client, prefix: o.prefix, lockPoll: o.lockPoll}
}

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.prefix }

// Load returns the data stored under id: one GET.
func (s *Store) Load(ctx context.Context, id string) ([]byte, bool, error) {
	if err := s.ready(ctx, "load"); err != nil {
		return nil, false, err
	}
	if !core.ValidID(id) {
		return nil, false, nil
	}
	data, err := s.client.Get(ctx, s.prefix+id).Bytes()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return nil, false, nil
		}
		return nil, false, s.fail(ctx, "load", err)
	}
	return data, true, nil
}

// Save stores data under id until expiresAt: one SET, with PX unless
// expiresAt is zero, or one DEL when expiresAt has passed.
func (s *Store) Save(ctx context.Context, id string, data []byte, expiresAt time.Time) error {
	if err := s.check(ctx, "save", id); err != nil {
		return err
	}
	ttl, live := rediscas.TTL(expiresAt)
	var err error
	if live {
		err = s.client.Set(ctx, s.prefix+id, data, ttl).Err()
	} else {
		err = s.client.Del(ctx, s.prefix+id).Err()
	}
	if err != nil {
		return s.fail(ctx, "save", err)
	}
	return nil
}

// Delete removes the session id: one DEL.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.ready(ctx, "delete"); err != nil {
		return err
	}
	if !core.ValidID(id) {
		return nil
	}
	if err := s.client.Del(ctx, s.prefix+id).Err(); err != nil {
		return s.fail(ctx, "delete", err)
	}
	return nil
}

// ready refuses a done context and a store without a client.
func (s *Store) ready(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	if s.client == nil {
		return errNoClient
	}
	return nil
}

// check is ready, and refuses a malformed id.
func (s *Store) check(ctx context.Context, op, id string) error {
	if err := s.ready(ctx, op); err != nil {
		return err
	}
	return storeid.Check(ctx, "redisstore", op, id)
}

// fail wraps a Redis error for op (go-redis may report an ended context
// only as a network timeout). A cluster client is asked to reload its slot
// map: the failure may be a master that failed over (see
// slotmap.AfterError).
func (s *Store) fail(ctx context.Context, op string, err error) error {
	slotmap.AfterError(ctx, s.client)
	return storeid.Fail(ctx, "redisstore", op, err)
}
