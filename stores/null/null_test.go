package nullstore_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	"github.com/ignitego/session/internal/testkit/frontends"
	nullstore "github.com/ignitego/session/stores/null"
)

func TestRememberNothing(t *testing.T) {
	st := nullstore.New()
	ctx := context.Background()
	id := storetest.NewID()
	for _, exp := range []time.Time{{}, time.Now().Add(time.Hour), time.Now().Add(-time.Hour)} {
		require.NoError(t, st.Save(ctx, id, []byte("data"), exp))
		data, found, err := st.Load(ctx, id)
		require.NoError(t, err)
		require.False(t, found)
		require.Nil(t, data)
	}
	require.NoError(t, st.Delete(ctx, id))
}

func TestMalformedIDs(t *testing.T) {
	st := nullstore.New()
	ctx := context.Background()
	for _, id := range storetest.MalformedIDs {
		require.Error(t, st.Save(ctx, id, []byte("x"), time.Time{}), "Save(%q)", id)
		_, found, err := st.Load(ctx, id)
		require.NoError(t, err)
		require.False(t, found)
		require.NoError(t, st.Delete(ctx, id))
	}
}

func TestContextCancelled(t *testing.T) {
	st := nullstore.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	id := storetest.NewID()
	_, _, err := st.Load(ctx, id)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, st.Save(ctx, id, nil, time.Time{}), context.Canceled)
	require.ErrorIs(t, st.Delete(ctx, id), context.Canceled)
}

// Through the engine, every request starts a fresh session, and nothing
// fails: Mako's Null store.
func TestEveryRequestStartsFresh(t *testing.T) {
	for _, fe := range frontends.Names() {
		t.Run(fe, func(t *testing.T) {
			cfg := core.DefaultConfig()
			cfg.Driver, cfg.Store = core.DriverNative, nullstore.New()
			m, err := core.New(cfg)
			require.NoError(t, err)
			defer m.Close()
			srv := frontends.Start(t, fe, m, []frontends.Route{{Method: http.MethodGet, Path: "/", Handle: func(c frontends.Ctx) {
				s := c.Session()
				before := s.Userdata("n")
				s.SetUserdata("n", 1)
				c.String(http.StatusOK, frontendsLine(before))
			}}}, frontends.Options{})
			c := srv.NewClient(t, "")
			for range 3 {
				r := c.Get("/")
				require.Equal(t, http.StatusOK, r.Status)
				require.Equal(t, "<nil>", r.Body)
			}
		})
	}
}

func frontendsLine(v any) string {
	if v == nil {
		return "<nil>"
	}
	return "set"
}
