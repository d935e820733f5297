package bench

import (
	"errors"
	"sync/atomic"
)

// The workloads every case serves, each at the path "/"+name.
const (
	RW        = "rw"        // read an int, write it back plus one
	RO        = "ro"        // read a string
	Untouched = "untouched" // never touch the session
	New       = "new"       // first visit: set two values
)

// Workloads lists the workloads in the order they are reported.
var Workloads = []string{RW, RO, Untouched, New}

// seed is the warm-up request's path: it sets the values rw and ro read.
const seed = "seed"

// The session keys and the values a warm-up request stores.
const (
	keyCount = "n"
	keyName  = "name"
	seedName = "gopher"
)

// body is what every handler writes.
const body = "ok"

// errMiss is a handler that did not find the value the warm-up stored.
var errMiss = errors.New("bench: session value missing")

// ops is what the workloads need of a session library in one request of
// framework context C, the library's session handle being S. Every library
// runs the same workload code through these functions.
type ops[C, S any] struct {
	open func(c C) (S, error)
	get  func(s S, key string) any
	set  func(s S, key string, v any)
	save func(c C, s S) error // nil when the middleware saves by itself
}

// serve runs workload w (or seed) on c's session.
func serve[C, S any](w string, c C, o *ops[C, S]) error {
	if w == Untouched {
		return nil
	}
	s, err := o.open(c)
	if err != nil {
		return err
	}
	switch w {
	case RW:
		n, ok := toInt(o.get(s, keyCount))
		if !ok {
			return errMiss
		}
		o.set(s, keyCount, n+1)
	case RO:
		if name, _ := o.get(s, keyName).(string); name != seedName {
			return errMiss
		}
		return nil
	case New, seed:
		o.set(s, keyCount, 0)
		o.set(s, keyName, seedName)
	}
	if o.save != nil {
		return o.save(c, s)
	}
	return nil
}

// toInt reads a counter back, whatever integer type a library's codec
// returns it as.
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}

// misses counts handler failures: a value not found, a load or save that
// failed. A case that misses is measuring something other than the workload.
type misses struct {
	n    atomic.Int64
	last atomic.Value // error
}

func (m *misses) add(err error) {
	m.n.Add(1)
	m.last.Store(err)
}

// Err returns the last failure and how many there were.
func (m *misses) Err() (int64, error) {
	err, _ := m.last.Load().(error)
	return m.n.Load(), err
}

func (m *misses) reset() { m.n.Store(0) }
