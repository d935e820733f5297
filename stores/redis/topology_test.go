package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// topology is a way of running Redis that the store's tests run on, each
// through the redis.UniversalClient that NewUniversalClient builds for it.
type topology struct {
	name string
	// client returns a client of the topology, closed when the test ends.
	client func(t testing.TB) redis.UniversalClient
}

var topologies = []topology{
	{"single", func(t testing.TB) redis.UniversalClient { return newClient(t, "") }},
	{"cluster", func(t testing.TB) redis.UniversalClient { return universal(t, testenv.RedisCluster(t)) }},
	{"sentinel", func(t testing.TB) redis.UniversalClient { return universal(t, testenv.RedisSentinel(t)) }},
}

// eachTopology runs fn in a subtest per topology, with a client of it.
func eachTopology(t *testing.T, fn func(t *testing.T, c redis.UniversalClient)) {
	for _, topo := range topologies {
		t.Run(topo.name, func(t *testing.T) { fn(t, topo.client(t)) })
	}
}

// universal returns the client NewUniversalClient builds for a cluster
// (several Addrs) or a Sentinel group (MasterName), closed when the test
// ends.
func universal(t testing.TB, topo testenv.RedisTopology) redis.UniversalClient {
	t.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 topo.Addrs,
		MasterName:            topo.MasterName,
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// deleteKeys deletes every key that starts with prefix: on each master of
// a cluster, one key per command (keys of different slots cannot share
// one).
func deleteKeys(c redis.UniversalClient, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if cc, ok := c.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return deleteOn(ctx, node, prefix)
		})
	}
	return deleteOn(ctx, c, prefix)
}

func deleteOn(ctx context.Context, c redis.UniversalClient, prefix string) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, prefix+"*", 10000).Result()
		if err != nil {
			return fmt.Errorf("scan %s*: %w", prefix, err)
		}
		if len(keys) > 0 {
			pipe := c.Pipeline()
			for _, k := range keys {
				pipe.Unlink(ctx, k)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				return fmt.Errorf("unlink: %w", err)
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
