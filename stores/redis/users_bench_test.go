package redisstore_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
)

// devices is how many sessions the benchmarked user has.
const devices = 5

// client is a Transport without cookies: each request starts a session.
type client struct{}

func (client) Cookie(string) string   { return "" }
func (client) SetCookie(*http.Cookie) {}
func (client) ClientIP() string       { return "192.0.2.1" }
func (client) UserAgent() string      { return "bench/1.0" }

// usersManager returns a Manager on the fixture of n sessions, and a user
// of its own.
func usersManager(b *testing.B, n int) (*core.Manager, string) {
	b.Helper()
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store = core.DriverNative, getFixture(b, n).st
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	return m, "bench-" + storetest.NewID()[:12]
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

// BenchmarkUserSessions lists a user's 5 sessions on a server holding 1k
// or 1M other sessions: one read of the index and one per session.
func BenchmarkUserSessions(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m, user := usersManager(b, sz.n)
			signIn(b, m, user, devices)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				infos, err := m.UserSessions(ctx, user)
				if err != nil || len(infos) != devices {
					b.Fatal(len(infos), err)
				}
			}
		})
	}
}

// BenchmarkRevokeUser ends a user's 5 sessions on a server holding 1k or
// 1M other sessions (signing them in again is not timed).
func BenchmarkRevokeUser(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m, user := usersManager(b, sz.n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				signIn(b, m, user, devices)
				b.StartTimer()
				n, err := m.RevokeUser(ctx, user)
				if err != nil || n != devices {
					b.Fatal(n, err)
				}
			}
		})
	}
}
