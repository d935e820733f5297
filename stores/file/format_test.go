//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"bytes"
	"testing"
	"time"
)

func TestExpiryMillis(t *testing.T) {
	cases := []struct {
		name string
		in   time.Time
		want int64
	}{
		{"zero never expires", time.Time{}, 0},
		{"whole millisecond", time.UnixMilli(1_700_000_000_123), 1_700_000_000_123},
		{"rounds up, never early", time.UnixMilli(1_700_000_000_123).Add(time.Microsecond), 1_700_000_000_124},
		{"the epoch is past, not never", time.Unix(0, 0), -1},
		{"before the epoch", time.UnixMilli(-5), -5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := expiryMillis(c.in); got != c.want {
				t.Fatalf("expiryMillis(%v): got %d, want %d", c.in, got, c.want)
			}
		})
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		exp  time.Time
	}{
		{"empty, no expiry", []byte{}, time.Time{}},
		{"binary", []byte("\x00\xff\x00"), time.UnixMilli(1_700_000_000_000)},
		{"past", []byte("x"), time.UnixMilli(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := header(c.data, c.exp)
			exp, data, err := decode(append(h[:], c.data...))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !exp.Equal(c.exp) || !bytes.Equal(data, c.data) {
				t.Fatalf("decode: got %v, %q; want %v, %q", exp, data, c.exp, c.data)
			}
		})
	}
}

// FuzzDecode feeds decode arbitrary files: it must never panic, and what
// it accepts must encode back to the same bytes.
func FuzzDecode(f *testing.F) {
	h := header([]byte("data"), time.UnixMilli(1_700_000_000_000))
	f.Add(append(h[:], "data"...))
	f.Add([]byte{})
	f.Add([]byte("SES\x01"))
	f.Add(make([]byte, headerSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		exp, data, err := decode(b)
		if err != nil {
			return
		}
		again := header(data, exp)
		if !bytes.Equal(append(again[:], data...), b) {
			t.Fatalf("decode(%q) = %v, %q, which encodes differently", b, exp, data)
		}
	})
}
