// Package unlock gives the stores' lock releases their common rule: a lock
// is released at most once, and a release that failed may be tried again.
package unlock

import (
	"context"
	"sync"
)

// Once returns a release function that calls release until it has
// succeeded once; later calls return nil. It is safe for concurrent use.
func Once(release func(context.Context) error) func(context.Context) error {
	var (
		mu   sync.Mutex
		done bool
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return nil
		}
		if err := release(ctx); err != nil {
			return err
		}
		done = true
		return nil
	}
}
