// Package redisstore keeps sessions in Redis through go-redis v9's
// redis.UniversalClient: a single node, Sentinel, or Redis Cluster.
//
//	client := redis.NewUniversalClient(&redis.UniversalOptions{
//		Addrs:                 []string{"127.0.0.1:6379"},
//		ContextTimeoutEnabled: true,
//	})
//	st := redisstore.New(client)
//	cfg := core.DefaultConfig()
//	cfg.Driver, cfg.Store = core.DriverNative, st
//
// Each session is one string key, the prefix (see WithPrefix) followed by
// the id, and expires with Redis's own TTL (PX): there is nothing to
// collect, so Store has no Collector ability. Every operation touches a
// single key, so all of them work on Redis Cluster, and each costs one
// round trip: Load is a GET; Save a SET with PX, or a DEL when expiresAt
// has passed; Insert a SET NX PX; CompareAndSwap a Lua script that
// compares the whole stored value before it sets the new one (EVALSHA,
// which falls back once to EVAL when the server does not have the script
// yet).
//
// Lock sets a second key, the prefix, "lock:" and the id, to a random token
// with SET NX PX ttl, polling with backoff while another holder has it;
// unlock deletes it with a script, only if it still holds the token.
//
// go-redis bounds a command by its ReadTimeout and WriteTimeout, not by the
// context's deadline, unless the client's ContextTimeoutEnabled option is
// set: set it so that a context deadline bounds every call of the store.
//
// Store never closes the client.
package redisstore
