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
// Lock sets a second key, prefix+"lock:{"+prefix+id+"}", to a random token
// with SET NX PX ttl, polling with backoff while another holder has it;
// unlock deletes it with a script, only if it still holds the token. The
// lock key's hash tag is the session's key, so on Redis Cluster a session
// and its lock share a hash slot: every key a request touches is on one
// master.
//
// For Sentinel, give the sentinels' addresses and the master's name; for a
// cluster, two or more of its nodes (or one, with IsClusterMode):
//
//	redis.NewUniversalClient(&redis.UniversalOptions{
//		Addrs:                 []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"},
//		MasterName:            "mymaster",
//		ContextTimeoutEnabled: true,
//	})
//	redis.NewUniversalClient(&redis.UniversalOptions{
//		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
//		ContextTimeoutEnabled: true,
//	})
//
// While a master fails over, the calls on its sessions fail (the engine
// answers 503) until the replica that replaced it serves; writes the old
// master acknowledged but had not yet replicated are lost, as Redis's
// replication is asynchronous. See docs/stores.md.
//
// go-redis bounds a command by its ReadTimeout and WriteTimeout, not by the
// context's deadline, unless the client's ContextTimeoutEnabled option is
// set: set it so that a context deadline bounds every call of the store.
//
// Store never closes the client.
package redisstore
