package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	redigo "github.com/gomodule/redigo/redis"
	"github.com/redis/go-redis/v9"
)

// DefaultRedisAddr is the Redis the cases on Redis use when
// SESSION_TEST_REDIS_ADDR is unset.
const DefaultRedisAddr = "127.0.0.1:6379"

var redisCheck struct {
	once sync.Once
	err  error
}

// redisAddr returns the Redis address, skipping tb when Redis is not there
// and the address was not asked for explicitly, and failing it when it was.
func redisAddr(tb testing.TB) string {
	tb.Helper()
	addr, set := os.LookupEnv("SESSION_TEST_REDIS_ADDR")
	if !set || addr == "" {
		addr, set = DefaultRedisAddr, false
	}
	redisCheck.once.Do(func() {
		c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		redisCheck.err = c.Ping(ctx).Err()
	})
	if err := redisCheck.err; err != nil {
		if set {
			tb.Fatalf("SESSION_TEST_REDIS_ADDR=%s: %v", addr, err)
		}
		tb.Skipf("no Redis at %s (%v); set SESSION_TEST_REDIS_ADDR", addr, err)
	}
	return addr
}

// goRedis returns a go-redis client whose round trips rt counts. tb closes
// it at the end.
func goRedis(tb testing.TB, rt *roundTrips) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: redisAddr(tb), Dialer: rt.dial})
	tb.Cleanup(func() { c.Close() })
	return c
}

// redigoPool returns a redigo pool whose round trips rt counts. tb closes
// it at the end.
func redigoPool(tb testing.TB, rt *roundTrips) *redigo.Pool {
	addr := redisAddr(tb)
	p := &redigo.Pool{
		// As many as the load's clients, so that no connection is closed
		// and dialled again under load.
		MaxIdle:     loadClients,
		IdleTimeout: time.Minute,
		Dial: func() (redigo.Conn, error) {
			c, err := rt.dial(context.Background(), "tcp", addr)
			if err != nil {
				return nil, err
			}
			return redigo.NewConn(c, 5*time.Second, 5*time.Second), nil
		},
	}
	tb.Cleanup(func() { p.Close() })
	return p
}

// keyPrefix returns a key prefix of tb's own, and has tb delete every key
// under it at the end. Keys of other users of the same Redis are never
// touched.
func keyPrefix(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "sessbench_" + hex.EncodeToString(b[:]) + "_"
	addr := redisAddr(tb)
	tb.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		if _, err := deletePrefix(context.Background(), c, prefix); err != nil {
			tb.Errorf("deleting keys %s*: %v", prefix, err)
		}
	})
	return prefix
}

// deletePrefix deletes every key that starts with prefix.
func deletePrefix(ctx context.Context, c *redis.Client, prefix string) (int, error) {
	n := 0
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	batch := make([]string, 0, 1000)
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			if err := c.Unlink(ctx, batch...).Err(); err != nil {
				return n, err
			}
			n += len(batch)
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	if len(batch) > 0 {
		if err := c.Unlink(ctx, batch...).Err(); err != nil {
			return n, err
		}
		n += len(batch)
	}
	return n, nil
}
