package frameworks_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/internal/testkit/frontends"
)

// requireLoggedFailure checks that the Manager's logger has an error line
// for a failed session with status whose error contains fragment.
func requireLoggedFailure(t *testing.T, e *env, status int, fragment string) {
	t.Helper()
	logs := e.logs.String()
	for l := range strings.Lines(logs) {
		if strings.Contains(l, "level=ERROR") && strings.Contains(l, `msg="session: request failed"`) &&
			strings.Contains(l, "status="+strconv.Itoa(status)) && strings.Contains(l, fragment) {
			return
		}
	}
	t.Fatalf("no error line with status %d and %q in the Manager's log:\n%s", status, fragment, logs)
}

// failureRoutes fail a session each in its own way.
func failureRoutes(e *env) []frontends.Route {
	return with(lifecycleRoutes,
		get("/too-large", func(c frontends.Ctx) { c.Session().SetUserdata("blob", strings.Repeat("x", 5000)); ok(c) }),
		get("/unencodable", func(c frontends.Ctx) { c.Session().SetUserdata("fn", func() {}); ok(c) }),
	)(e)
}

var _ = register(
	behaviour{
		name:    "a cookie too large is logged",
		drivers: []string{dCookie},
		routes:  failureRoutes,
		run: func(t *testing.T, e *env) {
			r := e.client().Get("/too-large")
			require.Equal(t, http.StatusInternalServerError, r.Status)
			requireLoggedFailure(t, e, http.StatusInternalServerError, "cookie exceeds 4096 bytes")
		},
	},
	behaviour{
		name:   "a value that cannot be encoded is logged",
		routes: failureRoutes,
		run: func(t *testing.T, e *env) {
			r := e.client().Get("/unencodable")
			require.Equal(t, http.StatusInternalServerError, r.Status)
			requireLoggedFailure(t, e, http.StatusInternalServerError, `cannot encode key \"fn\"`)
		},
	},
	behaviour{
		name:    "a store that is down is logged",
		drivers: storeDrivers,
		routes:  failureRoutes,
		run: func(t *testing.T, e *env) {
			c := e.client()
			body(t, c.Get("/set"), "ok")
			e.store.SetDown(true)
			r := c.Get("/get")
			require.Equal(t, http.StatusServiceUnavailable, r.Status)
			requireLoggedFailure(t, e, http.StatusServiceUnavailable, frontends.ErrDown.Error())
		},
	},
)
