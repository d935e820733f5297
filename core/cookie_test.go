package core

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	keyA = []byte("key-a-0123456789-0123456789-abcdef")
	keyB = []byte("key-b-0123456789-0123456789-abcdef")
)

func newTestSealer(t testing.TB, encrypt bool, current []byte, previous ...[]byte) *sealer {
	s, err := newSealer(current, previous, encrypt)
	require.NoError(t, err)
	return s
}

func TestSealOpen(t *testing.T) {
	for _, encrypt := range []bool{false, true} {
		name := map[bool]string{false: "signed", true: "encrypted"}[encrypt]
		t.Run(name, func(t *testing.T) {
			s := newTestSealer(t, encrypt, keyA)
			payload := []byte("the session \x00 payload")
			v := s.seal("ci_session", payload)
			got, stale, ok := s.open("ci_session", v)
			require.True(t, ok)
			require.False(t, stale)
			require.Equal(t, payload, got)

			for i := range v {
				b := []byte(v)
				b[i] ^= 0x01
				_, _, ok := s.open("ci_session", string(b))
				require.False(t, ok, "byte %d flipped", i)
			}
			for n := 0; n < len(v); n++ {
				_, _, ok := s.open("ci_session", v[:n])
				require.False(t, ok, "truncated to %d", n)
			}
			_, _, ok = s.open("ci_session_native", v)
			require.False(t, ok, "a cookie moved to another name is refused")
			_, _, ok = newTestSealer(t, encrypt, keyB).open("ci_session", v)
			require.False(t, ok, "another key is refused")
			_, _, ok = newTestSealer(t, !encrypt, keyA).open("ci_session", v)
			require.False(t, ok, "the other mode is refused")
			_, _, ok = s.open("ci_session", strings.Repeat("A", MaxCookieSize+1))
			require.False(t, ok)

			rotated := newTestSealer(t, encrypt, keyB, keyA)
			got, stale, ok = rotated.open("ci_session", v)
			require.True(t, ok, "a previous key still opens")
			require.True(t, stale, "and asks for the cookie to be sealed again")
			require.Equal(t, payload, got)
		})
	}
}

func TestSealEncryptedIsRandomized(t *testing.T) {
	s := newTestSealer(t, true, keyA)
	require.NotEqual(t, s.seal("n", []byte("same")), s.seal("n", []byte("same")), "a fresh nonce each time")
}

func TestCookieValue(t *testing.T) {
	cases := []struct {
		name    string
		headers []string
		want    string
	}{
		{"none", nil, ""},
		{"only", []string{"ci_session=abc"}, "abc"},
		{"among others", []string{"a=1; ci_session=abc; b=2"}, "abc"},
		{"spaces and tabs", []string{"a=1;  \tci_session=abc \t; b=2"}, "abc"},
		{"quoted", []string{`ci_session="abc"`}, "abc"},
		{"prefix of another name", []string{"ci_session_native=zzz; ci_session=abc"}, "abc"},
		{"suffix of another name", []string{"my_ci_session=zzz"}, ""},
		{"second header line", []string{"a=1", "ci_session=abc"}, "abc"},
		{"first wins", []string{"ci_session=first; ci_session=second"}, "first"},
		{"empty value", []string{"ci_session="}, ""},
		{"no equals", []string{"ci_session"}, ""},
		{"garbage", []string{";;;=;ci_session=x=y"}, "x=y"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Cookie": c.headers}
			require.Equal(t, c.want, CookieValue(h, "ci_session"))
		})
	}
}

func TestCookieValueAllocatesNothing(t *testing.T) {
	h := http.Header{"Cookie": {"a=1; b=2; ci_session=abcdef; c=3"}}
	allocs := testing.AllocsPerRun(100, func() { _ = CookieValue(h, "ci_session") })
	require.Zero(t, allocs)
}

func FuzzOpenCookie(f *testing.F) {
	signed := newTestSealer(f, false, keyA)
	encrypted := newTestSealer(f, true, keyA)
	payload := []byte("fuzz payload")
	sv, ev := signed.seal("ci_session", payload), encrypted.seal("ci_session", payload)
	f.Add(sv)
	f.Add(ev)
	f.Add("")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, v string) {
		for _, s := range []*sealer{signed, encrypted} {
			got, _, ok := s.open("ci_session", v)
			if !ok {
				continue
			}
			if string(got) != string(payload) {
				t.Fatalf("opened a forged cookie %q into %q", v, got)
			}
			if raw, err := b64.DecodeString(v); err != nil || b64.EncodeToString(raw) != v {
				t.Fatalf("a non-canonical spelling %q of a sealed cookie opens", v)
			}
		}
	})
}

func TestSetCookieHeader(t *testing.T) {
	h := http.Header{"Vary": {"Accept-Encoding"}, "Cache-Control": {"private"}}
	SetCookieHeader(h, &http.Cookie{Name: "s", Value: "1"})
	SetCookieHeader(h, &http.Cookie{Name: "t", Value: "2"})
	SetCookieHeader(h, &http.Cookie{Name: "s", Value: "3"})
	require.Equal(t, []string{"s=3", "t=2"}, h["Set-Cookie"], "one Set-Cookie per name, the last wins")
	require.Equal(t, []string{"Accept-Encoding", "Cookie"}, h["Vary"])
	require.Equal(t, []string{"private", `no-cache="Set-Cookie"`}, h["Cache-Control"])
	h2 := http.Header{"Vary": {"accept, cookie"}}
	SetCookieHeader(h2, &http.Cookie{Name: "s", Value: "1"})
	require.Equal(t, []string{"accept, cookie"}, h2["Vary"], "Vary already names the cookie")
}

// The Set-Cookie line is the standard library's, whatever the attributes.
func TestSetCookieHeaderWritesWhatStringWrites(t *testing.T) {
	exp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.FixedZone("X", 3600))
	cases := []*http.Cookie{
		{Name: "ci_session", Value: "abc"},
		{Name: "ci_session", Value: "abc", Path: "/", MaxAge: 7200, Expires: exp, HttpOnly: true, SameSite: http.SameSiteLaxMode},
		{Name: "s", Value: "", Path: "/x", MaxAge: -1, Expires: time.Unix(1, 0), Secure: true, SameSite: http.SameSiteStrictMode},
		{Name: "s", Value: "v", SameSite: http.SameSiteNoneMode, Secure: true, Partitioned: true},
		{Name: "s", Value: "a b"},                      // quoted by String
		{Name: "s", Value: `bad"quote;`},               // sanitized by String
		{Name: "s", Value: "v", Domain: "example.com"}, // String's domain rules
	}
	for _, c := range cases {
		h := http.Header{}
		SetCookieHeader(h, c)
		require.Equal(t, []string{c.String()}, h["Set-Cookie"], "%#v", c)
	}
	h := http.Header{}
	SetCookieHeader(h, &http.Cookie{Name: "bad name", Value: "v"})
	require.Empty(t, h, "an invalid cookie adds nothing")
}
