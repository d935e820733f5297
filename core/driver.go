package core

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unsafe"
)

// Driver keeps one namespace of session data between requests: where the
// encoded session lives and how the client refers to it. It is CodeIgniter's
// CI_Session_driver: Load is initialize and get_userdata, Save is sess_save
// (and sess_regenerate, which arrives as a Commit with a new ID), Destroy is
// sess_destroy. The engine does everything else (data, flash and temp
// ageing, expiry, binding, tokens, id rotation) and calls a driver only for
// a session a handler touched.
//
// The built-in "cookie" and "native" drivers are Drivers too. A driver that
// keeps sessions in a Store gets the engine's merging, rotation grace and
// locking by calling LoadStore and Commit.SaveStore.
type Driver interface {
	// Load returns the session the request carries. A zero Loaded (no Data)
	// starts a fresh session: the request carries none, or one the driver
	// cannot find or accept. An error is a failure (a store down), never an
	// expected condition such as a tampered cookie.
	Load(ctx context.Context, r *DriverRequest) (Loaded, error)

	// Save persists c.Data and, when c.Refresh is set or the id changed,
	// updates the client's reference to the session.
	Save(ctx context.Context, r *DriverRequest, c *Commit) error

	// Destroy removes the session id and its data, and expires the client's
	// reference to it.
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

// Commit is one save of a session.
type Commit struct {
	ID        string    // the id to save under
	PrevID    string    // the id the session was loaded under, when ID replaces it; "" otherwise
	KeepPrev  bool      // Regenerate(true): PrevID keeps its data
	Rotated   bool      // an automatic rotation: PrevID leads to ID for Config.RotationGrace
	Data      []byte    // the encoded session; the engine reuses it after Save returns
	Base      []byte    // the encoded session as loaded or last saved; nil for a new session
	ExpiresAt time.Time // when the stored session expires
	Refresh   bool      // the client's reference must be sent again (a new id, or a lifetime to slide)

	enc  encoder
	gone bool
}

// encoder encodes a request's view of a session, alone or merged, and
// makes ids of its driver's form.
type encoder interface {
	encode(id string, current []byte) ([]byte, error)
	newID() string
}

// MarkGone tells the engine that the session no longer exists (a concurrent
// request destroyed it) and nothing was saved: the request's changes are
// dropped rather than bringing a destroyed session back.
func (c *Commit) MarkGone() { c.gone = true }

// Merge re-applies this request's changes on top of current, the encoded
// session another request saved since this one loaded it.
func (c *Commit) Merge(current []byte) ([]byte, error) { return c.rebase(c.ID, current) }

// DriverRequest is a driver's view of the request being served.
type DriverRequest struct {
	Name       string // the driver's name
	CookieName string // the cookie this driver owns: CookiePrefix+CookieName, plus "_"+Name for a further driver
	Transport  Transport
	Now        time.Time

	m       *Manager
	req     *request
	ids     *idForm
	markers bool        // the driver's format can hold the engine's forwards and tombstones
	cookie  http.Cookie // reused for every cookie this driver sends
}

// Cookie returns the value of the driver's cookie, "" when absent.
func (r *DriverRequest) Cookie() string { return r.Transport.Cookie(r.CookieName) }

// cookieBorrower is the optional ability of a Transport over a framework
// that reuses its buffers: the cookie's value without a copy, valid only
// during the request.
type cookieBorrower interface{ BorrowCookie(name string) string }

// borrowedCookie is Cookie, for a caller that keeps nothing of the value
// past the request.
func (r *DriverRequest) borrowedCookie() string {
	if b, ok := r.Transport.(cookieBorrower); ok {
		return b.BorrowCookie(r.CookieName)
	}
	return r.Cookie()
}

// SetCookie sends the driver's cookie with the configured attributes and
// lifetime. It returns ErrCookieTooLarge, sending nothing, when name=value
// would exceed 4096 bytes, and ErrModifiedAfterCommit once the response
// headers have gone out.
func (r *DriverRequest) SetCookie(value string) error {
	if len(r.CookieName)+1+len(value) > MaxCookieSize {
		return fmt.Errorf("%w: driver %q needs %d bytes", ErrCookieTooLarge, r.Name, len(r.CookieName)+1+len(value))
	}
	return r.sendCookie(value, r.m.cookieMaxAge)
}

// ExpireCookie tells the client to delete the driver's cookie.
func (r *DriverRequest) ExpireCookie() error {
	return r.sendCookie("", -1)
}

func (r *DriverRequest) sendCookie(value string, maxAge int) error {
	if r.req.committed {
		return fmt.Errorf("%w: driver %q could not send its cookie", ErrModifiedAfterCommit, r.Name)
	}
	r.m.cfg.fillCookie(&r.cookie, r.CookieName, value, maxAge, r.Now)
	r.Transport.SetCookie(&r.cookie)
	return nil
}

// Seal signs, or with Config.EncryptCookie encrypts, payload for the
// driver's cookie with Config.EncryptionKey.
func (r *DriverRequest) Seal(payload []byte) string {
	return r.m.sealer.seal(r.CookieName, payload)
}

// Open returns the payload of a value Seal made for this driver's cookie,
// with the current or a previous key (then stale is true: seal it again);
// ok is false for anything else.
func (r *DriverRequest) Open(value string) (payload []byte, stale, ok bool) {
	if r.m.sealer == nil {
		return nil, false, false
	}
	return r.m.sealer.open(r.CookieName, value)
}

// ValidID reports whether id has the form of this driver's session ids.
func (r *DriverRequest) ValidID(id string) bool { return r.ids.validID(id) }

// cookieDriver keeps the whole session in its signed or encrypted cookie
// (CodeIgniter's cookie driver), or with Config.UseDatabase only the sealed
// id, the data staying in the Store.
type cookieDriver struct {
	store Store // UseDatabase only
}

func (d *cookieDriver) Load(ctx context.Context, r *DriverRequest) (Loaded, error) {
	v := r.borrowedCookie() // Open copies what it returns
	if v == "" {
		return Loaded{}, nil
	}
	payload, stale, ok := r.Open(v)
	if !ok {
		return Loaded{}, nil
	}
	if d.store == nil {
		return Loaded{Data: payload, Refresh: stale}, nil
	}
	l, err := r.LoadStore(ctx, d.store, string(payload))
	l.Refresh = l.Refresh || stale && l.Data != nil
	return l, err
}

func (d *cookieDriver) Save(ctx context.Context, r *DriverRequest, c *Commit) error {
	if d.store == nil {
		return r.setSealedCookie(c.Data)
	}
	if err := c.SaveStore(ctx, r, d.store); err != nil || c.gone {
		return err
	}
	if c.Refresh || c.PrevID != "" {
		return r.setSealedCookie([]byte(c.ID))
	}
	return nil
}

// valueCopier is the optional ability of a Transport whose SetCookie copies
// the cookie's value before it returns, keeping no reference to it.
type valueCopier interface{ CopiesCookieValue() bool }

// setSealedCookie is SetCookie(Seal(payload)). When the transport copies
// the value, the value is sealed into reused memory rather than a new
// string.
func (r *DriverRequest) setSealedCookie(payload []byte) error {
	if vc, ok := r.Transport.(valueCopier); !ok || !vc.CopiesCookieValue() {
		return r.SetCookie(r.Seal(payload))
	}
	bp := getBuf()
	v := r.m.sealer.appendSealed((*bp)[:0], r.CookieName, payload)
	err := r.SetCookie(unsafe.String(unsafe.SliceData(v), len(v)))
	r.cookie.Value = "" // the memory goes back to the pool
	*bp = v
	putBuf(bp)
	return err
}

func (d *cookieDriver) Destroy(ctx context.Context, r *DriverRequest, id string) error {
	if d.store != nil {
		if err := r.DestroyStore(ctx, d.store, id); err != nil {
			return err
		}
	}
	return r.ExpireCookie()
}

// nativeDriver keeps the session in the Store under its id, and the bare id
// in the cookie, as PHP's native sessions do.
type nativeDriver struct {
	store Store
}

func (d *nativeDriver) Load(ctx context.Context, r *DriverRequest) (Loaded, error) {
	id := r.Cookie()
	if id == "" {
		return Loaded{}, nil
	}
	return r.LoadStore(ctx, d.store, id)
}

func (d *nativeDriver) Save(ctx context.Context, r *DriverRequest, c *Commit) error {
	if err := c.SaveStore(ctx, r, d.store); err != nil || c.gone {
		return err
	}
	if c.Refresh || c.PrevID != "" {
		return r.SetCookie(c.ID)
	}
	return nil
}

func (d *nativeDriver) Destroy(ctx context.Context, r *DriverRequest, id string) error {
	if err := r.DestroyStore(ctx, d.store, id); err != nil {
		return err
	}
	return r.ExpireCookie()
}
