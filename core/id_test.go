package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		require.Len(t, id, 40)
		require.True(t, validEngineID(id), id)
		require.True(t, ValidID(id), id)
		require.False(t, seen[id], "duplicate id")
		seen[id] = true
	}
}

func TestValidEngineID(t *testing.T) {
	for _, id := range []string{"", strings.Repeat("a", 39), strings.Repeat("a", 41), strings.Repeat("A", 40),
		strings.Repeat("g", 40), "../../" + strings.Repeat("a", 34), strings.Repeat("a", 39) + "\x00"} {
		require.False(t, validEngineID(id), "%q", id)
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"a", "A-b_c,d", strings.Repeat("z", MaxIDLength), "0123456789"} {
		require.True(t, ValidID(id), "%q", id)
	}
	for _, id := range []string{"", "../x", "a/b", `a\b`, "a.b", "a b", "a\x00b", "é", strings.Repeat("z", MaxIDLength+1)} {
		require.False(t, ValidID(id), "%q", id)
	}
}
