package unlock

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestOnce(t *testing.T) {
	calls, fail := 0, true
	u := Once(func(context.Context) error {
		calls++
		if fail {
			return errors.New("down")
		}
		return nil
	})
	if err := u(context.Background()); err == nil {
		t.Fatal("a failed release: got nil, want its error")
	}
	fail = false
	for range 3 {
		if err := u(context.Background()); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
	}
	if calls != 2 {
		t.Fatalf("release calls: got %d, want 2 (one failed, one succeeded)", calls)
	}
}

func TestOnceConcurrent(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	u := Once(func(context.Context) error { mu.Lock(); calls++; mu.Unlock(); return nil })
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = u(context.Background()) }()
	}
	wg.Wait()
	if calls != 1 {
		t.Fatalf("release calls: got %d, want 1", calls)
	}
}
