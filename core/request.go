package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// request is the state one request shares across its Session handles and
// its drivers' namespaces. Manager.Start makes one per request; its mutex
// guards it and every namespace in it.
type request struct {
	mu sync.Mutex
	m  *Manager
	// ctx is the request's context, kept for the lazy load that the
	// context-free getters trigger; like http.Request, a request-scoped value.
	ctx   context.Context
	t     Transport
	now   time.Time
	main  *namespace // the default driver's, made on first use
	extra []*namespace
	locks []*heldLock // the session locks Config.Lock took

	ua        string // the User-Agent, truncated, once read
	uaRead    bool
	committed bool // the response headers went out: cookies can no longer change
	late      bool // a change arrived after that; Save reports it
	ended     bool // Release ran: every handle is inert
	warned    bool // a use after the end was logged

	handle Session // the one Start returns, allocated with the request
}

// userAgent returns the request's User-Agent as sessions keep it (at most
// 120 bytes), read once.
func (q *request) userAgent() string {
	if !q.uaRead {
		q.ua, q.uaRead = truncateUA(q.t.UserAgent()), true
	}
	return q.ua
}

// clock returns the request's time, read once.
func (q *request) clock() time.Time {
	if q.now.IsZero() {
		q.now = q.m.cfg.Now()
	}
	return q.now
}

// mainNS returns the default driver's namespace, creating it unloaded.
func (q *request) mainNS() *namespace {
	if q.main == nil {
		q.main = newNamespace(q, q.m.def)
	}
	return q.main
}

// namespace returns the namespace of a valid driver, creating it unloaded.
func (q *request) namespace(name string) (*namespace, error) {
	if q.m.def.name == name {
		return q.mainNS(), nil
	}
	for _, ns := range q.extra {
		if ns.slot.name == name {
			return ns, nil
		}
	}
	slot, ok := q.m.drivers[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownDriver, name)
	}
	ns := newNamespace(q, slot)
	q.extra = append(q.extra, ns)
	return ns, nil
}

// save saves every namespace the request touched.
func (q *request) save(ctx context.Context) error {
	var err error
	if q.main != nil {
		err = q.main.save(ctx)
	}
	for _, ns := range q.extra {
		err = errors.Join(err, ns.save(ctx))
	}
	if q.late {
		q.late = false
		err = errors.Join(err, ErrModifiedAfterCommit)
	}
	return err
}

// warnEnded logs the first use of a handle after its request ended.
func (q *request) warnEnded() {
	if !q.warned {
		q.warned = true
		q.m.cfg.Logger.Warn("session: used after its request ended; the use is ignored")
	}
}
