//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"fmt"
	"time"
)

// Option configures a Store; pass options to New.
type Option func(*options)

type options struct {
	sync     bool
	lockPoll time.Duration
}

func defaultOptions() options {
	return options{sync: true, lockPoll: DefaultLockPoll}
}

func (o *options) validate() error {
	if o.lockPoll <= 0 {
		return fmt.Errorf("filestore: lock poll interval %s is not positive", o.lockPoll)
	}
	return nil
}

// DefaultLockPoll is the default of WithLockPoll.
const DefaultLockPoll = 50 * time.Millisecond

// WithSync sets whether every write is flushed to disk (fsync) before its
// file is renamed into place. With it, a power failure leaves each session
// as it was before or after a write; without it writes are faster, and a
// session written just before a power failure may read back as corrupt
// (Load reports it, Collect removes it).
// Default: true.
func WithSync(on bool) Option {
	return func(o *options) { o.sync = on }
}

// WithLockPoll sets the longest pause between two attempts of Lock to take
// a session lock that another request holds. Pauses start at a millisecond
// and double up to it. It must be positive.
// Default: 50ms.
func WithLockPoll(d time.Duration) Option {
	return func(o *options) { o.lockPoll = d }
}
