// Package storetest checks that a core.Store keeps the store contract, and
// the contracts of the optional abilities it has (core.Swapper, core.Locker,
// core.Collector). Every store of this module runs it, and so can yours:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) core.Store { return mystore.New(...) })
//	}
//
// open is called once per subtest; the store it returns may be shared with
// other subtests (the kit uses fresh random ids), but must not be closed by
// the kit. It uses only the standard library.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

// Run runs every check that applies to the store open returns.
func Run(t *testing.T, open func(t *testing.T) core.Store) {
	t.Helper()
	checks := []struct {
		name string
		fn   func(t *testing.T, st core.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Missing", testMissing},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"Expiry", testExpiry},
		{"LargeValue", testLarge},
		{"BinaryValue", testBinary},
		{"NoAliasing", testNoAliasing},
		{"MalformedIDs", testMalformed},
		{"ContextCancelled", testCancelled},
		{"Concurrent", testConcurrent},
		{"Swapper", testSwapper},
		{"Locker", testLocker},
		{"Collector", testCollector},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

// NewID returns a fresh random id that core.ValidID accepts.
func NewID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func hour() time.Time { return time.Now().Add(time.Hour) }

// mustSave saves and fails the test on error.
func mustSave(t *testing.T, st core.Store, id string, data []byte, exp time.Time) {
	t.Helper()
	if err := st.Save(ctx(t), id, data, exp); err != nil {
		t.Fatalf("Save(%s): %v", id, err)
	}
}

// wantData loads id and checks that it holds want (nil: nothing).
func wantData(t *testing.T, st core.Store, id string, want []byte) {
	t.Helper()
	got, found, err := st.Load(ctx(t), id)
	if err != nil {
		t.Fatalf("Load(%s): %v", id, err)
	}
	if want == nil {
		if found {
			t.Fatalf("Load(%s): got found with %d bytes, want not found", id, len(got))
		}
		return
	}
	if !found {
		t.Fatalf("Load(%s): got not found, want %d bytes", id, len(want))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Load(%s): got %q, want %q", id, abbrev(got), abbrev(want))
	}
}

func abbrev(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%s… (%d bytes)", b[:64], len(b))
	}
	return string(b)
}

func testRoundTrip(t *testing.T, st core.Store) {
	id := NewID()
	mustSave(t, st, id, []byte("hello"), hour())
	wantData(t, st, id, []byte("hello"))
	empty := NewID()
	mustSave(t, st, empty, []byte{}, hour())
	got, found, err := st.Load(ctx(t), empty)
	if err != nil || !found || len(got) != 0 {
		t.Fatalf("Load of an empty value: got %q, %v, %v; want empty, found, nil", got, found, err)
	}
}

func testMissing(t *testing.T, st core.Store) {
	wantData(t, st, NewID(), nil)
}

func testOverwrite(t *testing.T, st core.Store) {
	id := NewID()
	mustSave(t, st, id, []byte("first, and longer"), hour())
	mustSave(t, st, id, []byte("second"), hour())
	wantData(t, st, id, []byte("second"))
}

func testDelete(t *testing.T, st core.Store) {
	id := NewID()
	mustSave(t, st, id, []byte("x"), hour())
	if err := st.Delete(ctx(t), id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantData(t, st, id, nil)
	if err := st.Delete(ctx(t), id); err != nil {
		t.Fatalf("Delete of a missing id: got %v, want nil", err)
	}
}

func testExpiry(t *testing.T, st core.Store) {
	cases := []struct {
		name    string
		expires time.Time
		visible bool
	}{
		{"past", time.Now().Add(-time.Second), false},
		{"long past", time.Now().Add(-24 * time.Hour), false},
		{"future", time.Now().Add(time.Hour), true},
		{"zero never expires", time.Time{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := NewID()
			mustSave(t, st, id, []byte("v"), c.expires)
			want := []byte(nil)
			if c.visible {
				want = []byte("v")
			}
			wantData(t, st, id, want)
			_ = st.Delete(ctx(t), id)
		})
	}
	t.Run("overwrite with past expiry hides", func(t *testing.T) {
		id := NewID()
		mustSave(t, st, id, []byte("v"), hour())
		mustSave(t, st, id, []byte("w"), time.Now().Add(-time.Second))
		wantData(t, st, id, nil)
		_ = st.Delete(ctx(t), id)
	})
}

func testLarge(t *testing.T, st core.Store) {
	big := make([]byte, 1<<20)
	_, _ = rand.Read(big)
	id := NewID()
	mustSave(t, st, id, big, hour())
	wantData(t, st, id, big)
	_ = st.Delete(ctx(t), id)
}

func testBinary(t *testing.T, st core.Store) {
	all := make([]byte, 0, 512)
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	all = append(all, "\x00\xff\xfe invalid utf-8 \xc3\x28 and a NUL \x00 in the middle"...)
	id := NewID()
	mustSave(t, st, id, all, hour())
	wantData(t, st, id, all)
}

func testNoAliasing(t *testing.T, st core.Store) {
	id := NewID()
	data := []byte("original")
	mustSave(t, st, id, data, hour())
	copy(data, "CHANGED!")
	wantData(t, st, id, []byte("original"))
	got, _, _ := st.Load(ctx(t), id)
	if len(got) > 0 {
		got[0] = 'X'
	}
	wantData(t, st, id, []byte("original"))
}

// MalformedIDs are ids no store may accept: core.ValidID refuses them all.
var MalformedIDs = []string{
	"", "../x", "../../etc/passwd", "a/b", `a\b`, "a.b", ".", "..", "a b", "a\x00b",
	"é", "id\n", "a:b", "a*b", "a?b", strings.Repeat("a", core.MaxIDLength+1),
}

func testMalformed(t *testing.T, st core.Store) {
	for _, id := range MalformedIDs {
		if core.ValidID(id) {
			t.Fatalf("core.ValidID(%q) = true", id)
		}
		_, found, err := st.Load(ctx(t), id)
		if err != nil || found {
			t.Errorf("Load(%q): got found=%v err=%v, want not found and nil", id, found, err)
		}
		if err := st.Save(ctx(t), id, []byte("x"), hour()); err == nil {
			t.Errorf("Save(%q): got nil, want an error", id)
		}
		if err := st.Delete(ctx(t), id); err != nil {
			t.Errorf("Delete(%q): got %v, want nil", id, err)
		}
	}
	longest := strings.Repeat("a", core.MaxIDLength)
	mustSave(t, st, longest, []byte("x"), hour())
	wantData(t, st, longest, []byte("x"))
	_ = st.Delete(ctx(t), longest)
}

func testCancelled(t *testing.T, st core.Store) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	id := NewID()
	if _, _, err := st.Load(c, id); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
	if err := st.Save(c, id, []byte("x"), hour()); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with a cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
	if err := st.Delete(c, id); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a cancelled context: got %v, want an error wrapping context.Canceled", err)
	}
	wantData(t, st, id, nil)
}

func testConcurrent(t *testing.T, st core.Store) {
	const workers, rounds = 16, 20
	shared := NewID()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			own := NewID()
			for r := 0; r < rounds; r++ {
				want := []byte(fmt.Sprintf("worker %d round %d", w, r))
				if err := st.Save(ctx(t), own, want, hour()); err != nil {
					errs <- err
					return
				}
				got, found, err := st.Load(ctx(t), own)
				if err != nil || !found || !bytes.Equal(got, want) {
					errs <- fmt.Errorf("own id: got %q, %v, %v; want %q", got, found, err, want)
					return
				}
				if err := st.Save(ctx(t), shared, want, hour()); err != nil {
					errs <- err
					return
				}
				if _, _, err := st.Load(ctx(t), shared); err != nil {
					errs <- err
					return
				}
			}
			if err := st.Delete(ctx(t), own); err != nil {
				errs <- err
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, found, err := st.Load(ctx(t), shared)
	if err != nil || !found || !bytes.HasPrefix(got, []byte("worker ")) {
		t.Fatalf("shared id after the race: got %q, %v, %v; want one worker's value", got, found, err)
	}
	_ = st.Delete(ctx(t), shared)
}

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
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if u, err := l.Lock(short, id, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		if u != nil {
			_ = u(ctx(t))
		}
		t.Fatalf("second Lock while held: got %v, want an error wrapping context.DeadlineExceeded", err)
	}
	other, err := l.Lock(ctx(t), session(), time.Minute)
	if err != nil {
		t.Fatalf("Lock of another id while one is held: %v", err)
	}
	if err := other(ctx(t)); err != nil {
		t.Fatalf("unlock of the other id: %v", err)
	}
	acquired := make(chan error, 1)
	go func() {
		u, err := l.Lock(ctx(t), id, time.Minute)
		if err == nil {
			err = u(ctx(t))
		}
		acquired <- err
	}()
	select {
	case err := <-acquired:
		t.Fatalf("a waiter got the lock before it was released (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := unlock(ctx(t)); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if err := <-acquired; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}
	if err := unlock(ctx(t)); err != nil {
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
	_ = u(ctx(t))

	if _, err := l.Lock(ctx(t), "../x", time.Minute); err == nil {
		t.Error("Lock of a malformed id: got nil, want an error")
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
