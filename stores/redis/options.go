package redisstore

import "time"

// Option configures a Store; pass options to New.
type Option func(*options)

type options struct {
	prefix   string
	lockPoll time.Duration
}

// Defaults of the options.
const (
	DefaultPrefix   = "session:"
	DefaultLockPoll = 50 * time.Millisecond
)

func defaultOptions() options {
	return options{prefix: DefaultPrefix, lockPoll: DefaultLockPoll}
}

// WithPrefix sets the prefix of every key the store uses: sessions are
// prefix+id, locks prefix+"lock:{"+prefix+id+"}" (see Store.LockKey; no
// session id has a ':', so the two never meet). Use a prefix per
// application sharing a server. On Redis Cluster a prefix holding a hash
// tag ("{sessions}:") would put every session in one slot, on one master;
// leave braces out.
// Default: "session:".
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithLockPoll sets the longest pause between two attempts of Lock to take
// a session lock that another request holds. Pauses start at a millisecond
// and double up to it. A value that is not positive keeps the default.
// Default: 50ms.
func WithLockPoll(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockPoll = d
		}
	}
}
