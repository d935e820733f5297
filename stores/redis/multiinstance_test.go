package redisstore_test

import (
	"testing"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/instances"
	redisstore "github.com/ignitego/session/stores/redis"
)

// TestMultiInstance runs three processes of one application on one key
// prefix of a single node, while users go round them, ids rotate and the
// cookie key rolls over (see instances.Run). Redis expires sessions itself:
// there is no garbage to collect.
func TestMultiInstance(t *testing.T) {
	instances.Run(t, instances.Backend{
		Open: func(t testing.TB, prefix string) core.Store {
			return redisstore.New(newClient(t, ""), redisstore.WithPrefix(prefix+":"))
		},
		Kept: func(t testing.TB, prefix, id string) bool {
			n, err := newClient(t, "").Exists(ctx(t), prefix+":"+id).Result()
			if err != nil {
				t.Fatalf("EXISTS: %v", err)
			}
			return n > 0
		},
		Clean: func(t testing.TB, prefix string) {
			if err := deleteKeys(newClient(t, ""), prefix+":"); err != nil {
				t.Errorf("clean up: %v", err)
			}
		},
	})
}
