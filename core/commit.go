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
		if !found {
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
// stays destroyed (MarkGone). A changed id is inserted, then the old one is
// deleted, kept (KeepPrev), or for an automatic rotation turned into a
// forward to the new id for Config.RotationGrace.
//
// On return c.ID and c.Data are what was stored, and c.Refresh is set when
// the client must learn a new id.
func (c *Commit) SaveStore(ctx context.Context, r *DriverRequest, st Store) error {
	sw := swapperOf(st)
	if c.PrevID == "" && c.Base != nil {
		return c.swap(ctx, r, st, sw, c.ID, c.Base)
	}
	if c.PrevID != "" && !c.Rotated {
		// Regenerate: a session destroyed meanwhile is not brought back
		// under a new id.
		prev := c.PrevID
		if _, found, err := c.current(ctx, r, st, &prev); err != nil || !found {
			if err == nil {
				c.MarkGone()
			}
			return err
		}
	}
	if err := c.insert(ctx, sw); err != nil {
		return err
	}
	c.Refresh = true
	if c.PrevID == "" || c.KeepPrev {
		return nil
	}
	grace := r.m.cfg.RotationGrace
	if !c.Rotated || grace <= 0 {
		if err := st.Delete(ctx, c.PrevID); err != nil {
			return storeError("delete", c.PrevID, err)
		}
		return nil
	}
	return c.retire(ctx, r, st, sw, grace)
}

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
		if !found {
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

// retire turns PrevID into a forward to ID. Writes that reached PrevID since
// this request loaded it are merged into ID first, so none is lost. When
// another request rotated PrevID first, this request's new id, which no
// client knows yet, is dropped and its changes are merged into the other
// request's new id; when PrevID was destroyed meanwhile, so is the new id.
func (c *Commit) retire(ctx context.Context, r *DriverRequest, st Store, sw Swapper, grace time.Duration) error {
	until := r.Now.Add(grace)
	marker := appendForward(nil, forward{to: c.ID, until: until.UnixMilli()})
	base := c.Base
	for attempt := range maxSwapAttempts {
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
		ok, err := sw.CompareAndSwap(ctx, c.PrevID, base, marker, until)
		if err != nil {
			return storeError("save", c.PrevID, err)
		}
		if ok {
			return nil
		}
		cur, found, err := st.Load(ctx, c.PrevID)
		if err != nil {
			return storeError("load", c.PrevID, err)
		}
		f, isForward := decodeForward(cur)
		if !found || isForward {
			if err := st.Delete(ctx, c.ID); err != nil {
				return storeError("delete", c.ID, err)
			}
			if !found || f.until <= r.Now.UnixMilli() {
				c.MarkGone()
				return nil
			}
			return c.mergeInto(ctx, r, st, sw, f.to)
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
	return fmt.Errorf("%w: session %s", ErrConflict, shortID(c.PrevID))
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
