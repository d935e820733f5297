package storeid

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValid(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"0123456789abcdef0123456789abcdef01234567", true},
		{"a-b_c,D", true},
		{strings.Repeat("a", MaxLength), true},
		{"", false},
		{strings.Repeat("a", MaxLength+1), false},
		{"../x", false},
		{"a/b", false},
		{"a\x00b", false},
		{"é", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			require.Equal(t, tt.want, Valid(tt.id), "Valid(%q)", tt.id)
		})
	}
}

func TestCheck(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		id   string
		want error // nil: no error
		text string
	}{
		{"valid", context.Background(), "abc", nil, ""},
		{"done context", done, "abc", context.Canceled, "memstore: load: context canceled"},
		{"malformed id", context.Background(), "a/b", ErrInvalid, `memstore: load: invalid session id "a/b"`},
		{"long malformed id is cut", context.Background(), strings.Repeat("/", 50), ErrInvalid, strings.Repeat("/", 40) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.ctx, "memstore", "load", tt.id)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.Contains(t, err.Error(), tt.text)
		})
	}
}

func TestFail(t *testing.T) {
	backend := errors.New("connection reset")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		is   []error
		text string
	}{
		{"live context", context.Background(), backend, []error{backend}, "gormstore: save: connection reset"},
		{"done context adds its error", done, backend, []error{backend, context.Canceled}, "gormstore: save: context canceled (connection reset)"},
		{"the context's own error once", done, context.Canceled, []error{context.Canceled}, "gormstore: save: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Fail(tt.ctx, "gormstore", "save", tt.err)
			for _, is := range tt.is {
				require.ErrorIs(t, err, is)
			}
			require.Equal(t, tt.text, err.Error())
		})
	}
}

func TestShort(t *testing.T) {
	tests := []struct{ id, want string }{
		{"", ""},
		{"abcdef", "abcdef"},
		{"abcdefg", "abcdef…"},
		{"0123456789abcdef0123456789abcdef01234567", "012345…"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, Short(tt.id), "Short(%q)", tt.id)
	}
}
