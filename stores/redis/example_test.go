package redisstore_test

import (
	"github.com/redis/go-redis/v9"

	"github.com/ignitego/session/core"
	redisstore "github.com/ignitego/session/stores/redis"
)

func Example() {
	// A single node; the same works with Sentinel (MasterName) or a
	// cluster (several Addrs). ContextTimeoutEnabled lets a request's
	// deadline bound each call.
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"127.0.0.1:6379"},
		ContextTimeoutEnabled: true,
	})
	defer client.Close() // the store never closes the client

	cfg := core.DefaultConfig()
	cfg.Driver = core.DriverNative
	cfg.Store = redisstore.New(client, redisstore.WithPrefix("myapp:session:"))
	m, err := core.New(cfg) // Redis expires sessions itself: nothing to collect
	if err != nil {
		panic(err)
	}
	defer m.Close()
	// Serve with m.Middleware(handler), or an adapter.
}
