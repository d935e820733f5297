package flowtest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/frontends"
	"github.com/ignitego/session/internal/userindex"
)

// usersKey is the cookie key of the Managers Users starts.
var usersKey = []byte("users-flow-test-key-0123456789-abcdef")

// UserRoutes are the routes of a signed-in devices page, on m:
//
//	GET /login?u=X   Regenerate, SetUser(X); answers the handle
//	GET /me          answers the bound user ("" when none)
//	GET /id          answers the session id (for the test only)
//	GET /devices     lists the user's sessions: handle, this device, driver, IP, User-Agent
//	GET /revoke?h=H  RevokeSession(user, H)
//	GET /others      RevokeUser(user, this session's handle); answers how many ended
//	GET /logout      Destroy
//	GET /remember    SetLifetime(30 days)
func UserRoutes(m *core.Manager) []frontends.Route {
	get := func(path string, h func(c frontends.Ctx, s *core.Session) string) frontends.Route {
		return frontends.Route{Method: http.MethodGet, Path: path, Handle: func(c frontends.Ctx) {
			c.String(http.StatusOK, h(c, c.Session()))
		}}
	}
	fail := func(err error) string { return "error: " + err.Error() }
	return []frontends.Route{
		get("/login", func(c frontends.Ctx, s *core.Session) string {
			s.Regenerate(core.DestroyOld)
			s.SetUser(c.Query("u"))
			return s.Handle()
		}),
		get("/me", func(_ frontends.Ctx, s *core.Session) string { return s.User() }),
		get("/id", func(_ frontends.Ctx, s *core.Session) string { return s.ID() }),
		get("/devices", func(c frontends.Ctx, s *core.Session) string {
			infos, err := m.UserSessions(c.Context(), s.User())
			if err != nil {
				return fail(err)
			}
			var b strings.Builder
			for _, in := range infos {
				this := ""
				if in.Handle == s.Handle() {
					this = " (this device)"
				}
				fmt.Fprintf(&b, "%s%s %s %s %q since %s\n", in.Handle, this, in.Driver, in.IPAddress, in.UserAgent, in.Created.Format(time.RFC3339))
			}
			return b.String()
		}),
		get("/revoke", func(c frontends.Ctx, s *core.Session) string {
			if err := m.RevokeSession(c.Context(), s.User(), c.Query("h")); err != nil {
				return fail(err)
			}
			return "ok"
		}),
		get("/others", func(c frontends.Ctx, s *core.Session) string {
			n, err := m.RevokeUser(c.Context(), s.User(), s.Handle())
			if err != nil {
				return fail(err)
			}
			return strconv.Itoa(n)
		}),
		get("/logout", func(_ frontends.Ctx, s *core.Session) string { s.Destroy(); return "bye" }),
		get("/remember", func(_ frontends.Ctx, s *core.Session) string { s.SetLifetime(30 * 24 * time.Hour); return "ok" }),
	}
}

// usersManager returns a Manager on st for driver ("native" or
// "cookie+db") with the clock.
func usersManager(t *testing.T, st core.Store, driver string, clock *frontends.Clock) *core.Manager {
	return Manager(t, st, func(c *core.Config) {
		c.EncryptionKey, c.Now, c.MatchUserAgent = usersKey, clock.Now, false
		if driver == "cookie+db" {
			c.Driver, c.UseDatabase = core.DriverCookie, true
		}
	})
}

// Users checks, for each front end and for the native driver and the
// cookie driver with UseDatabase, a signed-in devices page served by two
// application instances (two Managers) on st: a user's two devices listed
// with distinct handles and no session id; the id rotation leaving no stale
// id in the user's index; revoking a device by its handle and all but this
// one, from either instance; logout and expiry emptying the index.
func Users(t *testing.T, st core.Store) {
	for _, fe := range frontends.Names() {
		for _, driver := range []string{core.DriverNative, "cookie+db"} {
			t.Run(fe+"/"+driver, func(t *testing.T) { users(t, st, fe, driver) })
		}
	}
}

func users(t *testing.T, st core.Store, fe, driver string) {
	clock := frontends.NewClock()
	m1, m2 := usersManager(t, st, driver, clock), usersManager(t, st, driver, clock)
	srv1 := frontends.Start(t, fe, m1, UserRoutes(m1), frontends.Options{})
	srv2 := frontends.Start(t, fe, m2, UserRoutes(m2), frontends.Options{})
	client := func(srv *frontends.Server, ua string) *frontends.Client {
		c := srv.NewClient(t, "")
		c.Header.Set("User-Agent", ua)
		return c
	}
	get := func(c *frontends.Client, path string) string {
		t.Helper()
		r := c.Get(path)
		if r.Status != http.StatusOK || strings.HasPrefix(r.Body, "error: ") {
			t.Fatalf("%s: got %d %q, want 200", path, r.Status, r.Body)
		}
		return r.Body
	}
	suffix := storetest.NewID()[:12]
	ada, bob := "ada-"+suffix, "bob-"+suffix
	laptop, phone, other := client(srv1, "laptop/1.0"), client(srv2, "phone/2.0"), client(srv1, "other/3.0")

	hl, hp := get(laptop, "/login?u="+ada), get(phone, "/login?u="+ada)
	get(other, "/login?u="+bob)
	if hl == hp || !strings.HasPrefix(hl, "h_") || !strings.HasPrefix(hp, "h_") {
		t.Fatalf("handles of two devices: got %q and %q, want two distinct handles", hl, hp)
	}
	page := get(laptop, "/devices")
	if want := 2; strings.Count(page, "\n") != want || !strings.Contains(page, hl+" (this device) ") || !strings.Contains(page, hp+" ") ||
		!strings.Contains(page, `"phone/2.0"`) || !strings.Contains(page, `"laptop/1.0"`) {
		t.Fatalf("devices page of a user signed in on a laptop and a phone:\n%s\nwant %d lines, the laptop's marked, both User-Agents", page, want)
	}
	for _, c := range []*frontends.Client{laptop, phone} {
		for _, secret := range []string{get(c, "/id"), c.Cookie(m1.CookieName(m1.Config().Driver))} {
			if strings.Contains(page, secret) {
				t.Fatalf("devices page:\n%s\nholds a session id or cookie (%.8s…)", page, secret)
			}
		}
	}
	wantIndex(t, st, ada, map[string][]string{hl: {get(laptop, "/id")}, hp: {get(phone, "/id")}}, "after two logins")

	before := get(phone, "/id")
	clock.Advance(core.DefaultTimeToUpdate)
	if get(phone, "/me") != ada || get(phone, "/id") == before {
		t.Fatalf("after TimeToUpdate: want the phone's session rotated, still %s's", ada)
	}
	if page := get(laptop, "/devices"); strings.Count(page, "\n") != 2 || !strings.Contains(page, hp) {
		t.Fatalf("devices page after a rotation:\n%s\nwant the same two handles", page)
	}
	clock.Advance(core.DefaultRotationGrace)
	get(laptop, "/devices")
	wantIndex(t, st, ada, map[string][]string{hl: {get(laptop, "/id")}, hp: {get(phone, "/id")}}, "after a rotation and its grace")

	if got := get(laptop, "/revoke?h="+hp); got != "ok" {
		t.Fatalf("revoke: got %q", got)
	}
	if got := get(phone, "/me"); got != "" {
		t.Fatalf("the revoked phone's next request, on the other instance: got user %q, want none", got)
	}
	if page := get(laptop, "/devices"); strings.Count(page, "\n") != 1 || strings.Contains(page, hp) {
		t.Fatalf("devices page after revoking the phone:\n%s\nwant only the laptop", page)
	}

	tablet := client(srv2, "tablet/4.0")
	get(phone, "/login?u="+ada)
	get(tablet, "/login?u="+ada)
	if got := get(laptop, "/others"); got != "2" {
		t.Fatalf("sign out everywhere else: got %q sessions ended, want 2", got)
	}
	for name, c := range map[string]*frontends.Client{"phone": phone, "tablet": tablet} {
		if got := get(c, "/me"); got != "" {
			t.Fatalf("%s after sign out everywhere else: got user %q, want none", name, got)
		}
	}
	if get(laptop, "/me") != ada || get(other, "/me") != bob {
		t.Fatal("sign out everywhere else: want the laptop and the other user's session kept")
	}
	wantIndex(t, st, ada, map[string][]string{hl: {get(laptop, "/id")}}, "after sign out everywhere else")

	get(laptop, "/logout")
	wantIndex(t, st, ada, map[string][]string{}, "after logout")
	if infos, err := m2.UserSessions(context.Background(), ada); err != nil || len(infos) != 0 {
		t.Fatalf("UserSessions after logout: got %d, %v; want none", len(infos), err)
	}

	get(other, "/remember")
	plain := client(srv1, "plain/5.0")
	get(plain, "/login?u="+ada)
	clock.Advance(core.DefaultExpiration)
	if get(other, "/me") != bob || get(plain, "/me") != "" {
		t.Fatal("past Expiration: want the session with a lifetime of 30 days alive, the other one expired")
	}
	if infos, err := m1.UserSessions(context.Background(), ada); err != nil || len(infos) != 0 {
		t.Fatalf("UserSessions after expiry: got %d, %v; want none", len(infos), err)
	}
	wantIndex(t, st, ada, map[string][]string{}, "after expiry")
}

// wantIndex fails the test unless user's index in st lists exactly want
// (ids by handle).
func wantIndex(t *testing.T, st core.Store, user string, want map[string][]string, when string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data, found, err := st.Load(ctx, userindex.Key(user))
	if err != nil {
		t.Fatalf("%s: load the user index: %v", when, err)
	}
	got := map[string][]string{}
	if found {
		ix, err := userindex.Decode(data)
		if err != nil {
			t.Fatalf("%s: the user index does not decode: %v", when, err)
		}
		got = ix.IDs()
	}
	for _, ids := range got {
		slices.Sort(ids)
	}
	for _, ids := range want {
		slices.Sort(ids)
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("%s: the user index lists %v, want %v", when, got, want)
	}
}
