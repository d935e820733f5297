package bench

import (
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/gofiber/fiber/v2/utils"
	fiberredis "github.com/gofiber/storage/redis/v3"

	fibersession "github.com/ignitego/session/adapters/fiber"
	"github.com/ignitego/session/core"
)

func fiberMounts() []mount {
	ms := []mount{{library: "floor", store: "none", build: func(testing.TB) *Case {
		return &Case{Framework: "fiber", Library: "floor", Store: "none", misses: new(misses),
			target: fiberTarget(fiberApp(nil, func(string) fiber.Handler { return fiberOK }))}
	}}}
	ms = append(ms, oursMounts("fiber", oursStores)...)
	return append(ms,
		mount{library: "fiber", store: "memory", build: func(testing.TB) *Case {
			return fiberSession("memory", session.Config{}, nil)
		}},
		mount{library: "fiber", store: "redis", build: func(tb testing.TB) *Case {
			rt := new(roundTrips)
			prefix := keyPrefix(tb)
			return fiberSession("redis", session.Config{
				Storage: fiberredis.NewFromConnection(goRedis(tb, rt)),
				// The storage has no key prefix: the ids carry it.
				KeyGenerator: func() string { return prefix + utils.UUIDv4() },
			}, rt.meter())
		}},
	)
}

func fiberOurs(m *core.Manager, ms *misses) target {
	return fiberTarget(fiberApp([]fiber.Handler{fibersession.New(m)}, fiberServe(sessionOps(fibersession.From), ms)))
}

// fiberApp mounts handler(workload) at every path, behind mw.
func fiberApp(mw []fiber.Handler, handler func(w string) fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	for _, h := range mw {
		app.Use(h)
	}
	for _, p := range paths() {
		app.Get("/"+p, handler(p))
	}
	return app
}

func fiberOK(c *fiber.Ctx) error { return c.SendString(body) }

// fiberServe returns the workloads' Fiber handlers over o.
func fiberServe[S any](o *ops[*fiber.Ctx, S], ms *misses) func(w string) fiber.Handler {
	return func(w string) fiber.Handler {
		return func(c *fiber.Ctx) error {
			if err := serve(w, c, o); err != nil {
				ms.add(err)
			}
			return c.SendString(body)
		}
	}
}

// fiberSession mounts Fiber's own session middleware with cfg.
func fiberSession(store string, cfg session.Config, io *meter) *Case {
	cfg.Expiration = core.DefaultExpiration
	st := session.New(cfg)
	o := &ops[*fiber.Ctx, *session.Session]{
		open: st.Get,
		get:  (*session.Session).Get,
		set:  (*session.Session).Set,
		save: func(_ *fiber.Ctx, s *session.Session) error { return s.Save() },
	}
	ms := new(misses)
	app := fiberApp(nil, fiberServe(o, ms))
	return &Case{Framework: "fiber", Library: "fiber", Store: store, target: fiberTarget(app), misses: ms, io: io}
}
