package codeigniter_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/stores/codeigniter"
)

// The user binding, the handle and a session's own lifetime are the
// engine's, with no place in CodeIgniter's layout: on the CodeIgniter
// driver they change nothing, listing and revoking answer ErrUnsupported,
// and the session file is what CodeIgniter writes.
func TestUsersUnsupported(t *testing.T) {
	dir := t.TempDir()
	cfg, err := codeigniter.Config(codeigniter.App{Version: 3, Handler: codeigniter.Files(dir)})
	require.NoError(t, err)
	cfg.Now = func() time.Time { return time.Unix(1700000000, 0) }
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))

	abs := cfg
	abs.AbsoluteTimeout = time.Hour
	_, err = core.New(abs)
	require.ErrorIs(t, err, core.ErrInvalidConfig, "PHP keeps no start time for an absolute timeout")

	m, err := core.New(cfg)
	require.NoError(t, err)
	defer m.Close()
	var user, handle string
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := core.FromContext(r.Context())
		s.SetUser("ada")
		s.SetLifetime(30 * 24 * time.Hour)
		s.SetUserdata("user_id", 42)
		user, handle = s.User(), s.Handle()
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Empty(t, user)
	require.Empty(t, handle)
	c := rec.Result().Cookies()[0]
	require.Equal(t, 7200, c.MaxAge, "the application's expiration, not SetLifetime's")
	data, err := os.ReadFile(filepath.Join(dir, c.Name+c.Value))
	require.NoError(t, err)
	require.Equal(t, "__ci_last_regenerate|i:1700000000;user_id|i:42;", string(data), "CodeIgniter's layout, nothing added")

	ctx := t.Context()
	_, err = m.UserSessions(ctx, "ada")
	require.ErrorIs(t, err, core.ErrUnsupported)
	require.ErrorIs(t, m.RevokeSession(ctx, "ada", "h_0123456789abcdef0123456789abcdef"), core.ErrUnsupported)
	_, err = m.RevokeUser(ctx, "ada")
	require.ErrorIs(t, err, core.ErrUnsupported)
}
