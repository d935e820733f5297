package jsongeneric

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want any
	}{
		{"integer", `42`, int64(42)},
		{"beyond int64", `18446744073709551616`, 1.8446744073709552e19},
		{"float", `1.5`, 1.5},
		{"string", `"x"`, "x"},
		{"null", `null`, nil},
		{"object", `{"a":[1,true,{"b":2.5}]}`, map[string]any{"a": []any{int64(1), true, map[string]any{"b": 2.5}}}},
		{"not JSON", `{`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Decode([]byte(tt.js)))
		})
	}
}

func TestDecodeCutsDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+2) + "1" + strings.Repeat("]", MaxDepth+2)
	v := Decode([]byte(deep))
	for range MaxDepth + 1 {
		l, ok := v.([]any)
		require.True(t, ok, "got %T, want []any", v)
		require.Len(t, l, 1)
		v = l[0]
	}
	require.Nil(t, v, "what lies deeper than MaxDepth reads as nil")
}
