package bench

import (
	"context"
	"net/http"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/boj/redistore"
	gsessions "github.com/gorilla/sessions"

	"github.com/ignitego/session/core"
)

// scsManager returns scs on st, with ours' session lifetime.
func scsManager(st scs.Store) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st
	sm.Lifetime = core.DefaultExpiration
	return sm
}

// scsOps are scs's ops in a framework whose request context C gives the
// request's context.Context, where LoadAndSave put the session.
func scsOps[C any](sm *scs.SessionManager, ctx func(C) context.Context) *ops[C, context.Context] {
	return &ops[C, context.Context]{
		open: func(c C) (context.Context, error) { return ctx(c), nil },
		get:  sm.Get,
		set:  sm.Put,
	}
}

// gorillaOps are gorilla/sessions' ops on st, in a framework whose
// request context C gives the net/http request and response.
func gorillaOps[C any](st gsessions.Store, std func(C) (http.ResponseWriter, *http.Request)) *ops[C, *gsessions.Session] {
	return &ops[C, *gsessions.Session]{
		open: func(c C) (*gsessions.Session, error) {
			_, r := std(c)
			return st.Get(r, core.DefaultCookieName)
		},
		get: func(s *gsessions.Session, k string) any { return s.Values[k] },
		set: func(s *gsessions.Session, k string, v any) { s.Values[k] = v },
		save: func(c C, s *gsessions.Session) error {
			w, r := std(c)
			return s.Save(r, w)
		},
	}
}

// gorillaOptions are the cookie options every gorilla store runs with, as
// ours' defaults.
func gorillaOptions() *gsessions.Options {
	return &gsessions.Options{Path: "/", MaxAge: int(core.DefaultExpiration.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// gorillaRedis returns boj/redistore on Redis, under a key prefix of tb's
// own, and the meter of its round trips.
func gorillaRedis(tb testing.TB) (*redistore.RediStore, *meter) {
	tb.Helper()
	rt := new(roundTrips)
	st, err := redistore.NewRediStoreWithPool(redigoPool(tb, rt), encryptionKey)
	if err != nil {
		tb.Fatal(err)
	}
	st.SetKeyPrefix(keyPrefix(tb))
	st.Options = gorillaOptions()
	return st, rt.meter()
}
