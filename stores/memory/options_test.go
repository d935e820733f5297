package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
	"github.com/ignitego/session/core/storetest"
	memstore "github.com/ignitego/session/stores/memory"
)

// A bounded store keeps the store contract through every operation.
func TestBoundedConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) core.Store { return memstore.New(memstore.WithMaxSessions(64)) })
}

// op is one call on a store in an eviction scenario; expiries are offsets
// from now, 0 meaning none.
type op struct {
	do  string // "save", "insert", "swap", "delete" or "collect"
	id  string
	exp time.Duration
}

func TestWithMaxSessions(t *testing.T) {
	const past = -time.Minute
	tests := []struct {
		name        string
		max         int
		ops         []op
		want        []string // the ids Load finds afterwards
		wantGone    []string // the ids Load does not find
		wantEvicted uint64
	}{
		{
			name:        "the session closest to expiry makes room",
			max:         3,
			ops:         []op{{"save", "b", 2 * time.Hour}, {"save", "a", time.Hour}, {"save", "c", 3 * time.Hour}, {"save", "d", 4 * time.Hour}},
			want:        []string{"b", "c", "d"},
			wantGone:    []string{"a"},
			wantEvicted: 1,
		},
		{
			name:     "an expired session goes first and is not counted",
			max:      3,
			ops:      []op{{"save", "a", time.Hour}, {"save", "x", past}, {"save", "b", 2 * time.Hour}, {"save", "c", 3 * time.Hour}},
			want:     []string{"a", "b", "c"},
			wantGone: []string{"x"},
		},
		{
			name:        "a session without expiry goes last",
			max:         2,
			ops:         []op{{"save", "forever", 0}, {"save", "a", time.Hour}, {"save", "b", 2 * time.Hour}},
			want:        []string{"forever", "b"},
			wantGone:    []string{"a"},
			wantEvicted: 1,
		},
		{
			name: "updating a held session evicts nothing",
			max:  2,
			ops:  []op{{"save", "a", time.Hour}, {"save", "b", 2 * time.Hour}, {"save", "a", 3 * time.Hour}, {"swap", "b", 4 * time.Hour}},
			want: []string{"a", "b"},
		},
		{
			name:        "a later expiry moves a session back in line",
			max:         2,
			ops:         []op{{"save", "a", time.Hour}, {"save", "b", 2 * time.Hour}, {"save", "a", 3 * time.Hour}, {"save", "c", 4 * time.Hour}},
			want:        []string{"a", "c"},
			wantGone:    []string{"b"},
			wantEvicted: 1,
		},
		{
			name:        "Insert of a new session makes room too",
			max:         2,
			ops:         []op{{"save", "a", time.Hour}, {"save", "b", 2 * time.Hour}, {"insert", "c", 3 * time.Hour}},
			want:        []string{"b", "c"},
			wantGone:    []string{"a"},
			wantEvicted: 1,
		},
		{
			name:     "deleted and collected sessions free their place",
			max:      2,
			ops:      []op{{"save", "a", time.Hour}, {"save", "x", past}, {"collect", "", 0}, {"save", "b", 2 * time.Hour}, {"delete", "a", 0}, {"save", "c", 3 * time.Hour}},
			want:     []string{"b", "c"},
			wantGone: []string{"a", "x"},
		},
		{
			name: "no bound without the option",
			ops:  []op{{"save", "a", time.Hour}, {"save", "b", 2 * time.Hour}, {"save", "c", 3 * time.Hour}},
			want: []string{"a", "b", "c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []memstore.Option
			if tt.max > 0 {
				opts = append(opts, memstore.WithMaxSessions(tt.max))
			}
			st := memstore.New(opts...)
			ctx := context.Background()
			ids := map[string]string{} // scenario name → session id
			id := func(name string) string {
				if ids[name] == "" {
					ids[name] = storetest.NewID()
				}
				return ids[name]
			}
			for _, o := range tt.ops {
				var exp time.Time
				if o.exp != 0 {
					exp = time.Now().Add(o.exp)
				}
				var err error
				switch o.do {
				case "save":
					err = st.Save(ctx, id(o.id), []byte(o.id), exp)
				case "insert":
					var ok bool
					ok, err = st.Insert(ctx, id(o.id), []byte(o.id), exp)
					require.True(t, ok, "Insert %s", o.id)
				case "swap":
					var ok bool
					ok, err = st.CompareAndSwap(ctx, id(o.id), []byte(o.id), []byte(o.id), exp)
					require.True(t, ok, "CompareAndSwap %s", o.id)
				case "delete":
					err = st.Delete(ctx, id(o.id))
				case "collect":
					_, err = st.Collect(ctx, 100)
				}
				require.NoError(t, err, "%s %s", o.do, o.id)
			}
			for _, name := range tt.want {
				got, found, err := st.Load(ctx, id(name))
				require.NoError(t, err)
				require.True(t, found, "session %s: got not found, want found", name)
				require.Equal(t, name, string(got))
			}
			for _, name := range tt.wantGone {
				_, found, err := st.Load(ctx, id(name))
				require.NoError(t, err)
				require.False(t, found, "session %s: got found, want gone", name)
			}
			require.Equal(t, len(tt.want), st.Len(), "sessions held")
			require.Equal(t, tt.wantEvicted, st.Evicted(), "sessions evicted")
		})
	}
}

// A flood of new sessions never takes the store past its bound.
func TestWithMaxSessionsHoldsUnderAFlood(t *testing.T) {
	st := memstore.New(memstore.WithMaxSessions(100))
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for i := range 10_000 {
		require.NoError(t, st.Save(ctx, storetest.NewID(), make([]byte, 64), exp.Add(time.Duration(i)*time.Millisecond)))
	}
	require.Equal(t, 100, st.Len())
	require.Equal(t, uint64(9_900), st.Evicted())
}
