// Package instances runs one application as three processes sharing one
// store, as a deployment of several app servers behind a load balancer
// does, for the stores' own tests.
//
// The test binary runs itself again once per instance: ChildVar, set in a
// child's environment, makes Run serve HTTP on a loopback port with two
// Managers on the shared store (the native driver, and the cookie driver
// with UseDatabase), each with Config.Lock, a one-second TimeToUpdate and a
// garbage collection every 200ms. The parent is the load balancer and the
// users: each user sends its requests to the instances in turn with one
// cookie jar (cookies are not port-specific), while the parent restarts
// the instances one by one to roll the cookie key over, and sessions that
// users abandoned expire. See Run for what it checks.
package instances

import (
	"os"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

// ChildVar holds, in a child process, the JSON description of the instance
// it runs. Run serves as that instance instead of running the test.
const ChildVar = "SESSION_TEST_INSTANCE"

// Backend is the store the instances share.
type Backend struct {
	// Open returns a store on the table or key prefix called name, creating
	// what is missing. The parent and every instance open it so; it must not
	// remove anything when the test ends.
	Open func(t testing.TB, name string) core.Store

	// Kept reports whether the backend still holds anything under the
	// session id, expired or not: a row, a key.
	Kept func(t testing.TB, name, id string) bool

	// Clean removes everything the test left under name.
	Clean func(t testing.TB, name string)
}

// The configuration every instance shares. Expiration is short so that
// abandoned sessions expire within the test; users who come back sooner keep
// theirs.
const (
	expiration    = 3 * time.Second
	timeToUpdate  = time.Second
	rotationGrace = time.Second
	gcInterval    = 200 * time.Millisecond
)

// The two ways the instances keep sessions, each behind its own path
// prefix and cookie.
const (
	modeNative = "native" // the native driver
	modeCookie = "cookie" // the cookie driver with UseDatabase
)

var modes = []string{modeNative, modeCookie}

// Run runs the application as three instances on the store b opens, and
// checks that, while users' requests go round the instances, ids rotate,
// the instances restart one by one three times to roll the cookie key over
// (the new key accepted, then signing with the old one accepted, then the
// old one retired once Expiration has passed), and every instance collects
// garbage:
//
//   - every request is answered 200;
//   - every user's counter, incremented by two concurrent requests at a time
//     on two instances (Config.Lock makes that exact), goes up by exactly
//     one per request, and every instance sees the final count: no session
//     is lost or mixed up;
//   - the sessions users abandoned are gone from the backend (collected,
//     or expired by the backend itself), and the live ones are still there;
//   - no instance logs a warning or an error, and with a store that has the
//     Collector ability, every instance collected garbage.
//
// In a child process (ChildVar set) Run serves as the instance and exits.
func Run(t *testing.T, b Backend) {
	if raw := os.Getenv(ChildVar); raw != "" {
		serve(t, b, raw)
		return
	}
	run(t, b)
}
