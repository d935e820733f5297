//go:build redisstore

package bench

import (
	"testing"

	"github.com/ignitego/session/core"
	redisstore "github.com/ignitego/session/stores/redis"
)

// Ours on Redis, through stores/redis. It builds with -tags redisstore.
// The store is given no key prefix option: the ids it writes are recorded
// and deleted at the end instead.
func init() {
	oursStores = append(oursStores, oursStore{
		name:   "redis",
		record: true,
		config: func(tb testing.TB, rt *roundTrips) core.Config {
			cfg := core.DefaultConfig()
			cfg.Driver = core.DriverNative
			cfg.Store = redisstore.New(goRedis(tb, rt))
			return cfg
		},
	})
}
