package lease

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ignitego/session/core"
)

func TestUnlockOnce(t *testing.T) {
	calls, fail := 0, true
	l := New("test", nil, func(context.Context) error {
		calls++
		if fail {
			return errors.New("down")
		}
		return nil
	})
	if err := l.Unlock(context.Background()); err == nil {
		t.Fatal("a failed release: got nil, want its error")
	}
	fail = false
	for range 3 {
		if err := l.Unlock(context.Background()); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
	}
	if calls != 2 {
		t.Fatalf("release calls: got %d, want 2 (one failed, one succeeded)", calls)
	}
}

func TestUnlockConcurrent(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	l := New("test", nil, func(context.Context) error { mu.Lock(); calls++; mu.Unlock(); return nil })
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = l.Unlock(context.Background()) }()
	}
	wg.Wait()
	if calls != 1 {
		t.Fatalf("release calls: got %d, want 1", calls)
	}
}

func TestRenew(t *testing.T) {
	down := errors.New("down")
	tests := []struct {
		name     string
		held     bool
		err      error
		released bool
		want     error
	}{
		{"held", true, nil, false, nil},
		{"lapsed", false, nil, false, core.ErrLockLost},
		{"store down", false, down, false, down},
		{"after release", true, nil, true, core.ErrLockLost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotTTL time.Duration
			l := New("test", func(_ context.Context, ttl time.Duration) (bool, error) {
				gotTTL = ttl
				return tt.held, tt.err
			}, func(context.Context) error { return nil })
			if tt.released {
				if err := l.Unlock(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			err := l.Renew(context.Background(), time.Second)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Renew: got %v, want %v", err, tt.want)
			}
			if !tt.released && gotTTL != time.Second {
				t.Fatalf("renew got ttl %s, want 1s", gotTTL)
			}
		})
	}
}
