// Package slotmap makes a Redis Cluster client notice a failover soon after
// it happens, for the stores on Redis.
package slotmap

import "context"

// Reloader is the ability of go-redis's *redis.ClusterClient to reload, in
// the background, its map of which node serves which hash slot; it runs one
// reload at a time and folds the calls made meanwhile into the next.
type Reloader interface {
	ReloadState(ctx context.Context)
}

// AfterError asks client to reload its slot map, when it is a cluster
// client, after a call on it failed. go-redis reloads the map by itself
// only after a MOVED or ASK redirect and every ClusterStateReloadInterval,
// a minute by default: after a master fails, the client keeps sending the
// master's slots to the dead node, which can redirect nothing, and every
// session on them fails until the next periodic reload. A failed call is
// the sign that the map may be stale.
func AfterError(ctx context.Context, client any) {
	if r, ok := client.(Reloader); ok {
		r.ReloadState(ctx)
	}
}
