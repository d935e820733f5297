package core

import (
	"context"
	"time"

	"github.com/ignitego/session/internal/userindex"
)

// A listed id's state, as resolveID finds it.
const (
	idLive    = iota // it leads to a live session of the entry
	idGone           // it never will again: ended, expired, rebound, or not the engine's
	idMissing        // it holds nothing: gone, or listed by a save still in flight
)

// resolveID follows the listed id of user's session handle to the session
// it holds, through rotation forwards, and returns the session's id and
// record when it is live.
func (m *Manager) resolveID(ctx context.Context, st Store, user, handle, id string, nowMs int64) (string, *record, int, error) {
	for hop := range maxForwardHops {
		data, found, err := st.Load(ctx, id)
		if err != nil {
			return "", nil, 0, storeError("load", id, err)
		}
		switch {
		case !found && hop == 0:
			return "", nil, idMissing, nil
		case !found, isTombstone(data):
			return "", nil, idGone, nil
		}
		if f, ok := decodeForward(data); ok {
			if f.until <= nowMs {
				return "", nil, idGone, nil
			}
			id = f.to
			continue
		}
		r := new(record)
		if decodeRecord(data, r) != nil || r.user() != user || r.handle() != handle || nowMs >= m.cfg.sessionEnd(r) {
			return "", nil, idGone, nil
		}
		return id, r, idLive, nil
	}
	return "", nil, idGone, nil
}

// dropped reports whether the index should drop a listed id in state: one
// gone for good, or one that held nothing for longer than a save takes.
func dropped(state int, x userindex.ID, nowMs int64) bool {
	return state == idGone || state == idMissing && nowMs-x.Since >= pendingLife.Milliseconds()
}

// listIndex lists user's live sessions in st, and prunes the index of the
// ids it found gone (and lists those a forward led to that it lacked); a
// failed prune is logged, the list returned all the same.
func (m *Manager) listIndex(ctx context.Context, st Store, user string) ([]SessionInfo, error) {
	ctx, cancel := m.storeContext(ctx, st)
	defer cancel()
	st = m.onWallClock(st)
	ix, err := loadIndex(ctx, st, user)
	if err != nil {
		return nil, err
	}
	now := m.cfg.Now()
	nowMs := now.UnixMilli()
	var (
		out   []SessionInfo
		fixes []func(ix *userindex.Index)
	)
	for _, e := range ix.Entries {
		var best *record
		for _, x := range e.IDs {
			id, r, state, err := m.resolveID(ctx, st, user, e.Handle, x.ID, nowMs)
			if err != nil {
				return nil, err
			}
			if dropped(state, x, nowMs) {
				fixes = append(fixes, func(ix *userindex.Index) { ix.RemoveID(e.Handle, x.ID) })
			}
			if state != idLive {
				continue
			}
			if e.Find(id) == nil {
				until := m.cfg.indexUntil(r, m.cfg.sessionEnd(r))
				fixes = append(fixes, func(ix *userindex.Index) { ix.Ensure(e.Handle, e.Driver).Add(id, nowMs, until) })
			}
			if best == nil || r.lastWrite > best.lastWrite {
				best = r
			}
		}
		if best != nil {
			out = append(out, m.sessionInfo(e, best))
		}
	}
	if len(fixes) == 0 {
		return out, nil
	}
	err = editIndex(ctx, m, st, user, now, func(ix *userindex.Index) {
		for _, f := range fixes {
			f(ix)
		}
	})
	if err != nil {
		// The list is right; the index is tidied up by a later edit.
		m.cfg.Logger.Warn("session: pruning a user index failed", "error", err)
	}
	return out, nil
}

// sessionInfo describes the session r of the index entry e.
func (m *Manager) sessionInfo(e userindex.Entry, r *record) SessionInfo {
	ua := r.ua
	if isUADigest(ua) {
		ua = ""
	}
	return SessionInfo{
		Handle:       e.Handle,
		Driver:       e.Driver,
		Created:      time.UnixMilli(r.created),
		LastActivity: time.UnixMilli(max(r.lastWrite, r.lastActivity)),
		ExpiresAt:    time.UnixMilli(m.cfg.sessionEnd(r)),
		IPAddress:    r.ip,
		UserAgent:    ua,
	}
}

// revoke ends user's sessions in st whose handles match, and returns how
// many it ended. Each id listed for such a session is ended as Destroy ends
// one (a rotation racing with it finds the session gone and gives up), and
// leaves the index; an id that may still be stored by a save in flight
// stays listed, so that a later listing or revocation finds it.
func (m *Manager) revoke(ctx context.Context, st Store, user string, match func(handle string) bool) (int, error) {
	ctx, cancel := m.storeContext(ctx, st)
	defer cancel()
	st = m.onWallClock(st)
	ix, err := loadIndex(ctx, st, user)
	if err != nil {
		return 0, err
	}
	now := m.cfg.Now()
	nowMs := now.UnixMilli()
	r := &DriverRequest{m: m, Now: now, markers: true}
	ended := 0
	var drop []func(ix *userindex.Index)
	for _, e := range ix.Entries {
		if !match(e.Handle) {
			continue
		}
		live := false
		destroyed := map[string]bool{}
		for _, x := range e.IDs {
			state := idGone
			if !destroyed[x.ID] {
				var id string
				if id, _, state, err = m.resolveID(ctx, st, user, e.Handle, x.ID, nowMs); err != nil {
					return ended, err
				}
				if state == idLive {
					if err := destroyStore(ctx, r, st, x.ID); err != nil {
						return ended, err
					}
					destroyed[id], live = true, true
				}
			}
			if state != idMissing || dropped(state, x, nowMs) {
				drop = append(drop, func(ix *userindex.Index) { ix.RemoveID(e.Handle, x.ID) })
			}
		}
		if live {
			ended++
		}
	}
	if len(drop) == 0 {
		return ended, nil
	}
	return ended, editIndex(ctx, m, st, user, now, func(ix *userindex.Index) {
		for _, f := range drop {
			f(ix)
		}
	})
}
