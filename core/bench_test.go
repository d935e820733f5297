package core_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/ignitego/session/core"
	memstore "github.com/ignitego/session/stores/memory"
)

// benchTransport is a Transport that keeps the cookie of the last response,
// like a browser that sends it back.
type benchTransport struct {
	name, value string
	setCookies  int
}

func (b *benchTransport) Cookie(name string) string {
	if name == b.name {
		return b.value
	}
	return ""
}
func (b *benchTransport) SetCookie(c *http.Cookie) { b.setCookies++; b.name, b.value = c.Name, c.Value }
func (b *benchTransport) ClientIP() string         { return "192.0.2.1" }
func (b *benchTransport) UserAgent() string        { return "Mozilla/5.0 (bench)" }

func benchManager(b *testing.B, driver string) *core.Manager {
	cfg := core.DefaultConfig()
	cfg.Driver, cfg.Store, cfg.EncryptionKey = driver, memstore.New(), testKey
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	return m
}

// BenchmarkRequest measures the engine's share of one request, without a
// framework: the workloads of bench/ on the cookie and native drivers.
func BenchmarkRequest(b *testing.B) {
	ctx := context.Background()
	workloads := map[string]func(s *core.Session){
		"rw":        func(s *core.Session) { s.SetUserdata("n", core.GetOr(s, "n", 0)+1) },
		"ro":        func(s *core.Session) { _ = s.Userdata("name") },
		"untouched": func(s *core.Session) {},
	}
	for _, driver := range []string{core.DriverCookie, core.DriverNative} {
		for name, work := range workloads {
			b.Run(driver+"/"+name, func(b *testing.B) {
				m := benchManager(b, driver)
				tr := &benchTransport{}
				s, _ := m.Start(ctx, tr)
				s.SetUserdataMap(map[string]any{"n": 0, "name": "ada"})
				if err := s.Save(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					s, _ := m.Start(ctx, tr)
					work(s)
					if err := s.Commit(ctx); err != nil {
						b.Fatal(err)
					}
					s.Release()
				}
			})
		}
		b.Run(driver+"/new", func(b *testing.B) {
			m := benchManager(b, driver)
			b.ReportAllocs()
			for range b.N {
				tr := benchTransport{}
				s, _ := m.Start(ctx, &tr)
				s.SetUserdata("n", 1)
				s.SetUserdata("name", "ada")
				if err := s.Commit(ctx); err != nil {
					b.Fatal(err)
				}
				s.Release()
			}
		})
	}
}
