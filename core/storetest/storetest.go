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
