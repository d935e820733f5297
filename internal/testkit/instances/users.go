package instances

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// user is a client with its own cookie jar, whose requests go round the
// instances. The counter it keeps in its session must equal the requests
// answered.
type user struct {
	name  string
	mode  string
	think time.Duration // pause between two pairs of requests
	f     *fleet
	http  *http.Client

	next   int             // the slot its next request goes to
	sent   int             // increments sent
	acked  int             // requests answered 200
	ids    map[string]bool // session ids the answers named
	lastID string          // the id the last answer named
	pairs  atomic.Int64    // pairs of requests answered
	done   atomic.Bool     // loop returned
	errs   []string        // what went wrong; the user stops at the first
}

func newUser(f *fleet, name, mode string, think time.Duration) *user {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err)
	}
	return &user{
		name: name, mode: mode, think: think, f: f,
		http: &http.Client{Transport: f.tr, Jar: jar, Timeout: 30 * time.Second},
		ids:  map[string]bool{},
	}
}

// answer is an instance's answer, "n who id".
type answer struct {
	status int
	n      int
	who    string
	id     string
	err    error
}

// send sends one request to the next instance in turn.
func (u *user) send(method, path string) answer {
	in, next := u.f.route(u.next)
	u.next = next
	u.sent++
	defer in.inflight.Done()
	return u.do(method, "http://"+in.addr+"/"+u.mode+path)
}

func (u *user) do(method, url string) answer {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return answer{err: err}
	}
	resp, err := u.http.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, err: err}
	if err == nil && a.status == http.StatusOK {
		f := strings.Fields(string(body))
		if len(f) != 3 {
			f = append(f, "", "", "")
		}
		if a.n, err = strconv.Atoi(f[0]); err != nil {
			a.err = fmt.Errorf("answer %q: %w", body, err)
		}
		a.who, a.id = f[1], f[2]
	} else if err == nil {
		a.err = fmt.Errorf("status %d: %s", a.status, body)
	}
	return a
}

// incr sends one increment, and checks that it counted exactly once.
func (u *user) incr() bool {
	a := u.send(http.MethodPost, "/incr?who="+u.name)
	return u.check([]answer{a})
}

// pair sends two increments at once, each to the next instance in turn,
// and checks that they counted exactly once each.
func (u *user) pair() bool {
	var as [2]answer
	var wg sync.WaitGroup
	for i := range as {
		in, next := u.f.route(u.next)
		u.next = next
		u.sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer in.inflight.Done()
			as[i] = u.do(http.MethodPost, "http://"+in.addr+"/"+u.mode+"/incr?who="+u.name)
		}()
	}
	wg.Wait()
	if !u.check(as[:]) {
		return false
	}
	u.pairs.Add(1)
	return true
}

// check records answers to increments: they must be 200, of this user's
// session, and count acked+1, acked+2… in some order.
func (u *user) check(as []answer) bool {
	var got, want []int
	for i, a := range as {
		if a.err != nil {
			u.errs = append(u.errs, fmt.Sprintf("%s: request after %d answered: %v", u.name, u.acked, a.err))
			return false
		}
		if a.who != u.name {
			u.errs = append(u.errs, fmt.Sprintf("%s: answer of the session of %q, want its own", u.name, a.who))
			return false
		}
		got, want = append(got, a.n), append(want, u.acked+1+i)
		u.ids[a.id] = true
		u.lastID = a.id
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		u.errs = append(u.errs, fmt.Sprintf("%s: counter after %d answered requests: got %v, want %v", u.name, u.acked, got, want))
		return false
	}
	u.acked += len(as)
	return true
}

// loop sends one increment, which starts the session, then pairs of
// increments until stop closes or one fails.
func (u *user) loop(stop <-chan struct{}) {
	defer u.done.Store(true)
	if !u.incr() {
		return
	}
	for u.pair() {
		select {
		case <-stop:
			return
		case <-time.After(u.think):
		}
	}
}

// progress waits until each user who is still running has had n more
// pairs of requests answered, for at most a minute.
func progress(users []*user, n int64) error {
	want := make([]int64, len(users))
	for i, u := range users {
		want[i] = u.pairs.Load() + n
	}
	deadline := time.Now().Add(time.Minute)
	for i, u := range users {
		for !u.done.Load() && u.pairs.Load() < want[i] {
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %d pairs of requests answered, want %d within a minute", u.name, u.pairs.Load(), want[i])
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// final reads the counter on every running instance: each must see all the
// increments answered.
func (u *user) final() {
	for _, addr := range u.f.addrs() {
		a := u.do(http.MethodGet, "http://"+addr+"/"+u.mode+"/count")
		switch {
		case a.err != nil:
			u.errs = append(u.errs, fmt.Sprintf("%s: count on %s: %v", u.name, addr, a.err))
		case a.n != u.acked || a.who != u.name:
			u.errs = append(u.errs, fmt.Sprintf("%s: count on %s: got %d of %q, want %d of its own", u.name, addr, a.n, a.who, u.acked))
		default:
			u.ids[a.id] = true
			u.lastID = a.id
		}
	}
}
