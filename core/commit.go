package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// maxSwapAttempts bounds how often Save re-merges into a session that other
// requests keep changing before it gives up with ErrConflict. Every failed
// attempt means another request's save went through, so with N requests
// saving one session at once none needs more than N attempts.
const maxSwapAttempts = 100

// maxForwardHops bounds how many rotation forwards a load follows.
const maxForwardHops = 4

// LoadStore loads the session id from st for a store-backed driver: it
// refuses a malformed id, follows the forward an automatic rotation leaves
// on an old id during its grace, and with Config.Lock takes the session's
// lock first. Errors wrap ErrStore, ErrLockTimeout or the context's error.
func (r *DriverRequest) LoadStore(ctx context.Context, st Store, id string) (Loaded, error) {
	if !r.ValidID(id) {
		return Loaded{}, nil
	}
	moved := false
	for range maxForwardHops {
		if err := r.req.lock(ctx, st, id); err != nil {
			return Loaded{}, err
		}
		data, found, err := st.Load(ctx, id)
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

// SaveStore saves the commit in st for a store-backed driver. A new session
// is inserted under a fresh id. An existing one is replaced only if it is
// still what this request loaded; otherwise this request's changes are
// merged into what is stored now, and tried again, so that concurrent
// requests lose none of each other's writes. A session destroyed meanwhile
// stays destroyed (MarkGone). When the id changes, the session under the new
// id starts from what the old id holds now (a concurrent rotation followed),
// and the old id is kept (KeepPrev), turned into a forward to the new id for
// Config.RotationGrace (an automatic rotation), or ended (Regenerate(false)).
//
// On return c.ID and c.Data are what was stored, and c.Refresh is set when
// the client must learn a new id.
func (c *Commit) SaveStore(ctx context.Context, r *DriverRequest, st Store) error {
	sw := swapperOf(st)
	if c.PrevID == "" && c.Base != nil {
		return c.swap(ctx, r, st, sw, c.ID, c.Base)
	}
	if c.PrevID == "" {
		if err := c.insert(ctx, sw); err != nil {
			return err
		}
		c.Refresh = true
		return nil
	}
	// The id changes: start from what the old id holds now.
	prev := c.PrevID
	cur, found, err := c.current(ctx, r, st, &prev)
	if err != nil {
		return err
	}
	if !found {
		c.MarkGone() // destroyed meanwhile: not brought back under a new id
		return nil
	}
	if c.Rotated && prev != c.PrevID {
		// Another request rotated the session first: join its new id.
		return c.mergeInto(ctx, r, st, sw, prev)
	}
	if !bytes.Equal(cur, c.Base) {
		if c.Data, err = c.rebase(c.ID, cur); err != nil {
			return err
		}
	}
	if err := c.insert(ctx, sw); err != nil {
		return err
	}
	c.Refresh = true
	grace := r.m.cfg.RotationGrace
	switch {
	case c.KeepPrev:
		return nil
	case !r.markers:
		// A format another application reads holds no markers: delete.
		for _, id := range []string{prev, c.PrevID} {
			if err := st.Delete(ctx, id); err != nil {
				return storeError("delete", id, err)
			}
		}
		return nil
	case c.Rotated && grace > 0:
		until := r.Now.Add(grace)
		return c.retire(ctx, r, st, sw, prev, cur, appendForward(nil, forward{to: c.ID, until: until.UnixMilli()}), until)
	default:
		return c.retire(ctx, r, st, sw, prev, cur, tombstone, r.Now.Add(tombstoneLife))
	}
}

// tombstoneLife bounds how long a tombstone outlives a request that dies
// between swapping it in and deleting it.
const tombstoneLife = time.Minute

// insert stores c.Data under c.ID, under a fresh id should c.ID be taken.
func (c *Commit) insert(ctx context.Context, sw Swapper) error {
	for attempt := 0; ; attempt++ {
		ok, err := sw.Insert(ctx, c.ID, c.Data, c.ExpiresAt)
		if err != nil {
			return storeError("insert", c.ID, err)
		}
		if ok {
			return nil
		}
		if attempt == 2 {
			return fmt.Errorf("%w: insert: three fresh ids were all taken", ErrStore)
		}
		if c.enc == nil {
			return fmt.Errorf("%w: insert: the id is taken", ErrStore)
		}
		c.ID = c.enc.newID()
		if c.Data, err = c.rebase(c.ID, nil); err != nil {
			return err
		}
	}
}

// swap replaces base with c.Data under id, merging on every conflict. A nil
// base starts from what id holds now.
func (c *Commit) swap(ctx context.Context, r *DriverRequest, st Store, sw Swapper, id string, base []byte) error {
	data := c.Data
	for attempt := range maxSwapAttempts {
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
		if base == nil {
			cur, found, err := c.current(ctx, r, st, &id)
			if err != nil {
				return err
			}
			if !found {
				c.MarkGone()
				return nil
			}
			if data, err = c.rebase(id, cur); err != nil {
				return err
			}
			base = cur
		}
		ok, err := sw.CompareAndSwap(ctx, id, base, data, c.ExpiresAt)
		if err != nil {
			return storeError("save", id, err)
		}
		if ok {
			c.ID, c.Data = id, data
			return nil
		}
		base = nil
	}
	return fmt.Errorf("%w: session %s", ErrConflict, shortID(id))
}

// current loads what id holds now, following a rotation forward (and then
// updating *id, and asking for the client's reference to be refreshed).
func (c *Commit) current(ctx context.Context, r *DriverRequest, st Store, id *string) ([]byte, bool, error) {
	for range maxForwardHops {
		cur, found, err := st.Load(ctx, *id)
		if err != nil {
			return nil, false, storeError("load", *id, err)
		}
		if !found || isTombstone(cur) {
			return nil, false, nil
		}
		f, ok := decodeForward(cur)
		if !ok {
			return cur, true, nil
		}
		if f.until <= r.Now.UnixMilli() {
			return nil, false, nil
		}
		*id, c.Refresh = f.to, true
	}
	return nil, false, nil
}

// retire ends id, whose session moved to c.ID, by swapping in marker: a
// forward to c.ID for an automatic rotation, a tombstone otherwise. Writes
// that reached id since base are merged into c.ID first, so none is lost.
// When id was destroyed meanwhile, so is c.ID. When another request rotated
// id first, a rotation drops c.ID, which no client knows yet, and joins that
// request's new id; a Regenerate ends that new id too, after merging it.
func (c *Commit) retire(ctx context.Context, r *DriverRequest, st Store, sw Swapper, id string, base, marker []byte, until time.Time) error {
	rotation := !isTombstone(marker)
	for attempt := range maxSwapAttempts {
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
		ok, err := sw.CompareAndSwap(ctx, id, base, marker, until)
		if err != nil {
			return storeError("save", id, err)
		}
		if ok {
			if !rotation {
				// Won: a racing save now finds nothing either way.
				return storeError("delete", id, st.Delete(ctx, id))
			}
			return nil
		}
		cur, found, err := st.Load(ctx, id)
		if err != nil {
			return storeError("load", id, err)
		}
		if !found || isTombstone(cur) {
			return c.abandon(ctx, st)
		}
		if f, isForward := decodeForward(cur); isForward {
			if rotation {
				if err := st.Delete(ctx, c.ID); err != nil {
					return storeError("delete", c.ID, err)
				}
				return c.mergeInto(ctx, r, st, sw, f.to)
			}
			id = f.to
			if cur, found, err = st.Load(ctx, id); err != nil {
				return storeError("load", id, err)
			}
			if !found || isTombstone(cur) {
				return nil // the successor ended already
			}
			if _, isForward := decodeForward(cur); isForward {
				base = nil // rotated again: the next attempt follows it
				continue
			}
		}
		data, err := c.rebase(c.ID, cur)
		if err != nil {
			return err
		}
		if ok, err := sw.CompareAndSwap(ctx, c.ID, c.Data, data, c.ExpiresAt); err != nil {
			return storeError("save", c.ID, err)
		} else if ok {
			c.Data = data
		}
		base = cur
	}
	return fmt.Errorf("%w: session %s", ErrConflict, shortID(id))
}

// abandon deletes the new id of a session that was destroyed while this
// request moved it, and drops the request's changes.
func (c *Commit) abandon(ctx context.Context, st Store) error {
	if err := st.Delete(ctx, c.ID); err != nil {
		return storeError("delete", c.ID, err)
	}
	c.MarkGone()
	return nil
}

// DestroyStore ends the session id in st for a store-backed driver, and the
// id a concurrent rotation moved it to, so that a session destroyed by one
// request does not live on under the id another request gave it. The id is
// swapped to a tombstone, then deleted: a rotation racing with it either
// sees the tombstone or finds nothing, and gives up.
func (r *DriverRequest) DestroyStore(ctx context.Context, st Store, id string) error {
	sw := swapperOf(st)
	for range maxForwardHops {
		next := ""
		for attempt := range maxSwapAttempts {
			if err := backoff(ctx, attempt); err != nil {
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

// mergeInto merges this request's changes into the session stored under id.
func (c *Commit) mergeInto(ctx context.Context, r *DriverRequest, st Store, sw Swapper, id string) error {
	c.Refresh = true
	return c.swap(ctx, r, st, sw, id, nil)
}

// backoff waits before a retry: nothing before the first attempt, then a
// random pause growing with the attempts (up to 20ms), so that requests
// contending for one session do not retry in lockstep.
func backoff(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	limit := time.Duration(min(1<<min(attempt, 10), 200)) * 100 * time.Microsecond
	t := time.NewTimer(rand.N(limit) + 1)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return storeError("save", "", ctx.Err())
	case <-t.C:
		return nil
	}
}

// rebase encodes this request's view of the session under id: on top of
// current when given (a merge), else as the request sees it.
func (c *Commit) rebase(id string, current []byte) ([]byte, error) {
	if c.enc == nil {
		return c.Data, nil
	}
	return c.enc.encode(id, current)
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

// lockTTL bounds how long a lock outlives a holder that never releases it.
const lockTTL = time.Minute

// lock takes the lock on id when Config.Lock is on, once per request and id.
func (q *request) lock(ctx context.Context, st Store, id string) error {
	if !q.m.cfg.Lock {
		return nil
	}
	for _, h := range q.locks {
		if h.id == id {
			return nil
		}
	}
	l, ok := st.(Locker)
	if !ok {
		return fmt.Errorf("%w: Config.Lock needs a store with the Locker ability", ErrInvalidConfig)
	}
	lctx, cancel := context.WithTimeout(ctx, q.m.cfg.LockTimeout)
	defer cancel()
	unlock, err := l.Lock(lctx, id, max(lockTTL, 2*q.m.cfg.LockTimeout))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("%w: session %s after %s", ErrLockTimeout, shortID(id), q.m.cfg.LockTimeout)
		}
		return storeError("lock", id, err)
	}
	q.locks = append(q.locks, heldLock{id: id, unlock: unlock})
	return nil
}

type heldLock struct {
	id     string
	unlock func(context.Context) error
}

// unlockAll releases every lock the request holds, even when its context is
// already cancelled (a client that went away must not leave locks behind).
func (q *request) unlockAll(ctx context.Context) {
	if len(q.locks) == 0 {
		return
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, h := range q.locks {
		if err := h.unlock(uctx); err != nil {
			q.m.cfg.Logger.Warn("session: unlock failed", "session", shortID(h.id), "error", err)
		}
	}
	q.locks = q.locks[:0]
}
