package memstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	memstore "github.com/ignitego/session/stores/memory"
)

// filled returns a store holding n sessions, and some of their ids.
func filled(b *testing.B, n int) (*memstore.Store, []string) {
	b.Helper()
	st := memstore.New()
	ctx := context.Background()
	data := make([]byte, 200)
	exp := time.Now().Add(time.Hour)
	ids := make([]string, 0, 1024)
	for i := range n {
		id := storetest.NewID()
		if err := st.Save(ctx, id, data, exp); err != nil {
			b.Fatal(err)
		}
		if i < cap(ids) {
			ids = append(ids, id)
		}
	}
	return st, ids
}

var sizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"1M", 1_000_000}}

// BenchmarkLoad loads existing sessions from a store holding 1k or 1M.
func BenchmarkLoad(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st, ids := filled(b, sz.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, found, err := st.Load(ctx, ids[i%len(ids)]); err != nil || !found {
					b.Fatal(fmt.Sprint(found, err))
				}
			}
		})
	}
}

// BenchmarkSave overwrites existing sessions in a store holding 1k or 1M.
func BenchmarkSave(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st, ids := filled(b, sz.n)
			ctx := context.Background()
			data := make([]byte, 200)
			exp := time.Now().Add(time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := st.Save(ctx, ids[i%len(ids)], data, exp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// devices is how many sessions the benchmarked user has.
const devices = 5

// client is a Transport without cookies: each request starts a session.
type client struct{}

func (client) Cookie(string) string   { return "" }
func (client) SetCookie(*http.Cookie) {}
func (client) ClientIP() string       { return "192.0.2.1" }
func (client) UserAgent() string      { return "bench/1.0" }

// usersManager returns a Manager on a store holding n other sessions.
func usersManager(b *testing.B, n int) *core.Manager {
	b.Helper()
	st, _ := filled(b, n)
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store, cfg.GCInterval = core.DriverNative, st, -1
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	return m
}

// signIn starts k sessions bound to user.
func signIn(b *testing.B, m *core.Manager, user string, k int) {
	b.Helper()
	ctx := context.Background()
	for range k {
		s, err := m.Start(ctx, client{})
		if err != nil {
			b.Fatal(err)
		}
		s.SetUser(user)
		s.SetUserdata("name", user)
		if err := s.Save(ctx); err != nil {
			b.Fatal(err)
		}
		s.Release()
	}
}

// BenchmarkUserSessions lists a user's 5 sessions in a store holding 1k or
// 1M others: the cost is the user's, not the store's.
func BenchmarkUserSessions(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m := usersManager(b, sz.n)
			signIn(b, m, "ada", devices)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				infos, err := m.UserSessions(ctx, "ada")
				if err != nil || len(infos) != devices {
					b.Fatal(len(infos), err)
				}
			}
		})
	}
}

// BenchmarkRevokeUser ends a user's 5 sessions in a store holding 1k or 1M
// others (signing them in again is not timed).
func BenchmarkRevokeUser(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m := usersManager(b, sz.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				signIn(b, m, "ada", devices)
				b.StartTimer()
				n, err := m.RevokeUser(ctx, "ada")
				if err != nil || n != devices {
					b.Fatal(n, err)
				}
			}
		})
	}
}
