package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// heldLock is a session lock a request holds (Config.Lock). It is renewed
// every Config.LockLease/3 until the request ends, so that a handler of any
// length keeps it.
type heldLock struct {
	id    string
	lease Lease
	st    Store // the store of the lock, for its deadlines
	m     *Manager

	mu      sync.Mutex
	timer   *time.Timer
	renewed time.Time // when the last grant or renewal was asked for
	lost    bool      // the lock lapsed or was taken: the request must not save
	ended   bool      // the request ended: no more renewals
}

// lock takes the lock on id in st when Config.Lock is on, once per request
// and id. A lock on id that a request of this process failed to release is
// taken over when it is still held, instead of being waited out.
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
		return configError("Lock needs a Store with the Locker ability; %T has none", st)
	}
	// A taken-over lease runs from before its renewal, not from the answer.
	granted := time.Now()
	lease, err := q.m.orphans.takeOver(ctx, q.m, id)
	if err != nil {
		return storeError("lock", id, err)
	}
	if lease == nil {
		timeout := q.m.cfg.LockTimeout
		lctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		lease, err = l.Lock(lctx, id, q.m.cfg.LockLease)
		granted = time.Now() // Lock waits: the store set the lock's end just before it answered
		if err != nil && lease != nil {
			// The store may have taken the lock and lost its reply.
			q.m.orphans.add(q.m, id, lease, time.Now().Add(q.m.cfg.LockLease))
		}
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				return fmt.Errorf("%w: session %s after %s", ErrLockTimeout, shortID(id), timeout)
			}
			return storeError("lock", id, err)
		}
	}
	h := &heldLock{id: id, lease: lease, st: st, m: q.m, renewed: granted}
	h.mu.Lock() // the first renewal may run before the assignment is seen
	h.timer = time.AfterFunc(q.m.cfg.LockLease/3, h.renew)
	h.mu.Unlock()
	q.locks = append(q.locks, h)
	return nil
}

// renew extends the lock, and schedules the next renewal. A renewal that
// fails is tried again at the next one; once the lease has passed since the
// last success, or the store says the lock is another's, the lock is lost.
func (h *heldLock) renew() {
	lease := h.m.cfg.LockLease
	ctx, cancel := h.m.storeContext(context.Background(), h.st)
	start := time.Now() // the renewed lease runs from before the store's answer
	err := h.lease.Renew(ctx, lease)
	cancel()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended {
		return
	}
	switch {
	case err == nil:
		h.renewed = start
	case errors.Is(err, ErrLockLost) || time.Since(h.renewed) >= lease:
		h.lost = true
		h.m.cfg.Logger.Error("session: lock lost; the request will not save", "session", shortID(h.id), "error", err)
		return
	default:
		h.m.cfg.Logger.Warn("session: lock renewal failed; trying again", "session", shortID(h.id), "error", err)
	}
	h.timer.Reset(lease / 3)
}

// check returns ErrLockLost when the lock lapsed: the store said so, or it
// has not been renewed for a whole lease.
func (h *heldLock) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost || time.Since(h.renewed) >= h.m.cfg.LockLease {
		h.lost = true
		return fmt.Errorf("%w: session %s: not renewed for %s", ErrLockLost, shortID(h.id), h.m.cfg.LockLease)
	}
	return nil
}

// checkLocks returns ErrLockLost when the request locked one of ids and that
// lock lapsed; a save must then write nothing.
func (q *request) checkLocks(ids ...string) error {
	for _, h := range q.locks {
		for _, id := range ids {
			if id != "" && h.id == id {
				if err := h.check(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// unlockAll releases every lock the request holds, even when its context is
// already cancelled (a client that went away must not leave locks behind).
// A release that fails goes on in the background (orphans).
func (q *request) unlockAll() {
	for _, h := range q.locks {
		h.mu.Lock()
		h.ended = true
		h.timer.Stop()
		renewed := h.renewed
		h.mu.Unlock()
		// Even a lost lock is released: the release checks the token, and
		// frees a lapsed lock no one took yet.
		ctx, cancel := q.m.storeContext(context.WithoutCancel(q.ctx), h.st)
		err := h.lease.Unlock(ctx)
		cancel()
		if err != nil && !errors.Is(err, ErrLockLost) {
			q.m.cfg.Logger.Warn("session: unlock failed; retrying in the background", "session", shortID(h.id), "error", err)
			q.m.orphans.add(q.m, h.id, h.lease, renewed.Add(q.m.cfg.LockLease))
		}
	}
	q.locks = nil
}

// orphans are the locks this process's requests failed to release, with
// their leases. Each is released by a retry in the background as soon as the
// store answers, or taken over by the next request on its session, until it
// lapses on its own.
type orphans struct {
	mu sync.Mutex
	m  map[string]*orphan
}

type orphan struct {
	mu    sync.Mutex // held while a release is tried, so takeOver waits for it
	lease Lease
	lapse time.Time // when the store drops the lock by itself
	done  bool      // released, lapsed or taken over
}

// orphanRetry bounds the pause between two background releases.
const orphanRetry = 250 * time.Millisecond

// add records a lock whose release failed, and retries the release.
func (o *orphans) add(m *Manager, id string, lease Lease, lapse time.Time) {
	if !time.Now().Before(lapse) {
		return // lapsed already
	}
	or := &orphan{lease: lease, lapse: lapse}
	o.mu.Lock()
	if o.m == nil {
		o.m = make(map[string]*orphan)
	}
	o.m[id] = or
	o.mu.Unlock()
	go o.release(m, id, or)
}

// release tries or's release until it succeeds, the lock lapses or is
// taken over, or the Manager closes.
func (o *orphans) release(m *Manager, id string, or *orphan) {
	defer o.forget(id, or)
	start := time.Now()
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, orphanRetry) {
		select {
		case <-m.closed:
			return
		case <-time.After(pause):
		}
		or.mu.Lock()
		if or.done || !time.Now().Before(or.lapse) {
			or.done = true
			or.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), m.storeTimeout())
		err := or.lease.Unlock(ctx)
		cancel()
		if err == nil || errors.Is(err, ErrLockLost) {
			or.done = true
			or.mu.Unlock()
			m.cfg.Logger.Info("session: lock released after a failed unlock", "session", shortID(id), "after", time.Since(start))
			return
		}
		or.mu.Unlock()
	}
}

// forget removes or from the table, unless a newer orphan replaced it.
func (o *orphans) forget(id string, or *orphan) {
	o.mu.Lock()
	if o.m[id] == or {
		delete(o.m, id)
	}
	o.mu.Unlock()
}

// takeOver returns the lease of an orphaned lock on id, renewed for the
// caller, when it is still held: the request that held it has ended, so the
// process that holds its token may take it over. It returns nil when there
// is no such lock (or it was lost meanwhile), and the store's error when it
// cannot tell.
func (o *orphans) takeOver(ctx context.Context, m *Manager, id string) (Lease, error) {
	o.mu.Lock()
	or := o.m[id]
	o.mu.Unlock()
	if or == nil {
		return nil, nil
	}
	or.mu.Lock()
	defer or.mu.Unlock()
	if or.done {
		return nil, nil
	}
	sctx, cancel := context.WithTimeout(ctx, m.storeTimeout())
	err := or.lease.Renew(sctx, m.cfg.LockLease)
	cancel()
	switch {
	case err == nil:
		or.done = true
		return or.lease, nil
	case errors.Is(err, ErrLockLost):
		or.done = true
		return nil, nil
	}
	return nil, err
}
