package core

import (
	"strings"
	"testing"

	"github.com/ignitego/session/internal/storeid"
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

// FuzzParseIDs checks the parsing of what a client sends as a session id:
// the Cookie header scan and both id checks never panic, a value found in a
// header is part of it, and an accepted id is safe as a file name or a key.
func FuzzParseIDs(f *testing.F) {
	f.Add("ci_session=" + newID())
	f.Add("a=1; ci_session=\"../../etc/passwd\"; b=2")
	f.Add("ci_session=a\x00b; ci_session=x")
	f.Add(strings.Repeat("c=1;", 200))
	f.Fuzz(func(t *testing.T, header string) {
		v := CookieValue(map[string][]string{"Cookie": {header}}, "ci_session")
		if !strings.Contains(header, v) {
			t.Fatalf("CookieValue(%q) = %q, not part of the header", header, v)
		}
		if validEngineID(v) && !ValidID(v) {
			t.Fatalf("an engine id the stores refuse: %q", v)
		}
		if ValidID(v) && strings.ContainsAny(v, "/\\.\x00 :*?\"<>|") {
			t.Fatalf("ValidID accepts %q", v)
		}
		if ValidID(header) && (len(header) == 0 || len(header) > MaxIDLength) {
			t.Fatalf("ValidID accepts a length of %d", len(header))
		}
	})
}

func TestMaxIDLengthIsTheStoresRule(t *testing.T) {
	if MaxIDLength != storeid.MaxLength {
		t.Fatalf("MaxIDLength = %d, want storeid.MaxLength %d", MaxIDLength, storeid.MaxLength)
	}
}
