package bench

import (
	"testing"
)

// Case is one library on one store, mounted in one framework, serving the
// workloads (and the warm-up) at "/"+workload.
type Case struct {
	Framework string // "gin", "echo", "fiber", "http" (net/http)
	Library   string // "floor" (no session), "ours", or a peer's name
	Store     string // "none", "cookie", "memory" or "redis"

	target target
	misses *misses
	io     *meter         // the store's I/O; nil when not counted
	calls  *countingStore // ours, when its store calls are counted; else nil
}

// Name is framework/library/store.
func (c *Case) Name() string { return c.Framework + "/" + c.Library + "/" + c.Store }

// mount builds one case. Each build gets a fresh application and store; tb
// cleans them up.
type mount struct {
	library, store string
	build          func(tb testing.TB) *Case
}

// Mounts returns every case of framework fw: its floor, ours on each store
// variant, then the peers.
func mounts(fw string) []mount {
	var ms []mount
	switch fw {
	case "gin":
		ms = ginMounts()
	case "echo":
		ms = echoMounts()
	case "fiber":
		ms = fiberMounts()
	case "http":
		ms = httpMounts()
	}
	return ms
}

// Frameworks lists the frameworks in the order they are reported.
var Frameworks = []string{"gin", "echo", "fiber", "http"}

// paths are the routes every application serves.
func paths() []string { return append([]string{seed}, Workloads...) }
