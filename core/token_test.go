package core_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/internal/testkit/frontends"
	memstore "github.com/ignitego/session/stores/memory"
)

// logBuffer collects log lines written from the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A client that replays the cookie it held before a one-time token was
// used: where the session lives on the server, the token stays used; the
// cookie driver without UseDatabase cannot tell, accepts it again, and
// says so in the log, once per Manager.
func TestOneTimeTokenReplay(t *testing.T) {
	tests := []struct {
		driver     string
		wantReplay bool // the replayed cookie validates the token again
	}{
		{core.DriverNative, false},
		{"cookie+db", false},
		{core.DriverCookie, true},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			logs := &logBuffer{}
			m := newManager(t, tt.driver, memstore.New(), nil, func(c *core.Config) {
				c.Logger = slog.New(slog.NewTextHandler(logs, nil))
				if tt.driver == core.DriverCookie {
					c.Store = nil
				}
			})
			srv := frontends.Start(t, "net/http", m, []frontends.Route{
				{Method: http.MethodGet, Path: "/generate", Handle: func(c frontends.Ctx) {
					c.String(http.StatusOK, c.Session().GenerateOneTimeToken())
				}},
				{Method: http.MethodGet, Path: "/use", Handle: func(c frontends.Ctx) {
					c.String(http.StatusOK, strconv.FormatBool(c.Session().ValidateOneTimeToken(c.Query("token"))))
				}},
			}, frontends.Options{})
			c := srv.NewClient(t, "")
			name := m.CookieName(tt.driver)
			if tt.driver == "cookie+db" {
				name = m.CookieName(core.DriverCookie)
			}

			token := c.Get("/generate").Body
			require.NotEmpty(t, token)
			before := c.Cookie(name)
			require.NotEmpty(t, before)
			require.Equal(t, "true", c.Get("/use?token="+token).Body, "first use")
			require.Equal(t, "false", c.Get("/use?token="+token).Body, "second use with the current cookie")

			c.SetCookie(name, before)
			replayed := c.Get("/use?token=" + token).Body
			require.Equal(t, strconv.FormatBool(tt.wantReplay), replayed, "use with the cookie from before the first use")

			warnings := strings.Count(logs.String(), "one-time tokens on the cookie driver")
			if tt.wantReplay {
				require.Equal(t, 1, warnings, "the warning, once per Manager: got log %q", logs.String())
			} else {
				require.Zero(t, warnings, "got log %q", logs.String())
			}
		})
	}
}
