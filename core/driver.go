package core

import (
	"context"
	"fmt"
	"time"
)

// Driver keeps one namespace of session data between requests: where the
// encoded session lives and how the client refers to it. It is CodeIgniter's
// CI_Session_driver: Load is initialize and get_userdata, Save is sess_save
// (and sess_regenerate, which arrives as a Commit with a new ID), Destroy is
// sess_destroy.
//
// A driver is the layer between the engine and the client or the store: the
// engine does everything the session means (data, flash and temp ageing,
// expiry, binding, tokens, id rotation) and hands a driver bytes and ids
// only, for a session a handler touched; the driver never calls back. The
// built-in drivers are the cookie driver, which seals the whole session
// into its cookie, and StoreDriver, which keeps sessions in a Store (the
// "native" driver, and the cookie driver with UseDatabase). A custom driver
// whose sessions live in a Store is a StoreDriver or wraps one; any other
// moves the bytes itself.
type Driver interface {
	// Load returns the session the request carries. A zero Loaded (no Data)
	// starts a fresh session: the request carries none, or one the driver
	// cannot find or accept. An error is a failure (a store down), never an
	// expected condition such as a tampered cookie.
	Load(ctx context.Context, r *DriverRequest) (Loaded, error)

	// Save persists c.Data under c.ID and, when c.Refresh is set or the id
	// changed (c.PrevID), sends the client its reference with r.SetCookie.
	// When c.PrevID is set, the old id ends unless c.KeepPrev.
	Save(ctx context.Context, r *DriverRequest, c *Commit) error

	// Destroy removes the session id and its data, and expires the client's
	// reference to it (r.ExpireCookie).
	Destroy(ctx context.Context, r *DriverRequest, id string) error
}

// Loaded is what Driver.Load found.
type Loaded struct {
	// ID is the session id the data was found under. Leave it empty when the
	// id travels inside Data (the cookie driver): the engine reads it there.
	ID string

	// Data is the encoded session, as a Commit carried it; nil when none.
	// It belongs to the engine from now on.
	Data []byte

	// Refresh reports that the client's reference is out of date: it
	// followed an id rotation, or its cookie was sealed with a previous key.
	// The engine saves, and the driver sends the reference again.
	Refresh bool
}

// Commit is one save of a session, from the engine to its driver. A driver
// reads it and may keep nothing of it after Save returns.
type Commit struct {
	ID        string    // the id to save under
	PrevID    string    // the id the session was loaded under, when ID replaces it; "" otherwise
	KeepPrev  bool      // Regenerate(KeepOld): PrevID keeps its data
	Rotated   bool      // an automatic rotation: PrevID leads to ID for Config.RotationGrace
	Data      []byte    // the encoded session
	Base      []byte    // the encoded session as loaded or last saved; nil for a new session
	ExpiresAt time.Time // when the stored session expires
	Refresh   bool      // the client's reference must be sent again (a new id, or a lifetime to slide)

	rebase *rebase // the request's changes, which StoreDriver re-applies over a concurrent save
	gone   bool    // StoreDriver found the session destroyed meanwhile and saved nothing
}

// DriverRequest is a driver's view of the request being served: the
// driver's cookie with the configured attributes, and the form of its ids.
type DriverRequest struct {
	Name       string // the driver's name
	CookieName string // the cookie this driver owns: CookiePrefix+CookieName, plus "_"+Name for a further driver
	Transport  Transport
	Now        time.Time

	m       *Manager
	q       *request
	ids     *idForm
	markers bool  // the driver's format can hold the engine's forwards and tombstones
	maxAge  int32 // the cookie's Max-Age in seconds: the session's lifetime (lifetime.go); packs with markers
}

// Cookie returns the value of the driver's cookie, "" when absent.
func (r *DriverRequest) Cookie() string { return r.Transport.Cookie(r.CookieName) }

// SetCookie sends the driver's cookie with the configured attributes and
// lifetime. It returns ErrCookieTooLarge, sending nothing, when name=value
// would exceed 4096 bytes, and ErrModifiedAfterCommit once the response
// headers have gone out.
func (r *DriverRequest) SetCookie(value string) error {
	if n := len(r.CookieName) + 1 + len(value); n > MaxCookieSize {
		return fmt.Errorf("%w: driver %q needs %d bytes", ErrCookieTooLarge, r.Name, n)
	}
	return r.sendCookie(value, int(r.maxAge))
}

// ExpireCookie tells the client to delete the driver's cookie.
func (r *DriverRequest) ExpireCookie() error {
	return r.sendCookie("", -1)
}

func (r *DriverRequest) sendCookie(value string, maxAge int) error {
	if r.q.committed {
		return fmt.Errorf("%w: driver %q could not send its cookie", ErrModifiedAfterCommit, r.Name)
	}
	r.Transport.SetCookie(r.m.cfg.newCookie(r.CookieName, value, maxAge, r.Now))
	return nil
}

// ValidID reports whether id has the form of this driver's session ids.
func (r *DriverRequest) ValidID(id string) bool { return r.ids.validID(id) }

// seal signs, or with Config.EncryptCookie encrypts, payload for the
// driver's cookie.
func (r *DriverRequest) seal(payload []byte) string {
	return r.m.sealer.seal(r.CookieName, payload)
}

// open returns the payload of the driver's cookie, sealed with the current
// or a previous key (then stale is true: seal it again); ok is false when
// there is none, or it is not one seal made.
func (r *DriverRequest) open() (payload []byte, stale, ok bool) {
	v := r.Cookie()
	if v == "" || r.m.sealer == nil {
		return nil, false, false
	}
	return r.m.sealer.open(r.CookieName, v)
}

// cookieDriver keeps the whole session in its signed or encrypted cookie:
// CodeIgniter's cookie driver.
type cookieDriver struct{}

func (cookieDriver) Load(_ context.Context, r *DriverRequest) (Loaded, error) {
	payload, stale, ok := r.open()
	if !ok {
		return Loaded{}, nil
	}
	return Loaded{Data: payload, Refresh: stale}, nil
}

func (cookieDriver) Save(_ context.Context, r *DriverRequest, c *Commit) error {
	return r.SetCookie(r.seal(c.Data))
}

func (cookieDriver) Destroy(_ context.Context, r *DriverRequest, _ string) error {
	return r.ExpireCookie()
}
