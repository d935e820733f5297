package php

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type myString string

func TestEncode(t *testing.T) {
	moment := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.FixedZone("", -7*3600))
	obj, err := ParseRaw([]byte(`O:8:"stdClass":0:{}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "N;"},
		{"true", true, "b:1;"},
		{"false", false, "b:0;"},
		{"int", -3, "i:-3;"},
		{"int8", int8(-128), "i:-128;"},
		{"int16", int16(32767), "i:32767;"},
		{"int32", int32(math.MinInt32), "i:-2147483648;"},
		{"int64", int64(math.MaxInt64), "i:9223372036854775807;"},
		{"uint", uint(3), "i:3;"},
		{"uint8", uint8(255), "i:255;"},
		{"uint16", uint16(65535), "i:65535;"},
		{"uint32", uint32(math.MaxUint32), "i:4294967295;"},
		{"uint64 at int64 max", uint64(math.MaxInt64), "i:9223372036854775807;"},
		{"uintptr", uintptr(9), "i:9;"},
		{"float64", 0.1, "d:0.1;"},
		{"float32 widened", float32(0.1), "d:0.10000000149011612;"},
		{"float32 exact", float32(1.5), "d:1.5;"},
		{"float32 nan", float32(math.NaN()), "d:NAN;"},
		{"string", "héllo", `s:6:"héllo";`},
		{"string with quotes", `a";b`, `s:4:"a";b";`},
		{"bytes", []byte("\x00\xff"), "s:2:\"\x00\xff\";"},
		{"nil bytes", []byte(nil), `s:0:"";`},
		{"time", moment, `s:35:"2024-02-29T13:04:05.123456789-07:00";`},
		{"time utc whole second", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), `s:20:"2024-01-02T03:04:05Z";`},
		{"duration", 1500 * time.Millisecond, "i:1500000000;"},
		{"negative duration", -time.Nanosecond, "i:-1;"},
		{"strings", []string{"a", ""}, `a:2:{i:0;s:1:"a";i:1;s:0:"";}`},
		{"nil strings", []string(nil), "a:0:{}"},
		{"slice", []any{1, "x", nil}, `a:3:{i:0;i:1;i:1;s:1:"x";i:2;N;}`},
		{"nil slice", []any(nil), "a:0:{}"},
		{"map sorted", map[string]any{"b": 1, "a": 2}, `a:2:{s:1:"a";i:2;s:1:"b";i:1;}`},
		{"map integer keys", map[string]any{"10": 1, "9": 2, "a": 3, "-1": 4, "007": 5},
			`a:5:{i:-1;i:4;s:3:"007";i:5;i:10;i:1;i:9;i:2;s:1:"a";i:3;}`},
		{"nil map", map[string]any(nil), "a:0:{}"},
		{"array", arr(3, "x", "k", []any{}), `a:2:{i:3;s:1:"x";s:1:"k";a:0:{}}`},
		{"array value", *arr("a", 1), `a:1:{s:1:"a";i:1;}`},
		{"empty array", &Array{}, "a:0:{}"},
		{"nil array", (*Array)(nil), "N;"},
		{"raw", obj, `O:8:"stdClass":0:{}`},
		{"raw pointer", &obj, `O:8:"stdClass":0:{}`},
		{"nil raw pointer", (*Raw)(nil), "N;"},
		{"nested", map[string]any{"l": []any{map[string]any{"x": []string{"y"}}}},
			`a:1:{s:1:"l";a:1:{i:0;a:1:{s:1:"x";a:1:{i:0;s:1:"y";}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.in)
			if err != nil {
				t.Fatalf("Encode(%#v): %v", tt.in, err)
			}
			if string(got) != tt.want {
				t.Fatalf("Encode(%#v): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEncodeUnsupported(t *testing.T) {
	tests := []struct {
		name string
		in   any
		typ  reflect.Type
	}{
		{"chan", make(chan int), reflect.TypeFor[chan int]()},
		{"struct", struct{ A int }{1}, reflect.TypeFor[struct{ A int }]()},
		{"named string", myString("x"), reflect.TypeFor[myString]()},
		{"map of strings", map[string]string{"a": "b"}, reflect.TypeFor[map[string]string]()},
		{"slice of ints", []int{1}, reflect.TypeFor[[]int]()},
		{"pointer", new(int), reflect.TypeFor[*int]()},
		{"complex", complex(1, 2), reflect.TypeFor[complex128]()},
		{"nested", []any{map[string]any{"a": []any{struct{}{}}}}, reflect.TypeFor[struct{}]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(tt.in)
			var ue *UnsupportedTypeError
			if !errors.As(err, &ue) || ue.Type != tt.typ {
				t.Fatalf("Encode(%#v): got %v, want an *UnsupportedTypeError for %v", tt.in, err, tt.typ)
			}
			if want := "php: cannot encode Go type " + tt.typ.String(); err.Error() != want {
				t.Fatalf("got %q, want %q", err, want)
			}
		})
	}
}

func TestEncodeOutOfRange(t *testing.T) {
	for _, v := range []any{uint64(math.MaxInt64 + 1), uint64(math.MaxUint64), uint(math.MaxUint64), uintptr(math.MaxUint64), Raw{}} {
		_, err := Encode(v)
		var ve *UnsupportedValueError
		if !errors.As(err, &ve) || ve.Value != v {
			t.Fatalf("Encode(%#v): got %v, want an *UnsupportedValueError", v, err)
		}
		if !strings.HasPrefix(err.Error(), "php: cannot encode ") {
			t.Fatalf("got %q, want it to start with php: cannot encode", err)
		}
	}
}

// nestedSlices returns n []any, each the only element of the one before.
func nestedSlices(n int) any {
	var v any = []any{}
	for range n - 1 {
		v = []any{v}
	}
	return v
}

func TestEncodeDepth(t *testing.T) {
	b, err := Encode(nestedSlices(65))
	if err != nil {
		t.Fatalf("65 nested slices: got %v, want no error", err)
	}
	if want := nestedArrays(65); string(b) != want {
		t.Fatalf("65 nested slices: got %q, want %q", b, want)
	}
	if _, err := Encode(nestedSlices(66)); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("66 nested slices: got %v, want ErrTooDeep", err)
	}
	cycle := []any{nil}
	cycle[0] = cycle
	if _, err := Encode(cycle); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("a slice holding itself: got %v, want ErrTooDeep", err)
	}
	self := &Array{}
	self.Set("me", self)
	if _, err := Encode(self); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("an array holding itself: got %v, want ErrTooDeep", err)
	}
}

// TestEncodeDecodeTypes checks what each Go type comes back as.
func TestEncodeDecodeTypes(t *testing.T) {
	tests := []struct {
		in   any
		want any
	}{
		{int8(-1), int64(-1)},
		{uint32(7), int64(7)},
		{float32(0.5), 0.5},
		{[]byte("ab"), "ab"},
		{[]string{"a"}, list("a")},
		{map[string]any{"1": "b", "0": "a"}, list("a", "b")},
		{map[string]any{"a": 1}, arr("a", int64(1))},
		{map[string]any{}, list()},
		{time.Duration(5), int64(5)},
		{time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), "2024-01-02T03:04:05.000000006Z"},
		{arr(0, "x", 1, "y"), list("x", "y")},
	}
	for _, tt := range tests {
		b, err := Encode(tt.in)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", tt.in, err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(%q): %v", b, err)
		}
		if !equal(got, tt.want) {
			t.Fatalf("%#v came back as %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestEncodeCanonical checks that forms PHP never writes come back in the
// form it does.
func TestEncodeCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"i:+5;", "i:5;"},
		{"i:007;", "i:7;"},
		{"i:-0;", "i:0;"},
		{"d:1e5;", "d:100000;"},
		{"d:.5;", "d:0.5;"},
		{"d:1.;", "d:1;"},
		{"d:0.10000000000000001;", "d:0.1;"},
		{"d:1e400;", "d:INF;"},
		{`s:01:"a";`, `s:1:"a";`},
		{`S:3:"\61bc";`, `s:3:"abc";`},
		{`a:1:{s:2:"42";i:1;}`, "a:1:{i:42;i:1;}"},
		{`a:01:{i:0;i:1;}`, "a:1:{i:0;i:1;}"},
		{`a:1:{i:0;O:8:"stdclass":0:{}}`, `a:1:{i:0;O:8:"stdclass":0:{}}`},
	}
	for _, tt := range tests {
		v, err := Decode([]byte(tt.in))
		if err != nil {
			t.Fatalf("Decode(%q): %v", tt.in, err)
		}
		got, err := Encode(v)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", v, err)
		}
		if string(got) != tt.want {
			t.Fatalf("Encode(Decode(%q)): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
