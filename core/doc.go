// Package core is the framework-neutral engine of ignitego/session: the
// sessions of CodeIgniter (userdata, flashdata, tempdata, drivers) and Mako
// (CSRF and one-time tokens, regenerateId, clear, a Null store) for Go.
//
// # Manager and Session
//
// A Manager holds the configuration; a Session is one request's handle on a
// user's session. Start from DefaultConfig, which carries CodeIgniter's
// defaults:
//
//	cfg := core.DefaultConfig()
//	cfg.Driver = core.DriverNative // the id in the cookie, the data in Store
//	cfg.Store = memstore.New()
//	m, err := core.New(cfg)
//	if err != nil { ... } // a configuration that cannot work is an error
//	defer m.Close()
//
//	http.ListenAndServe(":8080", m.Middleware(mux))
//
// and in a handler:
//
//	s := core.FromContext(r.Context())
//	s.SetUserdata("user_id", 42)               // set_userdata
//	id, ok := core.Get[int](s, "user_id")      // typed read
//	name := s.Userdata("name")                 // userdata: nil when absent
//	s.UnsetUserdata("cart")                    // unset_userdata
//
// Values come back in the next request with their Go type: bool, string,
// every int, uint and float kind, []byte, time.Time, time.Duration,
// []string, []any and map[string]any, nested. Other types (structs, named
// types) are stored as JSON and come back typed through Get[T]. No gob, no
// registration. A value that cannot be encoded makes Save fail with an
// *EncodeError naming the key, and nothing is written.
//
// Sessions are lazy: Start does no I/O, a handler that never touches the
// session costs no store call and sends no cookie, and one that only reads
// writes nothing.
//
// # Flashdata and tempdata
//
// Flashdata is readable in the request that set it and in the next one;
// KeepFlashdata carries it one request further. Tempdata lives until its
// time to live passes. Both share the userdata key space, as in CodeIgniter.
//
//	s.SetFlashdata("notice", "Saved")          // set_flashdata
//	msg := s.Flashdata("notice")               // flashdata
//	s.KeepFlashdata()                          // keep_flashdata, Mako's reflash
//	s.SetTempdata("otp", code, 5*time.Minute)  // set_tempdata
//
// # Lifecycle and security
//
// Regenerate(DestroyOld) gives the session a new id and ends the old one
// (call it on login and logout), Destroy ends the session, Clear empties it.
// The id also rotates every TimeToUpdate, data kept; requests already in
// flight with the old id follow it for RotationGrace. Ids have 160 bits
// from crypto/rand; cookies are HttpOnly and SameSite=Lax by default. A
// session can be bound to its IP (MatchIP) and to the User-Agent it started
// with (MatchUserAgent). Both are off by default, as in CodeIgniter 3 and 4:
// with MatchUserAgent on, every browser update logs its users out, so turn
// it on only for clients that keep one User-Agent.
//
// Token, ValidateToken and RegenerateToken give a per-session CSRF token;
// GenerateOneTimeToken and ValidateOneTimeToken give tokens that validate
// once where the session lives in a Store (on the cookie driver without
// UseDatabase, a replayed older cookie validates a used token again). Every comparison is constant-time.
//
// # Users and lifetimes
//
// SetUser binds a session to a user on login; the binding and the
// session's Handle survive every id change. Manager.UserSessions lists a
// user's sessions (a SessionInfo per device, never an id), RevokeSession
// ends one by its handle, RevokeUser all but those kept ("sign out
// everywhere else"), across every application instance sharing the Store.
// SetLifetime gives one session its own idle lifetime ("remember me");
// Config.AbsoluteTimeout ends every session some time after it began.
// docs/users.md has a whole Gin page.
//
// # Drivers
//
// A driver decides where a session's data lives: "cookie" (CodeIgniter's
// default: the data in the cookie, signed with HMAC-SHA256 or, with
// EncryptCookie, encrypted with AES-256-GCM; with UseDatabase only the
// signed id, the data in Store), "native" (the id in the cookie, the data in
// Store), or a custom Driver from Config.Drivers (a StoreDriver, for one
// whose sessions live in a Store). Several drivers can serve one request,
// each with its own data and cookie:
//
//	cfg.ValidDrivers = []string{core.DriverNative}
//	n, err := s.Driver(core.DriverNative) // ErrUnknownDriver if not valid
//	n.SetUserdata("big", blob)            // kept server-side
//
// # Stores
//
// A Store keeps bytes with an expiry: memstore (memory), nullstore (Mako's
// Null store), filestore, gormstore (SQLite, PostgreSQL, MySQL/MariaDB) and
// redisstore. Optional abilities are small interfaces discovered by type
// assertion: Swapper (atomic conditional writes), Locker (Config.Lock) and
// Collector (garbage collection, run every GCInterval until Close). Run the
// conformance kit in core/storetest on your own store.
//
// # Concurrency
//
// With a session kept in a Store (the native driver, the cookie driver with
// UseDatabase), two requests of one user running at once (two tabs,
// parallel XHR) do not lose each other's writes: Save writes only what the
// request changed and, on a store with the Swapper ability, merges it into
// what is stored now. The cookie driver without UseDatabase cannot merge:
// each response carries the whole session as its request found it, and the
// browser keeps the last cookie it receives, so of 20 requests in flight at
// once, each setting its own key, one key survives. Destroy and Regenerate
// win over concurrent saves of the old id. With Config.Lock, a session is
// locked from its first access to the end of the request, as in
// CodeIgniter 3, so that read-modify-write of one key (a counter) is exact.
// The lock is a lease the request renews while it runs (Config.LockLease);
// one the store could not release is released as soon as the store
// answers again, and a request whose lease lapsed saves nothing
// (ErrLockLost). Every store call has a deadline (Config.StoreTimeout).
// docs/concurrency.md has the measured recovery times.
//
// # Adapters
//
// The middlewares for Gin (adapters/gin), Echo v4 (adapters/echo) and Fiber
// v2 (adapters/fiber) save the session just before the response headers go
// out, and answer a request whose store failed with 503 through an error
// handler you can replace; Manager.Middleware does the same for net/http.
// Each translates its framework's request into a Transport; so can you,
// with Manager.Start, Session.Commit and Session.Release, and a
// ResponseWriter that commits the session before the headers go out.
// docs/architecture.md walks one request through the engine.
package core
