package frameworks_test

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
)

var _ = register(
	behaviour{
		name: "userdata set get has unset all",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) {
					s := c.Session()
					s.SetUserdata("name", "ada")
					s.SetUserdataMap(map[string]any{"a": "1", "b": "2", "c": "3"})
					ok(c)
				}),
				get("/get", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Userdata("name"), s.Userdata("a"), s.Userdata("b"), s.Userdata("c"),
						s.HasUserdata("name"), s.HasUserdata("a"), s.HasUserdata("zzz"), s.Userdata("zzz")))
				}),
				get("/unset", func(c frontends.Ctx) { c.Session().UnsetUserdata("a", "b"); ok(c) }),
				get("/unset-one", func(c frontends.Ctx) { c.Session().UnsetUserdata("c"); ok(c) }),
				get("/all", func(c frontends.Ctx) {
					all := c.Session().AllUserdata()
					all["name"] = "changed" // a copy: the session must not change
					c.String(http.StatusOK, joinSorted(keysOf(all)))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/get"), "<nil> <nil> <nil> <nil> false false false <nil>")
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/get"), "ada 1 2 3 true true false <nil>")
			body(t, c.Get("/all"), "a,b,c,ip_address,last_activity,name,session_id,user_agent")
			body(t, c.Get("/unset"), "ok")
			body(t, c.Get("/get"), "ada <nil> <nil> 3 true false false <nil>")
			body(t, c.Get("/unset-one"), "ok")
			body(t, c.Get("/get"), "ada <nil> <nil> <nil> true false false <nil>")
			body(t, c.Get("/all"), "ip_address,last_activity,name,session_id,user_agent")
		},
	},
	behaviour{
		name: "reserved items",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) { c.Session().SetUserdata("x", 1); ok(c) }),
				get("/reserved", func(c frontends.Ctx) {
					s := c.Session()
					all := s.AllUserdata()
					c.String(http.StatusOK, line(
						s.Userdata("session_id") == s.ID() && s.ID() != "" && all["session_id"] == s.ID(),
						s.Userdata("ip_address"),
						s.Userdata("user_agent") == strings.Repeat("U", 120), all["user_agent"] == s.Userdata("user_agent"),
						s.Userdata("last_activity") == e.clock.Now().Unix(), fmt.Sprintf("%T", s.Userdata("last_activity")),
						s.HasUserdata("session_id")))
				}),
				get("/write-reserved", func(c frontends.Ctx) {
					s := c.Session()
					before := s.ID()
					s.SetUserdata("session_id", "forged")
					s.SetUserdata("last_activity", int64(0))
					s.UnsetUserdata("ip_address")
					s.SetUserdata("y", 2) // everything else is saved
					err := s.Save(c.Context())
					c.String(http.StatusOK, line(err == nil, s.ID() == before,
						s.Userdata("last_activity") != int64(0), s.Userdata("ip_address")))
				}),
				get("/get", func(c frontends.Ctx) { c.String(http.StatusOK, line(c.Session().Userdata("y"))) }),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			c.Header.Set("User-Agent", strings.Repeat("U", 300))
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/reserved"), "true 127.0.0.1 true true true int64 true")
			body(t, c.Get("/write-reserved"), "true true true 127.0.0.1")
			require.Contains(t, e.logs.String(), core.ErrReservedKey.Error(), "the reserved keys are a warning in the log")
			require.Contains(t, e.logs.String(), "session_id, last_activity, ip_address")
			body(t, c.Get("/get"), "2")
		},
	},
	behaviour{
		name: "flashdata lifecycle",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/flash", func(c frontends.Ctx) {
					s := c.Session()
					s.SetFlashdata("msg", "saved")
					s.SetFlashdataMap(map[string]any{"n": 1})
					c.String(http.StatusOK, line(s.Flashdata("msg"), s.HasFlashdata("msg")))
				}),
				get("/read", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Flashdata("msg"), s.HasFlashdata("msg"), s.Flashdata("n")))
				}),
				get("/touch", func(c frontends.Ctx) { _ = c.Session().Userdata("x"); ok(c) }),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/flash"), "saved true")
			body(t, c.Get("/read"), "saved true 1")
			body(t, c.Get("/read"), "<nil> false <nil>")
			// A request that only reads other data also ages flashdata.
			body(t, c.Get("/flash"), "saved true")
			body(t, c.Get("/touch"), "ok")
			body(t, c.Get("/read"), "<nil> false <nil>")
		},
	},
	behaviour{
		name: "keep flashdata",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/flash", func(c frontends.Ctx) {
					c.Session().SetFlashdataMap(map[string]any{"a": "A", "b": "B"})
					ok(c)
				}),
				get("/keep-a", func(c frontends.Ctx) { c.Session().KeepFlashdata("a"); ok(c) }),
				get("/keep-all", func(c frontends.Ctx) { c.Session().KeepFlashdata(); ok(c) }),
				get("/read", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Flashdata("a"), s.Flashdata("b")))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/flash"), "ok")
			body(t, c.Get("/keep-a"), "ok") // second request: both readable, a kept
			body(t, c.Get("/read"), "A <nil>")
			body(t, c.Get("/read"), "<nil> <nil>")

			body(t, c.Get("/flash"), "ok")
			body(t, c.Get("/keep-all"), "ok")
			body(t, c.Get("/read"), "A B")
			body(t, c.Get("/read"), "<nil> <nil>")
		},
	},
	behaviour{
		name: "flashdata shares the userdata key space",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) {
					s := c.Session()
					s.SetFlashdata("f1", "x")
					s.SetFlashdata("f2", "y")
					s.SetUserdata("plain", "p")
					ok(c)
				}),
				get("/read", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Userdata("f1"), s.Flashdata("plain"), s.HasFlashdata("plain"),
						joinSorted(keysOf(s.AllFlashdata())), joinSorted(keysOf(s.AllUserdata()))))
				}),
				get("/unset-f1", func(c frontends.Ctx) {
					s := c.Session()
					s.UnsetFlashdata("f1", "plain") // plain userdata of that name stays
					c.String(http.StatusOK, line(s.Userdata("f1"), s.Userdata("plain"), joinSorted(keysOf(s.AllFlashdata()))))
				}),
				get("/unset-all", func(c frontends.Ctx) {
					s := c.Session()
					s.UnsetFlashdata()
					c.String(http.StatusOK, line(len(s.AllFlashdata()), s.Userdata("plain")))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/read"), "x <nil> false f1,f2 ip_address,last_activity,plain,session_id,user_agent")
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/unset-f1"), "<nil> p f2")
			body(t, c.Get("/unset-all"), "0 p")
		},
	},
	behaviour{
		name: "AllUserdata holds the plain and reserved items only",
		routes: func(e *env) []frontends.Route {
			read := func(c frontends.Ctx) {
				s := c.Session()
				all := s.AllUserdata()
				c.String(http.StatusOK, line(
					joinSorted(keysOf(all)), all["plain"], all["session_id"] == s.ID(),
					s.Userdata("flash"), s.Userdata("temp"), // by key, every kind
					s.Flashdata("plain"), s.Tempdata("plain"), s.Flashdata("temp"), s.Tempdata("flash"),
					joinSorted(keysOf(s.AllFlashdata())), joinSorted(keysOf(s.AllTempdata()))))
			}
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) {
					s := c.Session()
					s.SetUserdata("plain", "p")
					s.SetFlashdata("flash", "f")
					s.SetTempdata("temp", "t", time.Minute)
					_ = s.Token()
					_ = s.GenerateOneTimeToken()
					read(c)
				}),
				get("/read", read),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			want := "ip_address,last_activity,plain,session_id,user_agent p true f t <nil> <nil> <nil> <nil> flash temp"
			body(t, c.Get("/set"), want, "in the request that set them")
			body(t, c.Get("/read"), want, "in the next request")
		},
	},
	behaviour{
		name: "flash message after redirect",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				{Method: http.MethodPost, Path: "/login", Handle: func(c frontends.Ctx) {
					s := c.Session()
					s.Regenerate(core.DestroyOld)
					s.SetUserdata("user", "ada")
					s.SetFlashdata("notice", "Welcome back")
					c.Redirect(http.StatusSeeOther, "/home")
				}},
				get("/home", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Userdata("user"), "|", s.Flashdata("notice")))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			r := c.Do(http.MethodPost, "/login")
			require.Equal(t, http.StatusSeeOther, r.Status)
			require.Equal(t, "/home", r.Header.Get("Location"))
			require.NotNil(t, sessionCookie(e, r), "the redirect carries the session cookie")
			body(t, c.Get("/home"), "ada | Welcome back")
			body(t, c.Get("/home"), "ada | <nil>")
		},
	},
	behaviour{
		name: "tempdata",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) {
					s := c.Session()
					s.SetTempdata("code", "123", 10*time.Minute)
					s.SetTempdata("default", "d", 0) // 5 minutes
					s.SetTempdataMap(map[string]any{"m1": 1, "m2": 2}, 20*time.Minute)
					s.SetUserdata("plain", "p")
					c.String(http.StatusOK, line(s.Tempdata("code"), s.Tempdata("default")))
				}),
				get("/read", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Tempdata("code"), s.Tempdata("default"), s.Userdata("code"),
						s.Tempdata("plain"), joinSorted(keysOf(s.AllTempdata()))))
				}),
				get("/unset", func(c frontends.Ctx) {
					s := c.Session()
					s.UnsetTempdata("m1", "plain")
					c.String(http.StatusOK, line(joinSorted(keysOf(s.AllTempdata())), s.Userdata("plain")))
				}),
				get("/unset-all", func(c frontends.Ctx) {
					s := c.Session()
					s.UnsetTempdata()
					c.String(http.StatusOK, line(len(s.AllTempdata()), s.Userdata("plain")))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "123 d")
			body(t, c.Get("/read"), "123 d 123 <nil> code,default,m1,m2")
			e.clock.Advance(5*time.Minute + time.Second)
			body(t, c.Get("/read"), "123 <nil> 123 <nil> code,m1,m2")
			e.clock.Advance(5 * time.Minute)
			body(t, c.Get("/read"), "<nil> <nil> <nil> <nil> m1,m2")
			body(t, c.Get("/unset"), "m2 p")
			body(t, c.Get("/unset-all"), "0 p")
		},
	},
	behaviour{
		name: "typed values come back with their Go type",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) {
					s := c.Session()
					for k, v := range typedValues() {
						s.SetUserdata(k, v)
					}
					s.SetUserdata("struct", profile{Name: "Ada", Langs: []string{"go"}, Born: 1815})
					s.SetUserdata("ptr", &profile{Name: "Grace"})
					s.SetFlashdata("flashStruct", profile{Name: "Flash"})
					ok(c)
				}),
				get("/check", func(c frontends.Ctx) {
					s := c.Session()
					var bad []string
					for k, want := range typedValues() {
						got := s.Userdata(k)
						if !equalValue(got, want) {
							bad = append(bad, fmt.Sprintf("%s: got %#v (%T), want %#v (%T)", k, got, got, want, want))
						}
					}
					p, okP := core.Get[profile](s, "struct")
					pp, okPP := core.Get[*profile](s, "ptr")
					fp, okF := core.Get[profile](s, "flashStruct")
					generic, _ := s.Userdata("struct").(map[string]any)
					n, okN := core.Get[int](s, "int")
					_, wrong := core.Get[string](s, "int")
					fallback := core.GetOr(s, "missing", "dflt")
					if len(bad) == 0 {
						bad = []string{"all typed"}
					}
					c.String(http.StatusOK, line(strings.Join(bad, "; "), "|",
						okP, p.Name, p.Langs, p.Born, okPP, pp.Name, okF, fp.Name, generic["name"], generic["born"], okN, n, wrong, fallback))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			body(t, c.Get("/check"), "all typed | true Ada [go] 1815 true Grace true Flash Ada 1815 true -42 false dflt")
		},
	},
	behaviour{
		name: "a value that cannot be encoded fails Save and loses nothing",
		routes: func(e *env) []frontends.Route {
			return []frontends.Route{
				get("/set", func(c frontends.Ctx) { c.Session().SetUserdata("name", "ada"); ok(c) }),
				get("/bad", func(c frontends.Ctx) {
					s := c.Session()
					s.SetUserdata("name", "overwritten")
					s.SetUserdata("fn", func() {})
					ok(c)
				}),
				get("/bad-save", func(c frontends.Ctx) {
					s := c.Session()
					s.SetUserdata("ch", make(chan int))
					err := s.Save(c.Context())
					var ee *core.EncodeError
					key := ""
					if errors.As(err, &ee) {
						key = ee.Key
					}
					s.UnsetUserdata("ch")
					c.String(http.StatusOK, line(key != "", key, strings.Contains(line(err), `"ch"`)))
				}),
				get("/get", func(c frontends.Ctx) {
					s := c.Session()
					c.String(http.StatusOK, line(s.Userdata("name"), s.HasUserdata("fn")))
				}),
			}
		},
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			r := c.Get("/bad")
			require.Equal(t, http.StatusInternalServerError, r.Status, "body %q", r.Body)
			require.NotContains(t, r.Body, "ok")
			body(t, c.Get("/get"), "ada false")
			body(t, c.Get("/bad-save"), `true ch true`)
			body(t, c.Get("/get"), "ada false")
		},
	},
)

type profile struct {
	Name  string   `json:"name"`
	Langs []string `json:"langs"`
	Born  int      `json:"born"`
}

// typedValues holds one value of every kind that must come back with its
// own Go type.
func typedValues() map[string]any {
	return map[string]any{
		"bool": true, "false": false, "string": "héllo\x00world", "empty": "",
		"int": -42, "int8": int8(-8), "int16": int16(-16), "int32": int32(-32), "int64": int64(math.MinInt64),
		"uint": uint(42), "uint8": uint8(255), "uint16": uint16(65535), "uint32": uint32(math.MaxUint32), "uint64": uint64(math.MaxUint64),
		"uintptr": uintptr(7), "float32": float32(1.5), "float64": math.Pi, "nan": math.NaN(), "inf": math.Inf(-1),
		"bytes": []byte{0, 1, 2, 255}, "emptyBytes": []byte{},
		"time":     time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("X", 5*3600+1800)),
		"duration": 90 * time.Minute,
		"strings":  []string{"a", "", "c"},
		"slice":    []any{"x", 1, 2.5, nil, true, []any{int8(1)}, map[string]any{"k": "v"}},
		"map": map[string]any{"a": 1, "nested": map[string]any{"b": []string{"c"}, "t": time.Duration(3)},
			"list": []any{uint16(9)}},
		"nil": nil,
	}
}

func equalValue(got, want any) bool {
	if w, ok := want.(time.Time); ok {
		g, ok := got.(time.Time)
		_, wOff := w.Zone()
		_, gOff := g.Zone()
		return ok && g.Equal(w) && gOff == wOff
	}
	if w, ok := want.(float64); ok && math.IsNaN(w) {
		g, ok := got.(float64)
		return ok && math.IsNaN(g)
	}
	return reflect.DeepEqual(got, want)
}
