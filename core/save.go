package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// save persists what changed: it hands the driver a Commit, and takes back
// from it what was stored. A cookie that could not be sent any more (the
// headers went out) is reported with ErrModifiedAfterCommit, store-side
// data still saved.
func (ns *namespace) save(ctx context.Context) error {
	if !ns.loaded {
		return nil
	}
	if ns.err != nil {
		return ns.err
	}
	if len(ns.reserved) > 0 {
		// Everything else is saved: a warning for the log, not an error.
		ns.q.m.cfg.Logger.Warn(ErrReservedKey.Error(), "driver", ns.slot.name, "keys", strings.Join(ns.reserved, ", "))
		ns.reserved = nil
	}
	ns.dr.Now = ns.q.clock()
	late, err := ns.destroy(ctx)
	if err != nil {
		return err
	}
	touch := ns.loadedID != "" && ns.nowMs()-ns.rec.lastWrite >= ns.q.m.cfg.touchInterval().Milliseconds()
	if !ns.dirty && !touch && !ns.moved {
		return late
	}
	if ns.q.committed {
		// No cookie can reach the client any more: keep the id it holds.
		if ns.loadedID == "" {
			if !ns.byHandler {
				return late
			}
			return errors.Join(late, fmt.Errorf("%w: a new session's cookie could not be sent; nothing saved", ErrModifiedAfterCommit))
		}
		if ns.id != ns.loadedID {
			late = errors.Join(late, fmt.Errorf("%w: the new session id could not be sent; the id stays", ErrModifiedAfterCommit))
			ns.id, ns.regen = ns.loadedID, regenNone
		}
		touch, ns.moved = false, false
	}
	c, err := ns.newCommit(touch)
	if err != nil {
		return errors.Join(late, err)
	}
	data := c.Data
	err = ns.slot.d.Save(ctx, &ns.dr, c)
	if err != nil && !errors.Is(err, ErrModifiedAfterCommit) {
		return errors.Join(late, err)
	}
	if err != nil && !ns.byHandler {
		err = nil // only the engine's own changes (ageing) missed the cookie: nothing to report
	}
	// Saved, though a cookie may have been too late to send.
	return errors.Join(late, err, ns.saved(c, data))
}

// destroy ends the session Destroy left for Save. late is a cookie that
// could not be expired any more; err a failure.
func (ns *namespace) destroy(ctx context.Context) (late, err error) {
	if ns.destroyID == "" {
		return nil, nil
	}
	err = ns.slot.d.Destroy(ctx, &ns.dr, ns.destroyID)
	if err != nil && !errors.Is(err, ErrModifiedAfterCommit) {
		return nil, err
	}
	ns.destroyID = ""
	return err, nil
}

// newCommit encodes the session for a save; touch asks the driver to send
// the client's reference again, sliding its lifetime.
func (ns *namespace) newCommit(touch bool) (*Commit, error) {
	if ns.id == "" {
		ns.id = ns.newID()
	}
	now := ns.q.clock()
	ns.rec.lastWrite = now.UnixMilli()
	ns.rebase = rebase{codec: ns.slot.codec, ids: ns.slot.ids, view: &ns.rec, base: ns.base, changes: &ns.changes, nowMs: now.UnixMilli()}
	data, err := ns.rebase.onto(ns.id, nil)
	if err != nil {
		return nil, err
	}
	c := &ns.commit
	*c = Commit{
		ID:        ns.id,
		Data:      data,
		Base:      ns.base,
		ExpiresAt: now.Add(ns.q.m.cfg.lifetime()),
		Refresh:   touch || ns.moved || ns.loadedID == "",
		rebase:    &ns.rebase,
	}
	if ns.loadedID != "" && ns.loadedID != ns.id {
		c.PrevID = ns.loadedID
		c.KeepPrev = ns.regen == regenKeep
		c.Rotated = ns.regen == regenRotate
	}
	return c, nil
}

// saved takes back from c, which carried data to the driver, what was
// stored: the session goes on from there, with nothing changed.
func (ns *namespace) saved(c *Commit, data []byte) error {
	switch {
	case c.gone:
		// Destroyed meanwhile by another request: so it is in this one.
		ns.rec.items, ns.rec.csrf, ns.rec.otts = nil, "", nil
		ns.id, ns.loadedID, ns.base = "", "", nil
	case !bytes.Equal(c.Data, data):
		// Merged with another request's changes: continue from the merge.
		if err := ns.slot.codec.decode(c.Data, &ns.rec, ns.nowMs()); err != nil {
			return err
		}
		fallthrough
	default:
		ns.id, ns.loadedID, ns.base = c.ID, c.ID, c.Data
	}
	ns.moved = false
	ns.changes = changes{}
	return nil
}

// rebase is one request's changes to a session, as a save carries them to
// the driver (Commit.rebase): it encodes the session as the request sees
// it, or re-applies the changes on top of what another request saved
// meanwhile. It only reads the request's state.
type rebase struct {
	codec   codec
	ids     *idForm
	view    *record  // the session as this request sees it
	base    []byte   // the encoded session as this request loaded it; nil for a new one
	changes *changes // what this request changed since
	nowMs   int64
}

// newID returns a fresh id of the session's form.
func (rb *rebase) newID() string { return rb.ids.newID() }

// onto encodes the session under id: as this request sees it when current
// is nil, else this request's changes merged into current, another
// request's save of the same session.
func (rb *rebase) onto(id string, current []byte) ([]byte, error) {
	c := rb.codec
	if current == nil {
		rb.view.id = id
		return c.append(make([]byte, 0, len(rb.base)+128), rb.view, rb.base)
	}
	var cur, base record
	if err := c.decode(current, &cur, rb.nowMs); err != nil {
		// What is stored does not decode: this request's view replaces it.
		rb.view.id = id
		return c.append(make([]byte, 0, len(current)+128), rb.view, rb.base)
	}
	if rb.base != nil {
		_ = c.decode(rb.base, &base, rb.nowMs)
	}
	ch := rb.changes
	mergeTokens(&cur, rb.view, ch)
	if ch.cleared {
		cur.items = nil
	}
	for _, k := range ch.keys {
		mine := rb.view.find(k.key)
		if k.auto {
			b, c := base.find(k.key), cur.find(k.key)
			if b == nil || c == nil || !c.sameAs(b) {
				continue
			}
		}
		if mine == nil {
			cur.remove(k.key)
		} else {
			cur.put(*mine)
		}
	}
	cur.id = id
	cur.lastActivity = max(cur.lastActivity, rb.view.lastActivity)
	cur.lastWrite = rb.view.lastWrite
	return c.append(make([]byte, 0, len(current)+128), &cur, current)
}

// mergeTokens applies the token changes ch made in mine to cur.
func mergeTokens(cur, mine *record, ch *changes) {
	if ch.cleared {
		cur.csrf = mine.csrf
		cur.otts = slices.Clone(mine.otts)
		return
	}
	switch ch.csrf {
	case csrfReplaced:
		cur.csrf = mine.csrf
	case csrfCreated:
		if cur.csrf == "" {
			cur.csrf = mine.csrf
		}
	}
	if len(ch.ottUsed) == 0 && len(ch.ottAdded) == 0 {
		return
	}
	otts := make([]string, 0, len(cur.otts)+len(ch.ottAdded))
	for _, t := range cur.otts {
		if !slices.Contains(ch.ottUsed, t) {
			otts = append(otts, t)
		}
	}
	for _, t := range ch.ottAdded {
		if !slices.Contains(otts, t) && !slices.Contains(ch.ottUsed, t) {
			otts = append(otts, t)
		}
	}
	if len(otts) > maxOneTimeTokens {
		otts = otts[len(otts)-maxOneTimeTokens:]
	}
	cur.otts = otts
}
