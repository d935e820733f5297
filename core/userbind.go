package core

import (
	"context"
	"errors"

	"github.com/ignitego/session/internal/userindex"
)

// userState is the user index's work that a namespace leaves for Save.
//
// The index lists an id before the session is stored under it (indexBefore)
// and drops what the save ended only after (indexAfter), so that whatever
// fails in between, every live session of the user stays reachable from
// its index: a listing resolves the ids, follows rotation forwards, and
// prunes what holds nothing.
type userState struct {
	plan  indexPlan // what indexBefore lists, and indexAfter settles
	ended []endedBinding
}

// indexPlan is an id of a bound session that Save lists in its user's index.
type indexPlan struct {
	st           Store // nil: nothing to list
	user, handle string
	id           string
	prev         string // the id it replaces, listed under the same binding; "" when none
	until        int64  // unix ms
	was          int64  // the record's indexUntil before the plan
}

// endedBinding is an id that leaves its user's index: its session was
// destroyed, or bound to another user.
type endedBinding struct {
	st               Store
	user, handle, id string
	destroyed        bool // Destroy: dropped once the session is deleted, before anything is saved
}

// indexStore returns the store whose user index lists the slot's sessions,
// or nil: the slot is a StoreDriver on one Store, in the engine's format.
func (s *driverSlot) indexStore() Store {
	if sd, ok := s.d.(*StoreDriver); ok && sd.StoreFor == nil && sd.Store != nil && s.markers {
		return sd.Store
	}
	return nil
}

// setUser binds the session to user ("" unbinds).
func (ns *namespace) setUser(user string) {
	if ns.rec.user() == user {
		if user != "" {
			ns.handle()
		}
		return
	}
	if user != "" && !ns.keepsExt("SetUser") {
		return
	}
	ns.endIndexed(false)
	x := ns.rec.ext()
	x.user, x.indexUntil = user, 0
	ns.rec.setExt(x)
	if user != "" {
		ns.handle()
	}
	ns.ext |= extUser
	ns.changed("", false)
}

// handle returns the session's handle, making one on first use; "" for a
// format that cannot keep it.
func (ns *namespace) handle() string {
	x := ns.rec.ext()
	if x.handle == "" && ns.slot.codec.keepsTimes() {
		x.handle = newHandle()
		ns.rec.setExt(x)
		ns.ext |= extHandle
		ns.changed("", false)
	}
	return x.handle
}

// endIndexed queues the removal of the session's id from its user's index,
// when it is listed there: on Destroy (destroyed) and when SetUser binds it
// to someone else.
func (ns *namespace) endIndexed(destroyed bool) {
	if ns.users != nil {
		for i := range ns.users.ended {
			ns.users.ended[i].destroyed = ns.users.ended[i].destroyed || destroyed
		}
	}
	st := ns.slot.indexStore()
	x := ns.rec.ext()
	if st == nil || x.user == "" || x.indexUntil == 0 || ns.loadedID == "" {
		return
	}
	ns.userState().ended = append(ns.users.ended, endedBinding{st: st, user: x.user, handle: x.handle, id: ns.loadedID, destroyed: destroyed})
}

// planIndex decides, as Save encodes the session, whether its user's index
// must list its id: when the session is newly bound, its id changed, or it
// now lives past what the index says (see Config.indexUntil).
func (ns *namespace) planIndex() {
	if ns.users != nil {
		ns.users.plan = indexPlan{}
	}
	st := ns.slot.indexStore()
	x := ns.rec.ext()
	if st == nil || x.user == "" {
		return
	}
	cfg := &ns.q.m.cfg
	end := cfg.sessionEnd(&ns.rec)
	moved := ns.loadedID != "" && ns.loadedID != ns.id
	if !moved && x.indexUntil != 0 && end <= x.indexUntil {
		return
	}
	until := cfg.indexUntil(&ns.rec, end)
	p := indexPlan{st: st, user: x.user, handle: ns.handle(), id: ns.id, until: until, was: x.indexUntil}
	if moved && x.indexUntil != 0 {
		p.prev = ns.loadedID // listed under this binding: it stays listed until the save retires it
	}
	x = ns.rec.ext() // with the handle
	x.indexUntil = until
	ns.rec.setExt(x)
	ns.userState().plan = p
}

// userState returns the namespace's user index work, made on first use.
func (ns *namespace) userState() *userState {
	if ns.users == nil {
		ns.users = new(userState)
	}
	return ns.users
}

// indexBefore lists the planned id, before the session is stored under it.
// When it fails, nothing is saved, and the next save plans again.
func (ns *namespace) indexBefore(ctx context.Context) error {
	if ns.users == nil || ns.users.plan.st == nil {
		return nil
	}
	p := &ns.users.plan
	nowMs := ns.nowMs()
	err := editIndex(ctx, ns.q.m, p.st, p.user, ns.q.clock(), func(ix *userindex.Index) {
		e := ix.Ensure(p.handle, ns.slot.name)
		e.Add(p.id, nowMs, p.until)
		if p.prev != "" {
			e.Add(p.prev, nowMs, p.until)
		}
	})
	if err != nil {
		x := ns.rec.ext()
		x.indexUntil = p.was
		ns.rec.setExt(x)
		ns.users.plan = indexPlan{}
	}
	return err
}

// indexAfter settles the index once the session is saved: the previous id
// of a rotation stays listed for its grace only, the one Regenerate
// (DestroyOld) ended leaves, and when the save merged into another
// request's (a concurrent rotation, a handle or binding set meanwhile) or
// found the session destroyed, the index follows what was stored. Then the
// bindings the request ended leave their users' indexes.
func (ns *namespace) indexAfter(ctx context.Context, c *Commit) error {
	if c.gone {
		ns.rec.x = nil // destroyed meanwhile: so is its binding
	}
	if ns.users == nil {
		return nil
	}
	p := ns.users.plan
	ns.users.plan = indexPlan{}
	err := ns.unindexEnded(ctx, false)
	if p.st == nil {
		return err
	}
	r, m := ns.rec.ext(), ns.q.m
	now := ns.q.clock()
	nowMs := now.UnixMilli()
	moved := c.gone || r.user != p.user || r.handle != p.handle || c.ID != p.id
	retire := p.prev != "" && (c.gone || !c.KeepPrev)
	if !moved && !retire {
		return err
	}
	graceEnd := min(now.Add(m.cfg.RotationGrace).UnixMilli(), c.ExpiresAt.UnixMilli())
	dropPrev := c.gone || !c.Rotated || m.cfg.RotationGrace <= 0
	settle := func(ix *userindex.Index) {
		e := ix.Entry(p.handle)
		if e == nil {
			return
		}
		if moved {
			e.Remove(p.id)
		}
		if x := e.Find(p.prev); retire && x != nil {
			if dropPrev {
				e.Remove(p.prev)
			} else {
				x.Until = min(x.Until, graceEnd)
			}
		}
	}
	list := func(ix *userindex.Index) {
		ix.Ensure(r.handle, ns.slot.name).Add(c.ID, nowMs, max(r.indexUntil, p.until))
	}
	switch {
	case !moved || c.gone || r.user == "":
		return errors.Join(err, editIndex(ctx, m, p.st, p.user, now, settle))
	case r.user == p.user:
		return errors.Join(err, editIndex(ctx, m, p.st, p.user, now, func(ix *userindex.Index) { settle(ix); list(ix) }))
	}
	err = errors.Join(err, editIndex(ctx, m, p.st, r.user, now, list))
	return errors.Join(err, editIndex(ctx, m, p.st, p.user, now, settle))
}

// unindexEnded drops from their users' indexes the ids of the bindings the
// request ended: those of destroyed sessions once they are deleted, the
// others once the session is saved bound to its new user.
func (ns *namespace) unindexEnded(ctx context.Context, destroyed bool) error {
	if ns.users == nil {
		return nil
	}
	var err error
	kept := ns.users.ended[:0]
	for _, b := range ns.users.ended {
		if b.destroyed != destroyed {
			kept = append(kept, b)
			continue
		}
		err = errors.Join(err, editIndex(ctx, ns.q.m, b.st, b.user, ns.q.clock(), func(ix *userindex.Index) {
			ix.RemoveID(b.handle, b.id)
		}))
	}
	ns.users.ended = kept
	return err
}
