package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
)

// StoreDriver is the Driver of sessions kept in a Store under their id, with
// the id in the driver's cookie: bare, as PHP's native sessions send it, or
// sealed with the configured keys for the cookie driver with UseDatabase.
// The "native" driver is a StoreDriver on Config.Store. A custom driver
// whose sessions live in a Store is one too, or wraps one (as
// stores/codeigniter's does).
//
// It is where the engine's persistence lives, between the session and the
// Store, which only moves bytes: a malformed id never reaches the store;
// concurrent saves of one session merge their changes (atomically on a
// store with the Swapper ability); an automatic rotation leaves the old id
// leading to the new one for Config.RotationGrace; an ended id holds a
// tombstone for a moment, so that a racing save cannot revive it; and with
// Config.Lock a session is locked from its load to the end of the request.
// Formats another application reads (Format.Codec "php") get neither
// forwards nor tombstones: their old ids are deleted.
type StoreDriver struct {
	// Store keeps the sessions.
	Store Store

	// StoreFor, when set, returns the store that keeps one request's
	// sessions, in place of Store: a store that binds sessions to the
	// client's IP, say.
	StoreFor func(r *DriverRequest) Store

	// EncodeID and DecodeID, when set, turn an id into the value of the
	// cookie that carries it bare, and back: PHP url-encodes the cookies it
	// sends, so an id with a ',' travels as "%2C". Default: the id as is.
	EncodeID func(id string) string
	DecodeID func(value string) string

	sealed bool // the cookie carries the id sealed (Config.UseDatabase)
}

// store returns the store of r's sessions.
func (d *StoreDriver) store(r *DriverRequest) Store {
	if d.StoreFor != nil {
		return d.StoreFor(r)
	}
	return d.Store
}

// Load loads the session whose id the driver's cookie carries.
func (d *StoreDriver) Load(ctx context.Context, r *DriverRequest) (Loaded, error) {
	id, stale := r.Cookie(), false
	if d.DecodeID != nil && !d.sealed {
		id = d.DecodeID(id)
	}
	if d.sealed {
		payload, old, ok := r.open()
		if !ok {
			return Loaded{}, nil
		}
		id, stale = string(payload), old
	}
	l, err := loadStore(ctx, r, d.store(r), id)
	l.Refresh = l.Refresh || stale && l.Data != nil
	return l, err
}

// Save saves the commit, and sends the id when it changed or c.Refresh
// asks for it.
func (d *StoreDriver) Save(ctx context.Context, r *DriverRequest, c *Commit) error {
	if c.rebase == nil {
		return errors.New("session: StoreDriver.Save takes the Commit the engine made")
	}
	raw := d.store(r)
	st := r.m.onWallClock(raw)
	s := storeSave{c: c, r: r, st: st, sw: swapperOf(st)}
	sctx, cancel := r.m.storeContext(ctx, raw)
	err := s.run(sctx)
	cancel()
	if err != nil || c.gone {
		return err
	}
	if c.Refresh || c.PrevID != "" {
		switch {
		case d.sealed:
			return r.SetCookie(r.seal([]byte(c.ID)))
		case d.EncodeID != nil:
			return r.SetCookie(d.EncodeID(c.ID))
		}
		return r.SetCookie(c.ID)
	}
	return nil
}

// Destroy ends the session id, and expires the cookie.
func (d *StoreDriver) Destroy(ctx context.Context, r *DriverRequest, id string) error {
	if err := destroyStore(ctx, r, d.store(r), id); err != nil {
		return err
	}
	return r.ExpireCookie()
}

// maxSwapAttempts bounds how often Save re-merges into a session that other
// requests keep changing before it gives up with ErrConflict. Every failed
// attempt means another request's save went through, so with N requests
// saving one session at once none needs more than N attempts.
const maxSwapAttempts = 100

// maxForwardHops bounds how many rotation forwards a load follows.
const maxForwardHops = 4

// tombstoneLife bounds how long a tombstone outlives a request that dies
// between swapping it in and deleting it.
const tombstoneLife = time.Minute

// loadStore loads the session id from st: it refuses a malformed id,
// follows the forward an automatic rotation leaves on an old id during its
// grace, and with Config.Lock takes the session's lock first. Errors wrap
// ErrStore, ErrLockTimeout or the context's error.
func loadStore(ctx context.Context, r *DriverRequest, st Store, id string) (Loaded, error) {
	if !r.ValidID(id) {
		return Loaded{}, nil
	}
	moved := false
	for range maxForwardHops {
		if err := r.q.lock(ctx, st, id); err != nil {
			return Loaded{}, err
		}
		// StoreTimeout runs from here: the lock wait has LockTimeout.
		sctx, cancel := r.m.storeContext(ctx, st)
		data, found, err := st.Load(sctx, id)
		cancel()
		if err != nil {
			return Loaded{}, storeError("load", id, err)
		}
		if !found || isTombstone(data) {
			return Loaded{}, nil
		}
		f, ok := decodeForward(data)
		if !ok {
			return Loaded{ID: id, Data: data, Refresh: moved}, nil
		}
		if f.until <= r.Now.UnixMilli() {
			return Loaded{}, nil
		}
		id, moved = f.to, true
	}
	return Loaded{}, nil
}

// destroyStore ends the session id in st, and the id a concurrent rotation
// moved it to, so that a session destroyed by one request does not live on
// under the id another request gave it. The id is swapped to a tombstone,
// then deleted: a rotation racing with it either sees the tombstone or
// finds nothing, and gives up.
func destroyStore(ctx context.Context, r *DriverRequest, st Store, id string) error {
	ctx, cancel := r.m.storeContext(ctx, st)
	defer cancel()
	st = r.m.onWallClock(st)
	sw := swapperOf(st)
	for range maxForwardHops {
		next := ""
		for attempt := range maxSwapAttempts {
			if err := retryPause(ctx, attempt); err != nil {
				return err
			}
			data, found, err := st.Load(ctx, id)
			if err != nil {
				return storeError("load", id, err)
			}
			if !found || isTombstone(data) {
				return nil
			}
			if f, ok := decodeForward(data); ok {
				next = f.to
				break
			}
			if !r.markers {
				return storeError("delete", id, st.Delete(ctx, id))
			}
			ok, err := sw.CompareAndSwap(ctx, id, data, tombstone, r.Now.Add(tombstoneLife))
			if err != nil {
				return storeError("save", id, err)
			}
			if ok {
				// Won: a racing save now finds nothing either way.
				return storeError("delete", id, st.Delete(ctx, id))
			}
		}
		if next == "" {
			return fmt.Errorf("%w: session %s", ErrConflict, shortID(id))
		}
		if err := st.Delete(ctx, id); err != nil {
			return storeError("delete", id, err)
		}
		id = next
	}
	return nil
}

// swapperOf returns st's Swapper ability, or an emulation with Load and
// Save for stores without one.
func swapperOf(st Store) Swapper {
	if sw, ok := st.(Swapper); ok {
		return sw
	}
	return emulatedSwapper{st}
}

// emulatedSwapper gives a plain Store the Swapper methods. They are not
// atomic: a write between its Load and its Save is overwritten.
type emulatedSwapper struct{ st Store }

func (e emulatedSwapper) Insert(ctx context.Context, id string, data []byte, expiresAt time.Time) (bool, error) {
	_, found, err := e.st.Load(ctx, id)
	if err != nil || found {
		return false, err
	}
	return true, e.st.Save(ctx, id, data, expiresAt)
}

func (e emulatedSwapper) CompareAndSwap(ctx context.Context, id string, old, data []byte, expiresAt time.Time) (bool, error) {
	cur, found, err := e.st.Load(ctx, id)
	if err != nil || !found || !bytes.Equal(cur, old) {
		return false, err
	}
	return true, e.st.Save(ctx, id, data, expiresAt)
}
