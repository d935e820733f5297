// Package codeigniter shares live sessions with a running CodeIgniter 3.1
// or 4 application, so that an application can move from PHP to Go route
// by route: a user logged in on a PHP page is logged in on a Go page, and a
// flash message one sets, the other shows.
//
// Describe the CodeIgniter application with an App, in CodeIgniter's own
// terms, and hand Config's result to core.New:
//
//	cfg, err := codeigniter.Config(codeigniter.App{
//		Version:    4,
//		Handler:    codeigniter.Database(db, codeigniter.MySQL), // db is a *sql.DB, or gormDB.DB()
//		Table:      "ci_sessions",
//		CookieName: "ci_session",
//	})
//	if err != nil { ... }
//	m, err := core.New(cfg)
//	if err != nil { ... }
//	defer m.Close()
//	r.Use(ginsession.New(m)) // or echosession, fibersession, m.Middleware
//
// and in a handler, the session PHP knows:
//
//	s := ginsession.From(c)
//	uid, ok := core.Get[int](s, "user_id")  // $this->session->userdata('user_id')
//	s.SetFlashdata("notice", "Saved")       // $this->session->set_flashdata('notice', 'Saved')
//
// Fields left zero take CodeIgniter's defaults for the version (7200s
// expiry, id regeneration every 300s, cookie ci_session, …); set the ones
// the application's config/config.php (CodeIgniter 3) or
// app/Config/Session.php and app/Config/Cookie.php (CodeIgniter 4)
// changes. The other handlers:
//
//	codeigniter.Files("/var/lib/php/ci_sessions")  // sess_save_path
//	codeigniter.Redis(redisClient)                 // a go-redis v9 UniversalClient
//
// # What is shared, and how
//
// The Driver keeps sessions where CodeIgniter's handler keeps them, in the
// layout of the version (see FileStore, DatabaseStore and RedisStore), as
// PHP's session serializer writes $_SESSION, with CodeIgniter's __ci_vars
// (flash and temp data) and __ci_last_regenerate: the engine reads and
// writes that format (core.Format with Codec "php"), ages flash and temp
// data at the start of a request as CodeIgniter does, and regenerates the
// id every TimeToUpdate. The cookie is the bare session id, of the form
// CodeIgniter's PHP makes (40 hex digits for CodeIgniter 3 with PHP's
// defaults, see SIDLength; 32 for CodeIgniter 4), url-encoded as PHP sends
// it; the Driver logs once when a client sends an id of another form.
//
// PHP's arrays reach Go as a *php.Array, which keeps their order: change
// one in place and store it back, or merge into it with Session.Push
// (CodeIgniter 4's push); core.Get[map[string]any] gives a copy with the
// same types, ints as int64.
//
// Sessions are locked as CodeIgniter locks them (PHP's flock on the
// session file, GET_LOCK or pg_advisory_lock, a ":lock" key in Redis), from
// a request's first use of its session to its end: a Go request waits
// while a PHP request holds the session, and the reverse. Config turns the
// engine's lock on; CodeIgniter always locks.
//
// With App.MatchIP, sessions are bound to the client IP the way the
// handler binds them (the file name, the key, the ip_address column); the
// driver takes the IP from the request's Transport, so put the same
// trusted-proxy handling in front of both applications.
//
// docs/codeigniter.md in the repository walks through a migration, maps
// CodeIgniter's settings and calls to Go, and lists what differs.
package codeigniter
