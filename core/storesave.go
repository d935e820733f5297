package core

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ignitego/session/internal/backoff"
)

// storeSave is one Commit being saved in a Store by StoreDriver.
type storeSave struct {
	c  *Commit
	r  *DriverRequest
	st Store
	sw Swapper
}

// run saves the commit. A new session is inserted under a fresh id. An
// existing one is replaced only if it is still what this request loaded;
// otherwise this request's changes are merged into what is stored now, and
// tried again, so that concurrent requests lose none of each other's
// writes. A session destroyed meanwhile stays destroyed (c.gone). When the
// id changes, the session under the new id starts from what the old id
// holds now (a concurrent rotation followed), and the old id is kept
// (KeepPrev), turned into a forward to the new id for Config.RotationGrace
// (an automatic rotation), or ended (Regenerate(DestroyOld)).
//
// On return c.ID and c.Data are what was stored, and c.Refresh is set when
// the client must learn a new id.
func (s *storeSave) run(ctx context.Context) error {
	c := s.c
	if err := s.r.q.checkLocks(c.ID, c.PrevID); err != nil {
		return err
	}
	if c.PrevID == "" && c.Base != nil {
		return s.swap(ctx, c.ID, c.Base)
	}
	if c.PrevID == "" {
		if err := s.insert(ctx); err != nil {
			return err
		}
		c.Refresh = true
		return nil
	}
	// The id changes: start from what the old id holds now.
	prev := c.PrevID
	cur, found, err := s.current(ctx, &prev)
	if err != nil {
		return err
	}
	if !found {
		c.gone = true // destroyed meanwhile: not brought back under a new id
		return nil
	}
	if c.Rotated && prev != c.PrevID {
		// Another request rotated the session first: join its new id.
		return s.mergeInto(ctx, prev)
	}
	if !bytes.Equal(cur, c.Base) {
		if c.Data, err = c.rebase.onto(c.ID, cur); err != nil {
			return err
		}
	}
	if err := s.insert(ctx); err != nil {
		return err
	}
	c.Refresh = true
	r := s.r
	switch grace := r.m.cfg.RotationGrace; {
	case c.KeepPrev:
		return nil
	case !r.markers:
		// A format another application reads holds no markers: delete.
		for _, id := range []string{prev, c.PrevID} {
			if err := s.st.Delete(ctx, id); err != nil {
				return storeError("delete", id, err)
			}
		}
		return nil
	case c.Rotated && grace > 0:
		until := r.Now.Add(grace)
		if !c.ExpiresAt.IsZero() && c.ExpiresAt.Before(until) {
			until = c.ExpiresAt // the old id leads nowhere once the session ends
		}
		return s.retire(ctx, prev, cur, appendForward(nil, forward{to: c.ID, until: until.UnixMilli()}), until)
	default:
		return s.retire(ctx, prev, cur, tombstone, r.Now.Add(tombstoneLife))
	}
}

// insert stores c.Data under c.ID, under a fresh id should c.ID be taken.
func (s *storeSave) insert(ctx context.Context) error {
	c := s.c
	for attempt := 0; ; attempt++ {
		ok, err := s.sw.Insert(ctx, c.ID, c.Data, c.ExpiresAt)
		if err != nil {
			return storeError("insert", c.ID, err)
		}
		if ok {
			return nil
		}
		if attempt == 2 {
			return fmt.Errorf("%w: insert: three fresh ids were all taken", ErrStore)
		}
		c.ID = c.rebase.newID()
		if c.Data, err = c.rebase.onto(c.ID, nil); err != nil {
			return err
		}
	}
}

// swap replaces base with c.Data under id, merging on every conflict. A nil
// base starts from what id holds now.
func (s *storeSave) swap(ctx context.Context, id string, base []byte) error {
	c := s.c
	data := c.Data
	for attempt := range maxSwapAttempts {
		if err := retryPause(ctx, attempt); err != nil {
			return err
		}
		if base == nil {
			cur, found, err := s.current(ctx, &id)
			if err != nil {
				return err
			}
			if !found {
				c.gone = true
				return nil
			}
			if data, err = c.rebase.onto(id, cur); err != nil {
				return err
			}
			base = cur
		}
		ok, err := s.sw.CompareAndSwap(ctx, id, base, data, c.ExpiresAt)
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
func (s *storeSave) current(ctx context.Context, id *string) ([]byte, bool, error) {
	for range maxForwardHops {
		cur, found, err := s.st.Load(ctx, *id)
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
		if f.until <= s.r.Now.UnixMilli() {
			return nil, false, nil
		}
		*id, s.c.Refresh = f.to, true
	}
	return nil, false, nil
}

// retire ends id, whose session moved to c.ID, by swapping in marker: a
// forward to c.ID for an automatic rotation, a tombstone otherwise. Writes
// that reached id since base are merged into c.ID first, so none is lost.
// When id was destroyed meanwhile, so is c.ID. When another request rotated
// id first, a rotation drops c.ID, which no client knows yet, and joins that
// request's new id; a Regenerate ends that new id too, after merging it.
func (s *storeSave) retire(ctx context.Context, id string, base, marker []byte, until time.Time) error {
	c, st := s.c, s.st
	rotation := !isTombstone(marker)
	for attempt := range maxSwapAttempts {
		if err := retryPause(ctx, attempt); err != nil {
			return err
		}
		ok, err := s.sw.CompareAndSwap(ctx, id, base, marker, until)
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
			return s.abandon(ctx)
		}
		if f, isForward := decodeForward(cur); isForward {
			if rotation {
				if err := st.Delete(ctx, c.ID); err != nil {
					return storeError("delete", c.ID, err)
				}
				return s.mergeInto(ctx, f.to)
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
		data, err := c.rebase.onto(c.ID, cur)
		if err != nil {
			return err
		}
		if ok, err := s.sw.CompareAndSwap(ctx, c.ID, c.Data, data, c.ExpiresAt); err != nil {
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
func (s *storeSave) abandon(ctx context.Context) error {
	if err := s.st.Delete(ctx, s.c.ID); err != nil {
		return storeError("delete", s.c.ID, err)
	}
	s.c.gone = true
	return nil
}

// mergeInto merges this request's changes into the session stored under id.
func (s *storeSave) mergeInto(ctx context.Context, id string) error {
	s.c.Refresh = true
	return s.swap(ctx, id, nil)
}

// retryPause waits before a retry: nothing before the first attempt, then
// a random pause growing with the attempts (up to 20ms), so that requests
// contending for one session do not retry in lockstep.
func retryPause(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	limit := time.Duration(min(1<<min(attempt, 10), 200)) * 100 * time.Microsecond
	return storeError("save", "", backoff.Sleep(ctx, rand.N(limit)+1))
}
