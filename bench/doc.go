// Package bench measures ignitego/session against the session libraries
// Gin, Echo and Fiber users reach for instead, in the same handlers.
//
// It is a module of its own, so that none of those peers becomes a
// dependency of the library. Each case mounts one library and store in one
// framework and serves four workloads with identical handlers:
//
//	rw         read an int, write it back plus one
//	ro         read a string
//	untouched  never touch the session
//	new        first visit (no cookie), set two values
//
// and every framework also serves the same handler with no session at all,
// its floor. Requests run in process: ServeHTTP for Gin and Echo, the
// fasthttp handler for Fiber, with the cookie of a warm-up request.
//
// run.sh runs the benchmarks and regenerates docs/performance.md; profile.sh
// profiles ours. Cases on Redis use SESSION_TEST_REDIS_ADDR (default
// 127.0.0.1:6379). Ours on Redis needs the stores/redis package and builds
// with -tags redisstore.
package bench
