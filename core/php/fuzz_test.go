package php

import (
	"bytes"
	"errors"
	"testing"
)

// The seed corpus is in testdata/fuzz/FuzzDecode and FuzzDecodeSession:
// what PHP writes (the golden vectors), the forms PHP reads but never
// writes, the inputs Decode must refuse, references of every kind, and the
// inputs fuzzing has found.

// FuzzDecode checks that Decode never panics, that it reports errors as a
// *SyntaxError with an offset inside the input, and that whatever it
// decodes encodes to bytes that decode to an equal value and then encode
// to the same bytes again: Encode's output is canonical, and canonical
// input round-trips byte for byte (TestGoldenValues checks that PHP's
// output is canonical).
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			checkSyntaxError(t, data, err)
			return
		}
		out, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)): %v", data, err)
		}
		v2, err := Decode(out)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(%q))) = Decode(%q): %v", data, out, err)
		}
		if !equal(v2, v) {
			t.Fatalf("%q decodes to %#v, re-encoded %q to %#v", data, v, out, v2)
		}
		out2, err := Encode(v2)
		if err != nil || !bytes.Equal(out2, out) {
			t.Fatalf("canonical %q re-encoded to %q %v", out, out2, err)
		}
	})
}

// FuzzDecodeSession checks DecodeSession and EncodeSession as FuzzDecode
// does Decode and Encode; a payload holding an integer-like key, which PHP
// reads but a script cannot reach, must make EncodeSession fail with
// ErrUnstorableKey.
func FuzzDecodeSession(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := DecodeSession(data)
		if err != nil {
			checkSyntaxError(t, data, err)
			return
		}
		unstorable := false
		for _, e := range entries {
			if bytes.IndexByte([]byte(e.Key), '|') >= 0 {
				t.Fatalf("DecodeSession(%q): key %q holds '|'", data, e.Key)
			}
			if _, ok := IntegerKey(e.Key); ok {
				unstorable = true
			}
		}
		out, err := EncodeSession(entries)
		if unstorable {
			if !errors.Is(err, ErrUnstorableKey) {
				t.Fatalf("EncodeSession with an integer-like key: got %q %v, want ErrUnstorableKey", out, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("EncodeSession(DecodeSession(%q)): %v", data, err)
		}
		entries2, err := DecodeSession(out)
		if err != nil {
			t.Fatalf("DecodeSession(%q), re-encoded from %q: %v", out, data, err)
		}
		if !equal(entries2, entries) {
			t.Fatalf("%q decodes to %#v, re-encoded %q to %#v", data, entries, out, entries2)
		}
		out2, err := EncodeSession(entries2)
		if err != nil || !bytes.Equal(out2, out) {
			t.Fatalf("canonical %q re-encoded to %q %v", out, out2, err)
		}
	})
}

func checkSyntaxError(t *testing.T, data []byte, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%q: got %T %v, want a *SyntaxError", data, err, err)
	}
	if se.Offset < 0 || se.Offset > len(data) {
		t.Fatalf("%q: got offset %d, want one within the %d bytes", data, se.Offset, len(data))
	}
}

// FuzzURLDecode checks that URLDecode, which reads the session cookie a PHP
// application sends, never panics, never grows its input, and inverts
// URLEncode: what the Go side sends, PHP and the Go side read back as it
// was.
func FuzzURLDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d := URLDecode(s)
		if len(d) > len(s) {
			t.Fatalf("URLDecode(%q) = %q: longer than its input", s, d)
		}
		if got := URLDecode(URLEncode(s)); got != s {
			t.Fatalf("URLDecode(URLEncode(%q)) = %q", s, got)
		}
	})
}
