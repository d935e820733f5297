package core

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ignitego/session/internal/userindex"
)

// A user's index lists the user's sessions in their own Store, under a key
// no session id can equal (internal/userindex holds its format): for each
// session, by handle, the ids that may hold it. It changes by
// compare-and-swap (the Swapper ability), so that requests and application
// instances sharing the store keep one index.
//
// An id is listed from before its session is stored (so that the index
// never lags the store) until its session can no longer live: entries are
// pruned on every change, and the record expires with its last id, so that
// a store's garbage collection removes it.

// pendingLife is how long an id listed before its session was stored may
// hold nothing before a listing drops it: the save in flight is done long
// before.
const pendingLife = time.Minute

// newHandle returns a fresh session handle (userindex.NewHandle).
func newHandle() string { return userindex.NewHandle() }

// loadIndex returns user's index in st. An index that does not decode is
// an error.
func loadIndex(ctx context.Context, st Store, user string) (userindex.Index, error) {
	key := userindex.Key(user)
	data, found, err := st.Load(ctx, key)
	if err != nil {
		return userindex.Index{}, storeError("load", key, err)
	}
	if !found {
		return userindex.Index{}, nil
	}
	ix, err := userindex.Decode(data)
	if err != nil {
		return userindex.Index{}, fmt.Errorf("%w: the user index %s: %w", ErrStore, shortID(key), err)
	}
	return ix, nil
}

// editIndex applies edit to user's index in st, after pruning it, with a
// compare-and-swap that it retries when another edit came first. An index
// that does not decode is replaced. An index left empty lingers a moment
// (a racing edit may still read it) and expires.
func editIndex(ctx context.Context, m *Manager, st Store, user string, now time.Time, edit func(ix *userindex.Index)) error {
	ctx, cancel := m.storeContext(ctx, st)
	defer cancel()
	st = m.onWallClock(st)
	key := userindex.Key(user)
	sw := swapperOf(st)
	nowMs := now.UnixMilli()
	for attempt := range maxSwapAttempts {
		if err := retryPause(ctx, attempt); err != nil {
			return err
		}
		data, found, err := st.Load(ctx, key)
		if err != nil {
			return storeError("load", key, err)
		}
		var ix userindex.Index
		if found {
			if ix, err = userindex.Decode(data); err != nil {
				m.cfg.Logger.Warn("session: a user index does not decode; it is replaced", "index", shortID(key))
			}
		}
		ix.Prune(nowMs)
		edit(&ix)
		ix.Prune(nowMs)
		out := ix.Append(nil)
		expires := now.Add(tombstoneLife)
		if last := ix.Last(); last > 0 {
			expires = time.UnixMilli(last)
		}
		var ok bool
		switch {
		case found && bytes.Equal(out, data), !found && len(ix.Entries) == 0:
			return nil
		case !found:
			ok, err = sw.Insert(ctx, key, out, expires)
		default:
			ok, err = sw.CompareAndSwap(ctx, key, data, out, expires)
		}
		if err != nil {
			return storeError("save", key, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("%w: the user index %s", ErrConflict, shortID(key))
}
