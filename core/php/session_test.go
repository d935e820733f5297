package php

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeSession(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{"empty", "", nil},
		{"one", "a|i:1;", []Entry{{"a", int64(1)}}},
		{"empty key", "|N;", []Entry{{"", nil}}},
		{"key with odd bytes", "a\x00b ;{!|s:1:\"|\";", []Entry{{"a\x00b ;{!", "|"}}},
		{"old undefined marker is a key byte", "!a|i:1;", []Entry{{"!a", int64(1)}}},
		{"integer-like key", "42|i:1;", []Entry{{"42", int64(1)}}},
		{"key twice", "a|i:1;a|i:2;", []Entry{{"a", int64(1)}, {"a", int64(2)}}},
		{"string value holding a pipe", `a|s:3:"x|y";b|b:1;`, []Entry{{"a", "x|y"}, {"b", true}}},
		{"reference across keys", "a|a:1:{i:0;i:5;}b|R:2;", []Entry{{"a", list(int64(5))}, {"b", rawText("R:2;")}}},
		{"object reference across keys", `a|O:1:"A":0:{}b|r:1;`, []Entry{{"a", rawText(`O:1:"A":0:{}`)}, {"b", rawText("r:1;")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSession([]byte(tt.in))
			if err != nil {
				t.Fatalf("DecodeSession(%q): %v", tt.in, err)
			}
			if !equal(got, tt.want) {
				t.Fatalf("DecodeSession(%q): got %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeSessionErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		msg    string
	}{
		{"no pipe", "abc", 0, "without '|'"},
		{"trailing bytes", "a|i:1;junk", 6, "without '|'"},
		{"no value", "a|", 2, "unexpected end of input"},
		{"no last value", "a|i:1;b|", 8, "unexpected end of input"},
		{"bad value", "a|i:1;b|junk", 8, "unknown value type 'j'"},
		{"reference beyond the values so far", "a|i:1;b|R:2;", 10, "R:2 does not point"},
		{"r: to a scalar", "a|i:1;b|r:1;", 10, "r:1 does not point"},
		{"deep value", "a|" + nestedArrays(66), 2 + 65*9, "nesting deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSession([]byte(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("DecodeSession(%q): got %#v %v, want a *SyntaxError", tt.in, got, err)
			}
			if se.Offset != tt.offset || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("DecodeSession(%q): got offset %d %q, want offset %d and %q", tt.in, se.Offset, err, tt.offset, tt.msg)
			}
		})
	}
}

func TestEncodeSession(t *testing.T) {
	empty, err := EncodeSession(nil)
	if err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("EncodeSession(nil): got %#v %v, want an empty, non-nil slice", empty, err)
	}
	got, err := EncodeSession([]Entry{
		{"", 1},
		{"007", "x"},
		{"__ci_vars", map[string]any{"msg": "new", "otp": int64(1700000300)}},
		{"dup", 1},
		{"dup", 2},
	})
	want := `|i:1;007|s:1:"x";__ci_vars|a:2:{s:3:"msg";s:3:"new";s:3:"otp";i:1700000300;}dup|i:1;dup|i:2;`
	if err != nil || string(got) != want {
		t.Fatalf("got %q %v, want %q", got, err, want)
	}
}

func TestEncodeSessionErrors(t *testing.T) {
	for _, key := range []string{"a|b", "|", "42", "0", "-7"} {
		_, err := EncodeSession([]Entry{{"ok", 1}, {key, 1}})
		if !errors.Is(err, ErrUnstorableKey) || !strings.Contains(err.Error(), `"`+key+`"`) {
			t.Fatalf("key %q: got %v, want ErrUnstorableKey naming the key", key, err)
		}
	}
	_, err := EncodeSession([]Entry{{"cart", []any{make(chan int)}}})
	var ue *UnsupportedTypeError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), `php: session key "cart": `) {
		t.Fatalf(`got %v, want an *UnsupportedTypeError wrapped with php: session key "cart"`, err)
	}
}

func TestCheckKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"user_id", true},
		{"", true},
		{"007", true},
		{"1.5", true},
		{"-0", true},
		{"+1", true},
		{" 1", true},
		{"9223372036854775808", true},
		{"__ci_vars", true},
		{"42", false},
		{"0", false},
		{"-7", false},
		{"9223372036854775807", false},
		{"a|b", false},
		{"|", false},
	}
	for _, tt := range tests {
		err := CheckKey(tt.key)
		if (err == nil) != tt.ok {
			t.Errorf("CheckKey(%q): got %v, want ok=%v", tt.key, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnstorableKey) {
			t.Errorf("CheckKey(%q): got %v, want it to wrap ErrUnstorableKey", tt.key, err)
		}
	}
}
