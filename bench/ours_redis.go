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
		name:    "redis",
		record:  true,
		perCall: 1,
		config: func(tb testing.TB) (core.Config, *meter) {
			rt := new(roundTrips)
			return nativeConfig(redisstore.New(goRedis(tb, rt))), rt.meter()
		},
	})
}
