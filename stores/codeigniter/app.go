package codeigniter

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ignitego/session/core"
)

// App describes a running CodeIgniter application whose sessions the Go
// application shares. Fields left zero take CodeIgniter's defaults for the
// Version; each field names the CodeIgniter setting it mirrors (CodeIgniter
// 3's $config key, then CodeIgniter 4's Config\Session or Config\Cookie
// property).
type App struct {
	// Version is CodeIgniter's major version: 3 (3.1.x) or 4 (4.2.11 and
	// later, whose database ids and Redis keys carry the cookie name).
	// Default: none; it is required.
	Version int

	// Handler is where the application keeps its sessions (sess_driver with
	// sess_save_path; $driver with $savePath): Files, Database or Redis.
	// Default: none; it is required.
	Handler Handler

	// Table is the session table of the Database handler (sess_save_path;
	// $savePath), optionally schema-qualified ("app.ci_sessions").
	// Default: "ci_sessions".
	Table string

	// KeyPrefix is the prefix of the Redis handler's keys, the prefix=
	// parameter of sess_save_path or $savePath; with MatchIP the client IP
	// and ':' follow it.
	// Default: "ci_session:" (3), "ci_session:" + CookieName + ":" (4).
	KeyPrefix string

	// CookieName is the session cookie's name (sess_cookie_name;
	// $cookieName). It also prefixes session files, and CodeIgniter 4's
	// database ids and Redis keys.
	// Default: "ci_session".
	CookieName string

	// Expiration is how long a session lives without being written
	// (sess_expiration; $expiration), in whole seconds. SessionCookie is
	// CodeIgniter's 0.
	// Default: 7200s.
	Expiration time.Duration

	// GCMaxLifetime is PHP's session.gc_maxlifetime: with Expiration set to
	// SessionCookie, CodeIgniter keeps sessions on the server this long.
	// Default: 1440s.
	GCMaxLifetime time.Duration

	// TimeToUpdate is how often the session id is regenerated
	// (sess_time_to_update; $timeToUpdate). NoRegeneration is CodeIgniter's
	// 0.
	// Default: 300s.
	TimeToUpdate time.Duration

	// MatchIP binds sessions to the client IP (sess_match_ip; $matchIP) the
	// way the handler does: in the file name, the key, or the table's
	// ip_address column.
	// Default: false.
	MatchIP bool

	// RegenerateDestroy deletes the old id's data when the id is
	// regenerated every TimeToUpdate (sess_regenerate_destroy;
	// $regenerateDestroy); otherwise the old id keeps its data until it
	// expires.
	// Default: false.
	RegenerateDestroy bool

	// CookieDomain is the cookie's Domain (cookie_domain; Cookie::$domain).
	// Default: "" (host-only).
	CookieDomain string

	// CookiePath is the cookie's Path (cookie_path; Cookie::$path).
	// Default: "/".
	CookiePath string

	// CookieSecure sets the cookie's Secure attribute (cookie_secure;
	// Cookie::$secure). The cookie is always HttpOnly, as CodeIgniter makes
	// it.
	// Default: false.
	CookieSecure bool

	// CookieSameSite is the cookie's SameSite attribute (cookie_samesite;
	// Cookie::$samesite); http.SameSiteDefaultMode sends none.
	// Default: http.SameSiteLaxMode.
	CookieSameSite http.SameSite

	// SIDLength and SIDBitsPerCharacter are PHP's session.sid_length and
	// session.sid_bits_per_character, from which CodeIgniter 3 derives its
	// session ids: it lengthens them to carry at least 160 bits, so PHP's
	// defaults (32 characters of 4 bits) give 40 hex digits, and Debian's
	// php.ini (26 of 5 bits) 32 characters of [0-9a-v]. CodeIgniter 4
	// ignores them and uses 32 hex digits.
	// Default: 32 and 4.
	SIDLength           int
	SIDBitsPerCharacter int

	// LockTimeout bounds how long a request waits for a session that
	// another request, in Go or in PHP, holds (CodeIgniter 4's Redis
	// handler: $lockMaxRetries × $lockRetryInterval; CodeIgniter 3's: 30
	// tries a second apart).
	// Default: 30s.
	LockTimeout time.Duration

	// LockWait is the pause between two attempts to take a Redis session
	// lock that another request holds (CodeIgniter 4's $lockRetryInterval,
	// which counts microseconds; CodeIgniter 3 waits a second).
	// Default: 1s (3), 100ms (4), as CodeIgniter waits.
	LockWait time.Duration
}

// Sentinels for the App fields whose CodeIgniter value 0 means something
// other than "the default".
const (
	// SessionCookie is sess_expiration = 0: the cookie lasts until the
	// browser closes, and the server keeps the session GCMaxLifetime.
	SessionCookie time.Duration = -1

	// NoRegeneration is sess_time_to_update = 0: the id is never
	// regenerated automatically.
	NoRegeneration time.Duration = -1
)

// CodeIgniter's defaults, where they are not Go's zero values.
const (
	DefaultCookieName    = "ci_session"
	DefaultTable         = "ci_sessions"
	DefaultExpiration    = 7200 * time.Second
	DefaultGCMaxLifetime = 1440 * time.Second
	DefaultTimeToUpdate  = 300 * time.Second
	DefaultLockTimeout   = 30 * time.Second
)

// DriverName is the name the codeigniter driver has in core.Config.Drivers.
const DriverName = "codeigniter"

// Config returns a complete core.Config for sharing sessions with app:
// Driver and Drivers name the codeigniter driver on app's storage, Store is
// that storage (for locking and garbage collection), Lock is on, as
// CodeIgniter always locks, MatchIP and MatchUserAgent are off (the storage
// does CodeIgniter's IP binding, and CodeIgniter 3 and 4 bind no
// User-Agent), and the expiry, id regeneration and cookie settings are
// app's. Pass it to core.New, after changing what you need (Logger,
// ErrorHandler, Now).
func Config(app App) (core.Config, error) {
	d, err := NewDriver(app)
	if err != nil {
		return core.Config{}, err
	}
	a := d.app
	cfg := core.DefaultConfig()
	cfg.Driver = DriverName
	cfg.Drivers = map[string]core.Driver{DriverName: d}
	cfg.Store = d.store
	cfg.Lock = true
	cfg.LockTimeout = a.LockTimeout
	cfg.MatchIP, cfg.MatchUserAgent = false, false
	cfg.CookieName = a.CookieName
	cfg.Expiration = a.lifetime()
	cfg.ExpireOnClose = a.Expiration == SessionCookie
	cfg.TimeToUpdate = a.TimeToUpdate
	if a.TimeToUpdate == NoRegeneration {
		cfg.TimeToUpdate = 0
	}
	cfg.CookieDomain = a.CookieDomain
	cfg.CookiePath = a.CookiePath
	cfg.CookieSecure = a.CookieSecure
	cfg.CookieScriptAccess = false
	cfg.CookieSameSite = a.CookieSameSite
	// PHP reads the old id of a rotation: it must hold the session or
	// nothing, never the engine's forward to the new id.
	cfg.RotationGrace = -1
	return cfg, nil
}

// withDefaults fills app's zero fields with CodeIgniter's defaults and
// checks the result.
func (app App) withDefaults() (App, error) {
	if app.Version != 3 && app.Version != 4 {
		return app, fmt.Errorf("codeigniter: Version %d: want 3 or 4", app.Version)
	}
	if app.Handler == nil {
		return app, errors.New("codeigniter: no Handler: use Files, Database or Redis")
	}
	if app.CookieName == "" {
		app.CookieName = DefaultCookieName
	}
	if !validCookieName(app.CookieName) {
		return app, fmt.Errorf("codeigniter: CookieName %q: CodeIgniter allows letters, digits, '_' and '-'", app.CookieName)
	}
	if app.Table == "" {
		app.Table = DefaultTable
	}
	if app.KeyPrefix == "" {
		app.KeyPrefix = "ci_session:"
		if app.Version == 4 {
			app.KeyPrefix += app.CookieName + ":"
		}
	}
	if app.Expiration == 0 {
		app.Expiration = DefaultExpiration
	}
	if app.GCMaxLifetime == 0 {
		app.GCMaxLifetime = DefaultGCMaxLifetime
	}
	if app.TimeToUpdate == 0 {
		app.TimeToUpdate = DefaultTimeToUpdate
	}
	if app.CookiePath == "" {
		app.CookiePath = "/"
	}
	if app.CookieSameSite == 0 {
		app.CookieSameSite = http.SameSiteLaxMode
	}
	if app.SIDLength == 0 {
		app.SIDLength = 32
	}
	if app.SIDBitsPerCharacter == 0 {
		app.SIDBitsPerCharacter = 4
	}
	if app.LockTimeout == 0 {
		app.LockTimeout = DefaultLockTimeout
	}
	if app.LockWait == 0 {
		app.LockWait = time.Second
		if app.Version == 4 {
			app.LockWait = 100 * time.Millisecond
		}
	}
	switch {
	case app.Expiration < 0 && app.Expiration != SessionCookie:
		return app, fmt.Errorf("codeigniter: Expiration %s is negative (SessionCookie is CodeIgniter's 0)", app.Expiration)
	case app.lifetime() < time.Second:
		return app, fmt.Errorf("codeigniter: sessions would live %s; CodeIgniter counts whole seconds", app.lifetime())
	case app.TimeToUpdate < 0 && app.TimeToUpdate != NoRegeneration:
		return app, fmt.Errorf("codeigniter: TimeToUpdate %s is negative (NoRegeneration is CodeIgniter's 0)", app.TimeToUpdate)
	case app.LockTimeout < 0 || app.LockWait < 0:
		return app, errors.New("codeigniter: LockTimeout and LockWait must not be negative")
	case app.SIDLength < 0 || app.SIDLength > core.MaxIDLength:
		return app, fmt.Errorf("codeigniter: SIDLength %d is out of range", app.SIDLength)
	}
	return app, nil
}

// lifetime is how long the server keeps a session that is not written, in
// whole seconds: CodeIgniter's expiration, or gc_maxlifetime for a session
// cookie.
func (app App) lifetime() time.Duration {
	d := app.Expiration
	if d == SessionCookie {
		d = app.GCMaxLifetime
	}
	return d.Truncate(time.Second)
}

// format returns the session format PHP and CodeIgniter give app's sessions.
func (app App) format() core.Format {
	f := core.Format{Codec: "php", IDLength: 32, IDBitsPerCharacter: 4, KeepOldOnRotation: !app.RegenerateDestroy}
	if app.Version == 3 {
		f.IDLength, f.IDBitsPerCharacter = SIDLength(app.SIDLength, app.SIDBitsPerCharacter)
	}
	return f
}

// validID reports whether id has the form of the application's session ids.
func (app App) validID(id string) bool {
	f := app.format()
	if len(id) != f.IDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := '0' <= c && c <= '9'
		switch f.IDBitsPerCharacter {
		case 4:
			ok = ok || 'a' <= c && c <= 'f'
		case 5:
			ok = ok || 'a' <= c && c <= 'v'
		case 6:
			ok = ok || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == ',' || c == '-'
		}
		if !ok {
			return false
		}
	}
	return true
}

// SIDLength returns the session id length and bits per character that
// CodeIgniter 3.1 uses (its _configure_sid_length) under PHP's
// session.sid_length and session.sid_bits_per_character: ids that carry
// fewer than 160 bits are lengthened by ceil((160 mod bits)/bitsPerChar)
// characters. PHP's defaults, 32 and 4, give 40 and 4.
func SIDLength(sidLength, bitsPerCharacter int) (length, bits int) {
	if sidLength <= 0 || bitsPerCharacter <= 0 {
		return sidLength, bitsPerCharacter
	}
	if b := sidLength * bitsPerCharacter; b < 160 {
		sidLength += (160%b + bitsPerCharacter - 1) / bitsPerCharacter
	}
	return sidLength, bitsPerCharacter
}

// validCookieName reports whether name is a cookie name CodeIgniter allows
// ([A-Za-z0-9_-]), which is also safe in a file name and a key.
func validCookieName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
