package core

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Config mirrors CodeIgniter's session preferences (the sess_* and cookie_*
// keys). Start from DefaultConfig. Every zero value is a safe default: a
// Config{} literal with a key and a store sends HttpOnly, SameSite=Lax
// cookies as DefaultConfig does, and other zero values take the default
// their documentation names.
type Config struct {
	// Driver is the driver the session starts on (sess_driver): "cookie",
	// "native", or the name of a custom driver in Drivers.
	// Default: "cookie".
	Driver string

	// ValidDrivers names further drivers that handlers may load
	// (sess_valid_drivers). Driver is always valid.
	// Default: none.
	ValidDrivers []string

	// CookieName is the session cookie's name (sess_cookie_name), after
	// CookiePrefix. Each further driver's cookie adds "_" and its name.
	// Default: "ci_session".
	CookieName string

	// Expiration is how long a session lives without activity
	// (sess_expiration). NoExpiration keeps it for 400 days, the browsers'
	// cap on cookie lifetime.
	// Default: 2h.
	Expiration time.Duration

	// ExpireOnClose makes the cookie a browser-session cookie, with neither
	// Max-Age nor Expires (sess_expire_on_close). Expiration still applies on
	// the server.
	// Default: false.
	ExpireOnClose bool

	// AbsoluteTimeout ends a session this long after it began, however
	// active it is: a stolen session cannot be kept alive forever, and a
	// "remember me" session (Session.SetLifetime) signs in again now and
	// then. Zero never ends a session for its age. The drivers that store
	// sessions as PHP does (stores/codeigniter) keep no start time: New
	// refuses it with them.
	// Default: 0.
	AbsoluteTimeout time.Duration

	// EncryptCookie encrypts the cookie driver's payload with AES-256-GCM
	// instead of only signing it with HMAC-SHA256 (sess_encrypt_cookie).
	// Default: false.
	EncryptCookie bool

	// UseDatabase keeps the cookie driver's data in Store: the cookie carries
	// only the signed id, so deleting the stored session revokes it
	// (sess_use_database).
	// Default: false.
	UseDatabase bool

	// TimeToUpdate is how often the session id is rotated, data kept
	// (sess_time_to_update). Zero never rotates.
	// Default: 5m.
	TimeToUpdate time.Duration

	// MatchIP binds a session to the client IP it started from
	// (sess_match_ip): another IP gets a fresh, empty session.
	// Default: false.
	MatchIP bool

	// MatchUserAgent binds a session to the first 120 bytes of the
	// User-Agent it started with (sess_match_useragent): another User-Agent
	// gets a fresh, empty session. CodeIgniter 3 and 4 dropped it because
	// every browser update changes the User-Agent and so logs every user
	// out. Turn it on only where clients keep one User-Agent (an API used
	// by your own app, a kiosk) and a stolen cookie replayed from another
	// client must fail even with the same IP.
	// Default: false.
	MatchUserAgent bool

	// CookiePrefix is prepended to every session cookie's name (cookie_prefix).
	// Default: "".
	CookiePrefix string

	// CookieDomain is the cookies' Domain attribute (cookie_domain).
	// Default: "" (host-only).
	CookieDomain string

	// CookiePath is the cookies' Path attribute (cookie_path).
	// Default: "/".
	CookiePath string

	// CookieSecure sets the Secure attribute (cookie_secure).
	// Default: false.
	CookieSecure bool

	// CookieScriptAccess lets the page's scripts read the session cookies:
	// they are sent without the HttpOnly attribute (cookie_httponly =
	// FALSE). Leave it false unless a script must read them.
	// Default: false (HttpOnly).
	CookieScriptAccess bool

	// CookieSameSite is the SameSite attribute. http.SameSiteNoneMode needs
	// CookieSecure.
	// Default: http.SameSiteLaxMode.
	CookieSameSite http.SameSite

	// CookiePartitioned sets the Partitioned attribute (CHIPS): a browser
	// keeps a separate cookie for each top-level site that embeds the
	// application in a frame. It needs CookieSecure.
	// Default: false.
	CookiePartitioned bool

	// EncryptionKey signs (HMAC-SHA256) and, with EncryptCookie, encrypts
	// (AES-256-GCM) the cookie driver's cookies. Separate keys for both are
	// derived from it with HKDF-SHA256. It must hold at least 32 bytes and is
	// required whenever the cookie driver is valid.
	// Default: none.
	EncryptionKey []byte

	// PreviousEncryptionKeys are keys that signed or encrypted cookies before
	// EncryptionKey replaced them. Cookies made with them are still accepted,
	// and are re-issued with EncryptionKey the next time they are saved.
	// Default: none.
	PreviousEncryptionKeys [][]byte

	// Store keeps sessions on the server for the "native" driver and for
	// UseDatabase. See Store for the optional abilities it may have.
	// Default: none.
	Store Store

	// Drivers are custom drivers by name (CodeIgniter's CI_Session_<name>).
	// The names "cookie" and "native" are taken.
	// Default: none.
	Drivers map[string]Driver

	// Now is the clock. Tests inject a fake one.
	// Default: time.Now.
	Now func() time.Time

	// RotationGrace is how long the old id of an automatic rotation (see
	// TimeToUpdate) still leads to the session, for requests already in
	// flight with it. Regenerate(DestroyOld) ends the old id at once. Negative
	// disables the grace.
	// Default: 10s.
	RotationGrace time.Duration

	// Lock holds an exclusive lock on a session from its first access in a
	// request until the request ends, as CodeIgniter 3 does, so that
	// read-modify-write of one key is exact under concurrent requests. It
	// needs a Store with the Locker ability.
	// Default: false.
	Lock bool

	// LockTimeout bounds the wait for a session lock; past it, the session
	// fails to load with ErrLockTimeout.
	// Default: 10s.
	LockTimeout time.Duration

	// LockLease is how long a session lock outlives its last renewal. The
	// request holding it renews it every LockLease/3 while it runs, however
	// long, and releases it when it ends. A lock its holder could not
	// release (the store was down at the time) is released by a retry in
	// the background as soon as the store answers, taken over by the next
	// request for that session in the same process, and in any case lapses
	// LockLease after its last renewal. A request whose lock lapsed (the
	// store was out of reach for longer than LockLease) saves nothing and
	// fails with ErrLockLost. See docs/concurrency.md.
	// Default: 5s.
	LockLease time.Duration

	// StoreTimeout bounds the Store calls of one load, one save or one
	// destroy of a session, and each lock renewal and release, so that a
	// store that hangs fails the request with ErrStore instead of holding
	// it. A lock wait is bounded by LockTimeout instead, and a shorter
	// deadline on the request's context still applies. Stores with the
	// InProcess ability (memstore, nullstore) get no deadline. Negative
	// disables it.
	// Default: 5s.
	StoreTimeout time.Duration

	// GCInterval is how often the Manager removes expired sessions from a
	// Store with the Collector ability. Negative disables the schedule;
	// Manager.Collect still runs it on demand.
	// Default: 1m.
	GCInterval time.Duration

	// GCBatch is the most sessions one Collect call deletes.
	// Default: 1000.
	GCBatch int

	// Logger receives what the engine cannot return: a session that could
	// not be loaded or saved (every middleware logs it, whatever error
	// handler answers), a session changed after the response headers were
	// sent, a failed background collection.
	// Default: slog.Default().
	Logger *slog.Logger

	// ErrorHandler answers a request whose session could not be loaded or
	// saved, in Manager.Middleware; status is ErrorStatus(err). The error
	// has been logged with Logger by then (Manager.LogFailure). The Gin,
	// Echo and Fiber middlewares have their own, in their frameworks' terms.
	// Default: the status code and its text.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, status int, err error)
}

// NoExpiration is CodeIgniter's sess_expiration = 0: a session that does not
// expire with inactivity. Its cookie lives 400 days, the browsers' cap.
const NoExpiration time.Duration = -1

// Defaults that are not zero values.
const (
	DefaultCookieName    = "ci_session"
	DefaultExpiration    = 2 * time.Hour
	DefaultTimeToUpdate  = 5 * time.Minute
	DefaultTempdataTTL   = 5 * time.Minute
	DefaultRotationGrace = 10 * time.Second
	DefaultLockTimeout   = 10 * time.Second
	DefaultLockLease     = 5 * time.Second
	DefaultStoreTimeout  = 5 * time.Second
	DefaultGCInterval    = time.Minute
	DefaultGCBatch       = 1000

	// noExpirationLifetime is the lifetime NoExpiration gives cookies and
	// stored sessions: 400 days, the longest browsers keep a cookie.
	noExpirationLifetime = 400 * 24 * time.Hour

	// MinKeyLength is the shortest EncryptionKey New accepts.
	MinKeyLength = 32
)

// Built-in driver names.
const (
	DriverCookie = "cookie"
	DriverNative = "native"
)

// DefaultConfig returns CodeIgniter's defaults. Add an EncryptionKey for the
// cookie driver, or set Driver to "native" and a Store.
func DefaultConfig() Config {
	return Config{
		Driver:         DriverCookie,
		CookieName:     DefaultCookieName,
		Expiration:     DefaultExpiration,
		TimeToUpdate:   DefaultTimeToUpdate,
		CookiePath:     "/",
		CookieSameSite: http.SameSiteLaxMode,
		RotationGrace:  DefaultRotationGrace,
		LockTimeout:    DefaultLockTimeout,
		LockLease:      DefaultLockLease,
		StoreTimeout:   DefaultStoreTimeout,
		GCInterval:     DefaultGCInterval,
		GCBatch:        DefaultGCBatch,
	}
}

// withDefaults fills the zero values that have a non-zero default.
func (c Config) withDefaults() Config {
	if c.Driver == "" {
		c.Driver = DriverCookie
	}
	if c.CookieName == "" {
		c.CookieName = DefaultCookieName
	}
	if c.Expiration == 0 {
		c.Expiration = DefaultExpiration
	}
	if c.CookiePath == "" {
		c.CookiePath = "/"
	}
	if c.CookieSameSite == 0 {
		c.CookieSameSite = http.SameSiteLaxMode
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RotationGrace == 0 {
		c.RotationGrace = DefaultRotationGrace
	}
	if c.LockTimeout <= 0 {
		c.LockTimeout = DefaultLockTimeout
	}
	if c.LockLease <= 0 {
		c.LockLease = DefaultLockLease
	}
	if c.StoreTimeout == 0 {
		c.StoreTimeout = DefaultStoreTimeout
	}
	if c.GCInterval == 0 {
		c.GCInterval = DefaultGCInterval
	}
	if c.GCBatch <= 0 {
		c.GCBatch = DefaultGCBatch
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// lifetime is how long a session lives without activity.
func (c *Config) lifetime() time.Duration {
	if c.Expiration == NoExpiration {
		return noExpirationLifetime
	}
	return c.Expiration
}

// touchInterval is how stale the last write of the session r may grow
// before a request that only reads it writes it again, to slide its expiry:
// a tenth of its lifetime, or the rotation period when that is shorter (rotation
// writes anyway).
func (c *Config) touchInterval(r *record) time.Duration {
	d := c.lifetimeOf(r) / 10
	if c.TimeToUpdate > 0 && c.TimeToUpdate < d {
		d = c.TimeToUpdate
	}
	return d
}

// configError returns an error New reports: it reads "session: invalid
// config: " and the formatted message, and wraps ErrInvalidConfig.
func configError(format string, args ...any) error {
	return &invalidConfig{msg: fmt.Sprintf(format, args...), errs: []error{ErrInvalidConfig}}
}

// invalidConfig is an error of New. Its message carries the module's prefix
// once, however many sentinels it wraps (ErrInvalidConfig first, then, for
// an unknown driver name, ErrUnknownDriver).
type invalidConfig struct {
	msg  string
	errs []error
}

func (e *invalidConfig) Error() string   { return ErrInvalidConfig.Error() + ": " + e.msg }
func (e *invalidConfig) Unwrap() []error { return e.errs }

// validCookieName reports whether s is an RFC 6265 cookie-name token.
func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
			return false
		}
	}
	return true
}
