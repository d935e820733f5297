// Package backoff paces the polling loops of the stores' lock waits: pauses
// that start short, double up to a ceiling, carry some jitter so that
// waiters do not retry in lockstep, and end early when the context is done.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Min is the first pause.
const Min = time.Millisecond

// Backoff hands out growing pauses. The zero value is not usable; call New.
type Backoff struct {
	max  time.Duration
	next time.Duration
}

// New returns a Backoff whose pauses grow from Min to max (Min when max is
// smaller).
func New(max time.Duration) *Backoff {
	if max < Min {
		max = Min
	}
	return &Backoff{max: max, next: Min}
}

// Pause returns the next pause: the current step, less up to a quarter of it
// at random, and doubles the step up to the ceiling.
func (b *Backoff) Pause() time.Duration {
	d := b.next
	b.next = min(2*b.next, b.max)
	return d - rand.N(d/4+1)
}

// Wait sleeps for the next pause, or until ctx is done; then it returns
// ctx.Err().
func (b *Backoff) Wait(ctx context.Context) error { return Sleep(ctx, b.Pause()) }

// Sleep sleeps for d, or until ctx is done; then it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
