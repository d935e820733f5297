package bench

import (
	"testing"

	"github.com/ignitego/session/core"
	redisstore "github.com/ignitego/session/stores/redis"
)

// Ours on Redis, through stores/redis. The ids it writes are recorded and
// deleted at the end.
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
