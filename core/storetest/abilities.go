package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

func testSwapper(t *testing.T, st core.Store) {
	sw, ok := st.(core.Swapper)
	if !ok {
		t.Skipf("%T has no Swapper ability", st)
	}
	c := ctx(t)
	id := NewID()
	check := func(what string, got bool, err error, want bool) {
		t.Helper()
		if err != nil || got != want {
			t.Fatalf("%s: got %v, %v; want %v, nil", what, got, err, want)
		}
	}
	ok, err := sw.CompareAndSwap(c, id, []byte("a"), []byte("b"), hour())
	check("CompareAndSwap on a missing id", ok, err, false)
	wantData(t, st, id, nil)
	ok, err = sw.Insert(c, id, []byte("a"), hour())
	check("Insert on a missing id", ok, err, true)
	ok, err = sw.Insert(c, id, []byte("z"), hour())
	check("Insert on a taken id", ok, err, false)
	wantData(t, st, id, []byte("a"))
	ok, err = sw.CompareAndSwap(c, id, []byte("wrong"), []byte("b"), hour())
	check("CompareAndSwap with a stale old", ok, err, false)
	wantData(t, st, id, []byte("a"))
	ok, err = sw.CompareAndSwap(c, id, []byte("a"), []byte("b"), hour())
	check("CompareAndSwap with the current old", ok, err, true)
	wantData(t, st, id, []byte("b"))

	expired := NewID()
	mustSave(t, st, expired, []byte("old"), time.Now().Add(-time.Second))
	ok, err = sw.CompareAndSwap(c, expired, []byte("old"), []byte("new"), hour())
	check("CompareAndSwap on expired data", ok, err, false)
	ok, err = sw.Insert(c, expired, []byte("new"), hour())
	check("Insert over expired data", ok, err, true)
	wantData(t, st, expired, []byte("new"))

	if _, err := sw.Insert(c, "../x", []byte("x"), hour()); err == nil {
		t.Error("Insert of a malformed id: got nil, want an error")
	}

	// Atomicity: concurrent read-increment-swap loops lose no increment.
	counter := NewID()
	mustSave(t, st, counter, []byte("0"), hour())
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				for {
					cur, _, err := st.Load(c, counter)
					if err != nil {
						errs <- err
						return
					}
					var n int
					fmt.Sscan(string(cur), &n)
					ok, err := sw.CompareAndSwap(c, counter, cur, []byte(fmt.Sprint(n+1)), hour())
					if err != nil {
						errs <- err
						return
					}
					if ok {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantData(t, st, counter, []byte(fmt.Sprint(workers*each)))
	for _, i := range []string{id, expired, counter} {
		_ = st.Delete(c, i)
	}
}

func testLocker(t *testing.T, st core.Store) {
	l, ok := st.(core.Locker)
	if !ok {
		t.Skipf("%T has no Locker ability", st)
	}
	// A store may take no lock on an id that holds no session
	// (core.Locker): lock sessions.
	session := func() string {
		id := NewID()
		mustSave(t, st, id, []byte("locked"), hour())
		t.Cleanup(func() { _ = st.Delete(context.Background(), id) })
		return id
	}
	id := session()
	unlock, err := l.Lock(ctx(t), id, time.Minute)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	wantHeld(t, l, id, "second Lock while held")
	other, err := l.Lock(ctx(t), session(), time.Minute)
	if err != nil {
		t.Fatalf("Lock of another id while one is held: %v", err)
	}
	if err := other.Unlock(ctx(t)); err != nil {
		t.Fatalf("unlock of the other id: %v", err)
	}
	acquired := make(chan error, 1)
	go func() {
		u, err := l.Lock(ctx(t), id, time.Minute)
		if err == nil {
			err = u.Unlock(ctx(t))
		}
		acquired <- err
	}()
	select {
	case err := <-acquired:
		t.Fatalf("a waiter got the lock before it was released (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := unlock.Unlock(ctx(t)); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := <-acquired; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}
	if err := unlock.Unlock(ctx(t)); err != nil {
		t.Fatalf("second unlock: got %v, want nil", err)
	}

	// A holder that never unlocks loses the lock after its ttl.
	stale := session()
	if _, err := l.Lock(ctx(t), stale, 300*time.Millisecond); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	start := time.Now()
	u, err := l.Lock(ctx(t), stale, time.Minute)
	if err != nil {
		t.Fatalf("Lock after the holder's ttl: %v", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("Lock after the holder's ttl waited %s", waited)
	}
	_ = u.Unlock(ctx(t))

	testLease(t, l, session)

	if _, err := l.Lock(ctx(t), "../x", time.Minute); err == nil {
		t.Error("Lock of a malformed id: got nil, want an error")
	}
}

// wantHeld fails the test unless a Lock of id waits until its context is
// done: another holder has the lock.
func wantHeld(t *testing.T, l core.Locker, id, what string) {
	t.Helper()
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if u, err := l.Lock(short, id, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		if u != nil {
			_ = u.Unlock(ctx(t))
		}
		t.Fatalf("%s: got %v, want an error wrapping context.DeadlineExceeded", what, err)
	}
}

// testLease checks Renew: it keeps a lock past its first ttl, and reports
// core.ErrLockLost once the lock was released, or lapsed and was taken.
func testLease(t *testing.T, l core.Locker, session func() string) {
	id := session()
	held, err := l.Lock(ctx(t), id, 300*time.Millisecond)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	for range 4 {
		time.Sleep(100 * time.Millisecond)
		if err := held.Renew(ctx(t), 300*time.Millisecond); err != nil {
			t.Fatalf("Renew of a held lock: %v", err)
		}
	}
	// 400ms after Lock, past its first ttl: still held.
	wantHeld(t, l, id, "Lock of a renewed lock")
	if err := held.Unlock(ctx(t)); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if err := held.Renew(ctx(t), time.Minute); !errors.Is(err, core.ErrLockLost) {
		t.Fatalf("Renew after Unlock: got %v, want core.ErrLockLost", err)
	}

	// A lease whose lock lapsed and was taken by another holder is lost.
	old, err := l.Lock(ctx(t), id, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	next, err := l.Lock(ctx(t), id, time.Minute) // waits out the ttl
	if err != nil {
		t.Fatalf("Lock after the ttl: %v", err)
	}
	if err := old.Renew(ctx(t), time.Minute); !errors.Is(err, core.ErrLockLost) {
		t.Fatalf("Renew of a lapsed lock another holder took: got %v, want core.ErrLockLost", err)
	}
	if err := old.Unlock(ctx(t)); err != nil {
		t.Fatalf("Unlock of a lapsed lock: got %v, want nil", err)
	}
	if err := next.Renew(ctx(t), time.Minute); err != nil {
		t.Fatalf("the new holder's Renew after the old one's Unlock: %v (the old Unlock released it?)", err)
	}
	if err := next.Unlock(ctx(t)); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
}

func testCollector(t *testing.T, st core.Store) {
	col, ok := st.(core.Collector)
	if !ok {
		t.Skipf("%T has no Collector ability", st)
	}
	c := ctx(t)
	// Sessions that expire in a moment: a store may drop data saved with an
	// expiry already past at once, but must keep these until they expire.
	soon := time.Now().Add(300 * time.Millisecond)
	var expired, live []string
	for i := 0; i < 5; i++ {
		id := NewID()
		mustSave(t, st, id, []byte("old"), soon)
		expired = append(expired, id)
	}
	for i := 0; i < 3; i++ {
		id := NewID()
		mustSave(t, st, id, []byte("live"), hour())
		live = append(live, id)
	}
	forever := NewID()
	mustSave(t, st, forever, []byte("forever"), time.Time{})
	live = append(live, forever)
	t.Cleanup(func() {
		for _, id := range append(expired, live...) {
			_ = st.Delete(context.Background(), id)
		}
	})
	// Other tests may share the store, so count at least our own expired
	// sessions, in batches no larger than the limit; a store that keeps
	// expiry in whole seconds may need a little longer than the expiry.
	total := 0
	deadline := soon.Add(5 * time.Second)
	for total < len(expired) {
		n, err := col.Collect(c, 2)
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		if n > 2 {
			t.Fatalf("Collect(limit 2) deleted %d", n)
		}
		total += n
		if n == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("Collect deleted %d sessions in all, want at least %d", total, len(expired))
			}
			time.Sleep(20 * time.Millisecond) // waiting for the wall clock, which stores expire by
		}
	}
	for _, id := range expired {
		wantData(t, st, id, nil)
	}
	for _, id := range live {
		wantData(t, st, id, map[bool][]byte{true: []byte("forever"), false: []byte("live")}[id == forever])
	}
	if n, err := col.Collect(c, 100); err != nil || n != 0 {
		t.Fatalf("Collect with nothing expired: got %d, %v; want 0, nil", n, err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := col.Collect(cancelled, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("Collect with a cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
}
