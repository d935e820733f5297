package instances

import (
	"errors"
	"log/slog"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunPattern(t *testing.T) {
	tests := []struct {
		name, want string
		match      []string
		miss       []string
	}{
		{"TestMultiInstance", "^TestMultiInstance$", []string{"TestMultiInstance"}, []string{"TestMultiInstanceX", "XTestMultiInstance"}},
		{"TestMultiInstance/postgres", "^TestMultiInstance$/^postgres$", nil, nil},
		{"TestX/a.b(c)", `^TestX$/^a\.b\(c\)$`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runPattern(tt.name)
			assert.Equal(t, tt.want, got)
			re := regexp.MustCompile(got)
			for _, s := range tt.match {
				assert.True(t, re.MatchString(s), "%q should match %q", got, s)
			}
			for _, s := range tt.miss {
				assert.False(t, re.MatchString(s), "%q should not match %q", got, s)
			}
		})
	}
}

func TestRecorderKeepsWarningsAndErrors(t *testing.T) {
	r := newRecorder()
	log := slog.New(r).With("driver", "native")
	log.Info("session: saved")
	log.Warn("session: garbage collection failed", "error", errors.New("down"))
	log.Error("session: request failed", "status", 503)
	got := r.all()
	require.Len(t, got, 2, "records: got %q, want the warning and the error", got)
	assert.Equal(t, "WARN session: garbage collection failed driver=native error=down", got[0])
	assert.Equal(t, "ERROR session: request failed driver=native status=503", got[1])
}
