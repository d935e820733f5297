package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPauseGrowsToCeiling(t *testing.T) {
	cases := []struct {
		name string
		max  time.Duration
		want time.Duration // the step the pauses settle on
	}{
		{"ceiling 8ms", 8 * time.Millisecond, 8 * time.Millisecond},
		{"ceiling below Min", time.Microsecond, Min},
		{"ceiling not a power of two", 5 * time.Millisecond, 5 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := New(c.max)
			prev := time.Duration(0)
			for i := 0; i < 20; i++ {
				step := b.next
				p := b.Pause()
				if p > step || p < step-step/4 {
					t.Fatalf("pause %d: got %s, want within [%s, %s]", i, p, step-step/4, step)
				}
				if step < prev {
					t.Fatalf("step %d: got %s, want at least the previous %s", i, step, prev)
				}
				prev = step
			}
			if b.next != c.want {
				t.Fatalf("final step: got %s, want %s", b.next, c.want)
			}
		})
	}
}

func TestWaitHonoursContext(t *testing.T) {
	b := New(time.Hour)
	b.next = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled context: got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Wait with a cancelled context took %s, want it to return at once", d)
	}
	if err := New(Min).Wait(context.Background()); err != nil {
		t.Fatalf("Wait: got %v, want nil", err)
	}
}
