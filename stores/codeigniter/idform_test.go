package codeigniter_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core/php"
	"github.com/ignitego/session/stores/codeigniter"
)

// TestSharedSixBitIDs: with session.sid_bits_per_character = 6, ids hold
// ',' and '-'. PHP sends such an id url-encoded ("%2C") and reads the
// cookie url-decoded; so does Go, so the two sides share every session,
// whichever made its id. The browser keeps the cookie exactly as each
// Set-Cookie header wrote it.
func TestSharedSixBitIDs(t *testing.T) {
	for _, b := range backends {
		t.Run(name(3, b.name), func(t *testing.T) {
			e := newShared(t, 3, b, "net/http", func(a *codeigniter.App) { a.SIDBitsPerCharacter = 6 })
			require.Equal(t, 6, e.format.IDBitsPerCharacter)
			commas := 0
			for i := range 20 {
				e.fresh()
				p := e.php(set("round", i))
				require.Equal(t, php.URLEncode(p.ID), e.cookie(), "PHP's cookie")
				g := e.run()
				require.Equal(t, p.ID, g.ID, "Go reads PHP's id %q from the cookie %q", p.ID, e.cookie())
				require.Equal(t, float64(i), g.Start.Items["round"])

				g = e.run(regenerate(true), set("by", "Go"))
				require.Equal(t, php.URLEncode(g.ID), e.cookie(), "Go's cookie is encoded as PHP encodes it")
				p = e.php()
				require.True(t, p.CookieAccepted, "PHP reads Go's id %q from the cookie %q", g.ID, e.cookie())
				require.Equal(t, "Go", p.Start.Items["by"])
				commas += strings.Count(p.ID+g.ID, ",")
			}
			require.Positive(t, commas, "some ids held a ','")
			require.NotContains(t, e.logs.String(), "another form")
		})
	}
}

// TestSharedIDFormMismatch: the Go side keeps App's default id form (40 hex
// digits) while PHP's php.ini is Debian's (26 characters of 5 bits, which
// CodeIgniter 3 lengthens to 32): each side refuses the other's ids. The Go
// side says so once, the first time such a cookie arrives.
func TestSharedIDFormMismatch(t *testing.T) {
	e := newShared(t, 3, backendFor("files"), "net/http", nil)
	e.phpSIDLength, e.phpSIDBits = 32, 5
	e.run(set("k", "Go"))
	require.Empty(t, e.logs.String(), "nothing to say while only Go's ids came")

	var phpIDs []string
	for range 3 {
		p := e.php(set("k", "PHP"))
		require.False(t, p.CookieAccepted, "PHP refuses Go's id")
		g := e.run(set("g", "Go"))
		require.NotEqual(t, p.ID, g.ID, "Go refuses PHP's id")
		require.NotContains(t, g.Start.Items, "k")
		phpIDs = append(phpIDs, p.ID)
	}
	logs := e.logs.String()
	require.Equal(t, 1, strings.Count(logs, "level=WARN"), "logged once: %s", logs)
	for _, want := range []string{
		"another form",
		`got="32 characters of [0-9a-v] (session.sid_bits_per_character 5 or more)"`,
		`want="40 characters of [0-9a-f]"`,
		"App.SIDLength and App.SIDBitsPerCharacter",
		"cookie=" + e.app.CookieName,
	} {
		require.Contains(t, logs, want)
	}
	for _, id := range phpIDs {
		require.NotContains(t, logs, id[:6], "the log holds no session id")
	}
}
