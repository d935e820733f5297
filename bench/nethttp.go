package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	gsessions "github.com/gorilla/sessions"

	"github.com/ignitego/session/core"
)

// httpMounts are the cases of the standard library's net/http: ours
// through Manager.Middleware, scs's LoadAndSave, and gorilla/sessions
// called from the handler, on a cookie and on Redis (boj/redistore, the
// gorilla store gin-contrib's Redis store wraps).
func httpMounts() []mount {
	ms := []mount{{library: "floor", store: "none", build: func(testing.TB) *Case {
		return &Case{Framework: "http", Library: "floor", Store: "none", misses: new(misses),
			target: httpTarget{httpMux(func(string) http.HandlerFunc { return httpOK })}}
	}}}
	ms = append(ms, oursMounts("http", oursStores)...)
	return append(ms,
		mount{library: "scs", store: "memory", build: func(testing.TB) *Case {
			return httpSCS("memory", scsmem.NewWithCleanupInterval(0), nil)
		}},
		mount{library: "scs", store: "redis", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			return httpSCS("redis", goredisstore.NewWithPrefix(goRedis(tb, rt), keyPrefix(tb)), rt.meter())
		}},
		mount{library: "gorilla", store: "cookie", build: func(testing.TB) *Case {
			st := gsessions.NewCookieStore(encryptionKey)
			st.Options = gorillaOptions()
			return httpGorilla("cookie", st, nil)
		}},
		mount{library: "gorilla", store: "redis", build: func(tb testing.TB) *Case {
			st, io := gorillaRedis(tb)
			return httpGorilla("redis", st, io)
		}},
	)
}

// httpRequest is a net/http handler's view of a request.
type httpRequest struct {
	w http.ResponseWriter
	r *http.Request
}

func httpOurs(m *core.Manager, ms *misses) target {
	o := &ops[httpRequest, *core.Session]{
		open: func(c httpRequest) (*core.Session, error) { return core.FromContext(c.r.Context()), nil },
		get:  (*core.Session).Userdata,
		set:  (*core.Session).SetUserdata,
	}
	return httpTarget{m.Middleware(httpMux(httpServe(o, ms)))}
}

// httpMux serves handler(workload) at every path.
func httpMux(handler func(w string) http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	for _, p := range paths() {
		mux.HandleFunc("GET /"+p, handler(p))
	}
	return mux
}

func httpOK(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }

// httpServe returns the workloads' net/http handlers over o.
func httpServe[S any](o *ops[httpRequest, S], ms *misses) func(w string) http.HandlerFunc {
	return func(wl string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := serve(wl, httpRequest{w, r}, o); err != nil {
				ms.add(err)
			}
			_, _ = w.Write([]byte(body))
		}
	}
}

// httpSCS mounts scs on st, its LoadAndSave around the mux.
func httpSCS(store string, st scs.Store, io *meter) *Case {
	sm := scsManager(st)
	o := scsOps(sm, func(c httpRequest) context.Context { return c.r.Context() })
	ms := new(misses)
	return &Case{Framework: "http", Library: "scs", Store: store, target: httpTarget{sm.LoadAndSave(httpMux(httpServe(o, ms)))}, misses: ms, io: io}
}

// httpGorilla mounts gorilla/sessions on st, called from the handlers.
func httpGorilla(store string, st gsessions.Store, io *meter) *Case {
	o := gorillaOps[httpRequest](st, func(c httpRequest) (http.ResponseWriter, *http.Request) { return c.w, c.r })
	ms := new(misses)
	return &Case{Framework: "http", Library: "gorilla", Store: store, target: httpTarget{httpMux(httpServe(o, ms))}, misses: ms, io: io}
}
