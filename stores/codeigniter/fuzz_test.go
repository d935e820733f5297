//go:build unix

package codeigniter

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/ignitego/session/core"
)

// FuzzClientIP checks that whatever a transport calls the client IP, the
// store writes an IP address without a zone, which fits ip_address.
func FuzzClientIP(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "fe80::1%eth0", "", "not an ip", "1.2.3.4:80", "[::1]", "0.0.0.0", "::ffff:10.0.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ip string) {
		got := clientIP(ip)
		a, err := netip.ParseAddr(got)
		if err != nil || a.Zone() != "" || len(got) > 45 {
			t.Fatalf("clientIP(%q) = %q: not an IP address without a zone that fits 45 characters", ip, got)
		}
		if got != ip && got != "0.0.0.0" && !strings.Contains(ip, "%") {
			t.Fatalf("clientIP(%q) = %q: a valid address was changed", ip, got)
		}
	})
}

// FuzzSessionFile checks the garbage collector's reading of file names: it
// never panics, and accepts only the cookie name, the IP part under
// MatchIP, and an id of the application's form, which is a valid id.
func FuzzSessionFile(f *testing.F) {
	for _, s := range []string{
		"ci_session0123456789abcdef0123456789abcdef",
		"ci_session0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"ci_session../../etc/passwd", "ci_session", "x", ".", "..", "ci_session0123456789abcdef0123456789abcdeF",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, name string, matchIP bool) {
		st := &FileStore{app: App{Version: 4, CookieName: "ci_session", MatchIP: matchIP}}
		id, ok := st.sessionFile(name)
		if !ok {
			return
		}
		want := 32 + len("ci_session")
		if matchIP {
			want += 32
		}
		if len(name) != want || len(id) != 32 || !core.ValidID(id) || !strings.HasSuffix(name, id) {
			t.Fatalf("sessionFile(%q) accepted id %q", name, id)
		}
	})
}

// FuzzBase64Column checks that reading CodeIgniter 3's base64 column never
// panics, whatever the table holds.
func FuzzBase64Column(f *testing.F) {
	for _, s := range []string{"", "YQ==", "YQ==\n", " Y Q = = ", "!!!", "YQ", "a|b"} {
		f.Add([]byte(s))
	}
	st := &DatabaseStore{app: App{Version: 3}, dialect: PostgreSQL}
	f.Fuzz(func(t *testing.T, raw []byte) {
		data, err := st.decode(raw)
		if err == nil && data == nil {
			t.Fatalf("decode(%q) = nil, nil: want a payload, empty or not", raw)
		}
	})
}
