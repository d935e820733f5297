package rediscas

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTTLAndPX(t *testing.T) {
	tests := []struct {
		name     string
		in       time.Duration // from now; 0 means the zero time
		zero     bool
		wantLive bool
		px       string
	}{
		{"zero time never expires", 0, true, true, "0"},
		{"passed", -time.Second, false, false, "-1"},
		{"a minute", time.Minute, false, true, ""},
		{"a fraction of a millisecond more", time.Minute + 300*time.Microsecond, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var at time.Time
			if !tt.zero {
				at = time.Now().Add(tt.in)
			}
			ttl, live := TTL(at)
			require.Equal(t, tt.wantLive, live)
			if live && !tt.zero {
				require.LessOrEqual(t, ttl, tt.in.Truncate(time.Millisecond)+time.Millisecond, "never beyond expiresAt rounded up")
				require.Greater(t, ttl, tt.in-time.Second)
				require.Zero(t, ttl%time.Millisecond, "whole milliseconds, got %s", ttl)
			}
			if tt.px != "" {
				require.Equal(t, tt.px, PX(at))
			}
		})
	}
}
