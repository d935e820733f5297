package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Manager holds a validated Config and serves sessions to requests. It is
// safe for concurrent use; create one per application with New, and Close it
// when the application stops to end background garbage collection.
type Manager struct {
	cfg          Config
	sealer       *sealer
	drivers      map[string]*driverSlot
	def          *driverSlot
	cookieMaxAge int

	closeOnce    sync.Once
	replayWarned sync.Once // the one-time token warning of the cookie driver without a store
	stop         chan struct{}
	done         chan struct{}
	realClock    bool          // Config.Now is time.Now: expiries need no translation (boundstore.go)
	closed       chan struct{} // closed by Close
	orphans      orphans       // locks whose release failed (lock.go)
}

// driverSlot is one valid driver with its cookie and format.
type driverSlot struct {
	name    string
	d       Driver
	cookie  string
	codec   codec
	ids     *idForm
	keepOld bool // rotation keeps the old id's data (Format.KeepOldOnRotation)
	markers bool // the format can hold the engine's forwards and tombstones
}

// New validates cfg and returns a Manager. A configuration that cannot work
// is an error wrapping ErrInvalidConfig: a cookie driver without an
// EncryptionKey of at least 32 bytes, the native driver or UseDatabase
// without a Store, Lock without a Store that can lock, an unknown driver
// name (also wrapping ErrUnknownDriver), a malformed cookie name, cookie
// settings that break the rules of a __Secure- or __Host- name or of
// CookiePartitioned, an AbsoluteTimeout a driver cannot keep.
func New(cfg Config) (*Manager, error) {
	realClock := cfg.Now == nil
	cfg = cfg.withDefaults()
	m := &Manager{cfg: cfg, drivers: make(map[string]*driverSlot), realClock: realClock, closed: make(chan struct{})}
	if err := m.validate(); err != nil {
		return nil, err
	}
	if cfg.ExpireOnClose {
		m.cookieMaxAge = 0
	} else {
		m.cookieMaxAge = int(cfg.lifetime() / time.Second)
	}
	m.startGC()
	return m, nil
}

func (m *Manager) validate() error {
	cfg := &m.cfg
	switch {
	case cfg.Expiration < NoExpiration:
		return configError("Expiration %s is negative (use NoExpiration)", cfg.Expiration)
	case cfg.TimeToUpdate < 0:
		return configError("TimeToUpdate %s is negative", cfg.TimeToUpdate)
	case cfg.CookieSameSite == http.SameSiteNoneMode && !cfg.CookieSecure:
		return configError("CookieSameSite None needs CookieSecure: browsers drop such cookies")
	}
	if err := checkCookieRules(cfg); err != nil {
		return err
	}
	for name := range cfg.Drivers {
		if name == DriverCookie || name == DriverNative {
			return configError("custom driver %q takes a built-in driver's name", name)
		}
		if cfg.Drivers[name] == nil {
			return configError("custom driver %q is nil", name)
		}
	}
	keyed := len(cfg.EncryptionKey) > 0
	if !keyed && len(cfg.PreviousEncryptionKeys) > 0 {
		return configError("PreviousEncryptionKeys without an EncryptionKey")
	}
	for _, k := range append([][]byte{cfg.EncryptionKey}, cfg.PreviousEncryptionKeys...) {
		if keyed && len(k) < MinKeyLength {
			return configError("encryption keys need at least %d bytes, one has %d", MinKeyLength, len(k))
		}
	}
	if keyed {
		s, err := newSealer(cfg.EncryptionKey, cfg.PreviousEncryptionKeys, cfg.EncryptCookie)
		if err != nil {
			return configError("encryption key: %v", err)
		}
		m.sealer = s
	}
	for i, name := range append([]string{cfg.Driver}, cfg.ValidDrivers...) {
		if _, dup := m.drivers[name]; dup {
			continue
		}
		cookie := cfg.CookiePrefix + cfg.CookieName
		if i > 0 {
			cookie += "_" + name
		}
		if !validCookieName(cookie) {
			return configError("cookie name %q is not a valid cookie name", cookie)
		}
		d, err := m.builtin(name)
		if err != nil {
			return err
		}
		f := formatOf(d)
		c, err := codecFor(f, cfg)
		if err != nil {
			return err
		}
		ids, err := newIDForm(f)
		if err != nil {
			return err
		}
		if f.Codec == "php" && (cfg.MatchUserAgent || cfg.MatchIP) {
			return configError("driver %q stores sessions as PHP does, without the User-Agent or IP: set MatchUserAgent and MatchIP false (the driver's store matches IPs as CodeIgniter's sess_match_ip does)", name)
		}
		slot := &driverSlot{name: name, d: d, cookie: cookie, codec: c, ids: ids, keepOld: f.KeepOldOnRotation, markers: f.Codec == ""}
		m.drivers[name] = slot
		if i == 0 {
			m.def = slot
		}
	}
	if cfg.Lock {
		switch _, ok := cfg.Store.(Locker); {
		case cfg.Store == nil && len(cfg.Drivers) == 0:
			return configError("Lock needs a Store")
		case cfg.Store != nil && !ok:
			return configError("Lock needs a Store with the Locker ability; %T has none", cfg.Store)
		}
		// A custom driver may lock in a store of its own: StoreDriver checks
		// that store when it is used.
	}
	return m.checkLifetimes()
}

// builtin returns the driver called name.
func (m *Manager) builtin(name string) (Driver, error) {
	cfg := &m.cfg
	switch name {
	case DriverCookie:
		if m.sealer == nil {
			return nil, configError("the cookie driver needs an EncryptionKey of at least %d bytes", MinKeyLength)
		}
		if !cfg.UseDatabase {
			return cookieDriver{}, nil
		}
		if cfg.Store == nil {
			return nil, configError("UseDatabase needs a Store")
		}
		return &StoreDriver{Store: cfg.Store, sealed: true}, nil
	case DriverNative:
		if cfg.Store == nil {
			return nil, configError("the native driver needs a Store")
		}
		return &StoreDriver{Store: cfg.Store}, nil
	}
	if d, ok := cfg.Drivers[name]; ok {
		return d, nil
	}
	return nil, &invalidConfig{
		msg:  fmt.Sprintf("unknown driver %q: neither built in nor in Drivers", name),
		errs: []error{ErrInvalidConfig, ErrUnknownDriver},
	}
}

// Config returns the configuration in force, defaults filled in.
func (m *Manager) Config() Config { return m.cfg }

// CookieName returns the name of the cookie the named driver uses, or ""
// when the driver is not valid.
func (m *Manager) CookieName(driver string) string {
	if s, ok := m.drivers[driver]; ok {
		return s.cookie
	}
	return ""
}

// Start begins the session of one request. It does no I/O: a driver loads
// the session when a handler first touches it, so a request whose handler
// never does costs no store call and sends no cookie. ctx is the request's
// context; it bounds that lazy load. The middlewares call Start, Commit and
// Release for you.
func (m *Manager) Start(ctx context.Context, t Transport) (*Session, error) {
	if t == nil {
		return nil, errors.New("session: Start needs a Transport")
	}
	q := &request{m: m, ctx: ctx, t: t}
	q.handle.q = q
	return &q.handle, nil
}

// LogFailure logs, at level Error with Config.Logger, a request whose
// session could not be loaded or saved; status is ErrorStatus(err). Every
// middleware calls it when a session fails, before its error handler
// answers, so that no failure goes unreported whatever answers it.
func (m *Manager) LogFailure(ctx context.Context, status int, err error) {
	m.cfg.Logger.ErrorContext(ctx, "session: request failed", "status", status, "error", err)
}

// handleError answers a request whose session failed, for Middleware.
func (m *Manager) handleError(w http.ResponseWriter, r *http.Request, status int, err error) {
	m.LogFailure(r.Context(), status, err)
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(w, r, status, err)
		return
	}
	http.Error(w, http.StatusText(status), status)
}

// storeContext bounds the calls to st that follow by Config.StoreTimeout,
// unless st never blocks (InProcess): a timer per call would cost more
// than such a store's calls, half again the engine's time per request on
// memstore (BenchmarkRequest/native/rw, benchstat).
func (m *Manager) storeContext(ctx context.Context, st Store) (context.Context, context.CancelFunc) {
	if _, local := st.(InProcess); local || m.cfg.StoreTimeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, m.cfg.StoreTimeout)
}

// storeTimeout is the deadline of a store call that nothing else bounds
// (a lock's release in the background): Config.StoreTimeout, or the
// default when it is disabled.
func (m *Manager) storeTimeout() time.Duration {
	if m.cfg.StoreTimeout < 0 {
		return DefaultStoreTimeout
	}
	return m.cfg.StoreTimeout
}

// Collect removes expired sessions from the Store now, in batches of
// Config.GCBatch, and returns how many it removed. Stores without the
// Collector ability expire sessions themselves: Collect returns 0.
func (m *Manager) Collect(ctx context.Context) (int, error) {
	c, ok := m.cfg.Store.(Collector)
	if !ok {
		return 0, nil
	}
	total := 0
	for {
		n, err := c.Collect(ctx, m.cfg.GCBatch)
		total += n
		if err != nil {
			return total, storeError("collect", "", err)
		}
		if n < m.cfg.GCBatch {
			return total, nil
		}
	}
}

// startGC runs Collect every GCInterval until Close.
func (m *Manager) startGC() {
	if _, ok := m.cfg.Store.(Collector); !ok || m.cfg.GCInterval <= 0 {
		return
	}
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.done)
		tick := time.NewTicker(m.cfg.GCInterval)
		defer tick.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
				ctx, cancel := context.WithCancel(context.Background())
				go func() {
					select {
					case <-m.stop:
						cancel()
					case <-ctx.Done():
					}
				}()
				if _, err := m.Collect(ctx); err != nil && ctx.Err() == nil {
					m.cfg.Logger.Warn("session: garbage collection failed", "error", err)
				}
				cancel()
			}
		}
	}()
}

// Close stops the background garbage collection and waits for it to end,
// and stops retrying the release of locks that failed to release (they
// lapse after Config.LockLease). It never closes the Store. Calling it more
// than once is safe.
func (m *Manager) Close() error {
	m.closeOnce.Do(func() {
		close(m.closed)
		if m.stop != nil {
			close(m.stop)
			<-m.done
		}
	})
	return nil
}
