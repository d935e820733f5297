package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

// The scale benchmarks run ours' stores holding many sessions: the cost of
// a request, and of a garbage collection pass, with a thousand and with a
// million sessions loaded.

// expiredShare is the share of sessions that have expired when a garbage
// collection pass starts: a pass on a store of n live sessions finds
// n*expiredShare expired ones besides.
const expiredShare = 0.1

// loadTimeout bounds the bulk load of one store.
const loadTimeout = 15 * time.Minute

// scaled is one of ours' stores loaded with size live sessions, mounted in
// Gin.
type scaled struct {
	store string
	size  int

	m      *core.Manager
	st     core.Store
	app    target
	cookie string // the warm-up request's, for rw
	io     *meter // nil when the store does no I/O
	misses *misses

	bulk   bulkLoader
	settle func(ctx context.Context) error // nil for none

	data []byte // the warm-up session's record, as the store holds it
}

// scaleStore is one of ours' stores as the scale benchmarks open it.
type scaleStore struct {
	name string
	open func(tb testing.TB) scaleBackend // an empty store
}

// scaleBackend is an open store, with what loading it takes.
type scaleBackend struct {
	store core.Store
	io    *meter // nil when the store does no I/O
	bulk  bulkLoader

	// settle runs after a bulk load: the statistics a database keeps up
	// to date over time in production (ANALYZE). Nil for none. Without
	// it, PostgreSQL plans the GORM store's batched DELETE for the rows
	// its statistics know, none of them expired, as a nested loop: one
	// batch at a million sessions ran for over a minute.
	settle func(ctx context.Context) error
}

// bulkLoader stores data under each of ids until expiresAt, in as few
// round trips, statements or calls as the store allows, bypassing the
// engine.
type bulkLoader func(ctx context.Context, ids []string, data []byte, expiresAt time.Time) error

// scaleStores lists ours' stores in the order they are reported; each
// store's file adds its entry.
var scaleStores []scaleStore

// scaledStore returns st loaded with size sessions, shared by every
// benchmark of the process.
func scaledStore(tb testing.TB, st scaleStore, size int) *scaled {
	tb.Helper()
	return shared(tb, "scale/"+st.name+"/"+strconv.Itoa(size), func(tb testing.TB) *scaled {
		return newScaled(tb, st, size)
	})
}

// newScaled opens st, mounts ours on it in Gin, and loads it with size
// live sessions: the warm-up request's, and size-1 copies of its record
// under other ids.
func newScaled(tb testing.TB, st scaleStore, size int) *scaled {
	tb.Helper()
	be := st.open(tb)
	cfg := nativeConfig(be.store)
	// No id rotation: a shared store serves one cookie for as long as the
	// process runs, past the 5 minutes after which an id would rotate (and
	// the old one, expired, would be one more session for a pass to
	// delete).
	cfg.TimeToUpdate = 0
	m, err := core.New(cfg)
	if err != nil {
		tb.Fatalf("core.New: %v", err)
	}
	tb.Cleanup(func() { m.Close() })
	s := &scaled{store: st.name, size: size, m: m, st: be.store, io: be.io, misses: new(misses), bulk: be.bulk, settle: be.settle}
	s.app = ginOurs(m, s.misses)
	s.cookie = s.app.cookies(tb, "/"+seed)
	id := cookieValue(tb, s.cookie)
	data, found, err := be.store.Load(context.Background(), id)
	if err != nil || !found {
		tb.Fatalf("the warm-up session %s: found %v, %v", id, found, err)
	}
	s.data = data
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	start := time.Now()
	if err := s.add(ctx, size-1, time.Now().Add(core.DefaultExpiration)); err != nil {
		tb.Fatalf("loading %d sessions: %v", size-1, err)
	}
	if err := s.settled(ctx); err != nil {
		tb.Fatalf("after loading: %v", err)
	}
	tb.Logf("%s: %d sessions loaded in %s", st.name, size, time.Since(start).Round(time.Millisecond))
	return s
}

// asCase is s as a case of ours in Gin, for the workloads.
func (s *scaled) asCase() *Case {
	return &Case{Framework: "gin", Library: "ours", Store: s.store, target: s.app, misses: s.misses, io: s.io}
}

// add stores n sessions under fresh ids, expiring at expiresAt, in
// batches.
func (s *scaled) add(ctx context.Context, n int, expiresAt time.Time) error {
	const batch = 10_000
	for n > 0 {
		k := min(n, batch)
		if err := s.bulk(ctx, newIDs(k), s.data, expiresAt); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// settled runs the store's settle, if it has one.
func (s *scaled) settled(ctx context.Context) error {
	if s.settle == nil {
		return nil
	}
	return s.settle(ctx)
}

// newIDs returns n random session ids of the engine's form: 40 hex digits.
func newIDs(n int) []string {
	raw := make([]byte, 20*n)
	_, _ = rand.Read(raw)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = hex.EncodeToString(raw[20*i : 20*i+20])
	}
	return ids
}

// cookieValue returns the value of the session cookie in a Cookie header.
func cookieValue(tb testing.TB, header string) string {
	tb.Helper()
	for pair := range strings.SplitSeq(header, "; ") {
		if name, v, ok := strings.Cut(pair, "="); ok && name == core.DefaultCookieName {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
			return v
		}
	}
	tb.Fatalf("no %s cookie in %q", core.DefaultCookieName, header)
	return ""
}

// pass is what one garbage collection pass did.
type pass struct {
	deleted int           // sessions deleted
	calls   int           // Collect calls
	longest time.Duration // the longest call
}

// collectPass calls c.Collect with limit until a call deletes less than
// limit, as Manager.Collect does, timing each call. A call that deletes
// more than limit is an error: garbage collection must come in bounded
// batches, so that it never holds a store for long.
func collectPass(ctx context.Context, c core.Collector, limit int) (pass, error) {
	var p pass
	for {
		t0 := time.Now()
		n, err := c.Collect(ctx, limit)
		p.longest = max(p.longest, time.Since(t0))
		p.calls++
		p.deleted += n
		switch {
		case err != nil:
			return p, err
		case n > limit:
			return p, fmt.Errorf("one Collect call deleted %d sessions, more than its limit of %d: not batched", n, limit)
		case n < limit:
			return p, nil
		}
	}
}
