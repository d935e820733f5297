// Package bench measures ignitego/session against the session libraries
// Gin, Echo, Fiber and net/http users reach for instead, in the same
// handlers.
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
// its floor. Three kinds of benchmark run them:
//
//   - BenchmarkGin, BenchmarkEcho, BenchmarkFiber, BenchmarkHTTP: one
//     request at a time in process (ServeHTTP for Gin, Echo and net/http,
//     the fasthttp handler for Fiber), with the cookie of a warm-up request,
//     on cookies, memory and Redis, and in Gin also on PostgreSQL, MariaDB
//     and SQLite (ours' GORM store against scs's SQL stores and
//     gin-contrib/sessions' GORM store) and on files (ours' file store
//     against gorilla/sessions' FilesystemStore).
//   - BenchmarkLoad: closed-loop HTTP load over loopback listeners, 64
//     keep-alive clients with cookie jars, each framework's floor and ours
//     and the peers on memory and Redis (load.go).
//   - BenchmarkScale: ours' stores loaded with a thousand and a million
//     sessions: a request, a garbage collection pass, and requests during
//     one (scale.go).
//
// Every case on a store reports its I/O per request, counted: round trips
// at the client's sockets for Redis, PostgreSQL and MariaDB, statements at
// the database/sql driver for SQLite, read and write system calls for
// files (meter.go). invariants_test.go checks that every case behaves, and
// what ours costs by count.
//
// run.sh runs the benchmarks and regenerates docs/performance.md with
// cmd/report; profile.sh profiles ours. The servers are named by
// SESSION_TEST_REDIS_ADDR (default 127.0.0.1:6379), SESSION_TEST_POSTGRES_DSN
// and SESSION_TEST_MYSQL_DSN (unset: the cases on them skip). Each case
// works in a key prefix, schema, database or directory of its own, and
// removes it.
package bench
