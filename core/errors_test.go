package core_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ignitego/session/core"
)

func TestErrorStatus(t *testing.T) {
	encode := &core.EncodeError{Key: "cart", Err: errors.New("unsupported")}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"a store failure", fmt.Errorf("%w: save: down", core.ErrStore), http.StatusServiceUnavailable},
		{"a lock wait", core.ErrLockTimeout, http.StatusServiceUnavailable},
		{"contention", core.ErrConflict, http.StatusServiceUnavailable},
		{"a value that does not encode", encode, http.StatusInternalServerError},
		{"a cookie too large", core.ErrCookieTooLarge, http.StatusInternalServerError},
		{"a change after the headers", core.ErrModifiedAfterCommit, 0},
		{"two late changes", errors.Join(core.ErrModifiedAfterCommit, core.ErrModifiedAfterCommit), 0},
		{"late, and a store failure", errors.Join(core.ErrModifiedAfterCommit, core.ErrStore), http.StatusServiceUnavailable},
		{"late, and a value that does not encode", errors.Join(core.ErrModifiedAfterCommit, encode), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, core.ErrorStatus(tt.err), "ErrorStatus(%v)", tt.err)
		})
	}
}
