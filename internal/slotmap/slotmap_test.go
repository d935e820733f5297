package slotmap

import (
	"context"
	"testing"
)

type reloader struct{ calls int }

func (r *reloader) ReloadState(context.Context) { r.calls++ }

func TestAfterError(t *testing.T) {
	r := &reloader{}
	AfterError(context.Background(), r)
	AfterError(context.Background(), r)
	if r.calls != 2 {
		t.Fatalf("ReloadState calls after two errors: got %d, want 2", r.calls)
	}
	// A client without the ability, or none, is left alone.
	AfterError(context.Background(), struct{}{})
	AfterError(context.Background(), nil)
}
