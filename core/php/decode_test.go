package php

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"null", "N;", nil},
		{"true", "b:1;", true},
		{"false", "b:0;", false},
		{"int", "i:-42;", int64(-42)},
		{"int with plus", "i:+5;", int64(5)},
		{"int with leading zeros", "i:007;", int64(7)},
		{"negative zero int", "i:-0;", int64(0)},
		{"int min", "i:-9223372036854775808;", int64(math.MinInt64)},
		{"float", "d:0.5;", 0.5},
		{"float exponent", "d:1.0E+25;", 1e25},
		{"float lower exponent", "d:1e5;", 1e5},
		{"float no integer part", "d:.5;", 0.5},
		{"float no fraction", "d:1.;", 1.0},
		{"float with plus", "d:+1.5;", 1.5},
		{"float negative fraction", "d:-.25;", -0.25},
		{"float 17 digits", "d:0.10000000000000001;", 0.1},
		{"float overflow", "d:1e400;", math.Inf(1)},
		{"float underflow", "d:1e-400;", 0.0},
		{"float inf", "d:INF;", math.Inf(1)},
		{"float negative inf", "d:-INF;", math.Inf(-1)},
		{"float nan", "d:NAN;", math.NaN()},
		{"float negative zero", "d:-0;", math.Copysign(0, -1)},
		{"string", `s:3:"foo";`, "foo"},
		{"empty string", `s:0:"";`, ""},
		{"string holding the terminator", `s:4:"";";";`, `";";`},
		{"string with length leading zeros", `s:01:"a";`, "a"},
		{"binary string", "s:3:\"\x00\xff\n\";", "\x00\xff\n"},
		{"escaped string", `S:3:"\61b\63";`, "abc"},
		{"escaped string upper hex", `S:1:"\4A";`, "J"},
		{"empty array", "a:0:{}", list()},
		{"list", `a:2:{i:0;s:1:"a";i:1;N;}`, list("a", nil)},
		{"count with leading zero", "a:01:{i:0;i:1;}", list(int64(1))},
		{"list from string keys", `a:2:{s:1:"0";i:1;s:1:"1";i:2;}`, list(int64(1), int64(2))},
		{"out of order", "a:2:{i:1;i:1;i:0;i:0;}", arr(1, int64(1), 0, int64(0))},
		{"gap", "a:1:{i:1;b:1;}", arr(1, true)},
		{"string keys", `a:2:{s:1:"b";i:1;s:1:"a";i:2;}`, arr("b", int64(1), "a", int64(2))},
		{"integer-like string key", `a:1:{s:2:"42";i:1;}`, arr(42, int64(1))},
		{"non-integer string keys", `a:3:{s:3:"042";N;s:2:"-0";N;s:3:"1.5";N;}`, arr("042", nil, "-0", nil, "1.5", nil)},
		{"list then string key", `a:2:{i:0;N;s:1:"x";N;}`, arr(0, nil, "x", nil)},
		{"nested", `a:1:{s:1:"a";a:1:{i:0;a:0:{}}}`, arr("a", list(list()))},
		{"object", `O:8:"stdClass":1:{s:1:"a";i:1;}`, rawText(`O:8:"stdClass":1:{s:1:"a";i:1;}`)},
		{"object with nested array and object", `O:1:"A":2:{s:1:"a";a:1:{i:0;O:1:"B":0:{}}i:0;N;}`, rawText(`O:1:"A":2:{s:1:"a";a:1:{i:0;O:1:"B":0:{}}i:0;N;}`)},
		{"namespaced class", `O:8:"App\User":0:{}`, rawText(`O:8:"App\User":0:{}`)},
		{"custom object", `C:3:"Foo":5:{a;}b"}`, rawText(`C:3:"Foo":5:{a;}b"}`)},
		{"enum", `E:6:"Suit:H";`, rawText(`E:6:"Suit:H";`)},
		{"object reference", `a:2:{i:0;O:1:"A":0:{}i:1;r:2;}`, list(rawText(`O:1:"A":0:{}`), rawText("r:2;"))},
		{"value reference", "a:2:{i:0;i:5;i:1;R:2;}", list(int64(5), rawText("R:2;"))},
		{"reference to the array being read", "a:1:{i:0;R:1;}", list(rawText("R:1;"))},
		{"reference to an r: slot", `a:3:{i:0;O:1:"A":0:{}i:1;r:2;i:2;r:3;}`, list(rawText(`O:1:"A":0:{}`), rawText("r:2;"), rawText("r:3;"))},
		{"object referencing itself", `O:1:"A":1:{s:1:"a";r:1;}`, rawText(`O:1:"A":1:{s:1:"a";r:1;}`)},
		{"enum referenced", `a:2:{i:0;E:3:"S:H";i:1;r:2;}`, list(rawText(`E:3:"S:H";`), rawText("r:2;"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if !equal(got, tt.want) {
				t.Fatalf("Decode(%q): got %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeRawClass(t *testing.T) {
	tests := []struct {
		in    string
		kind  byte
		class string
	}{
		{`O:8:"stdClass":0:{}`, 'O', "stdClass"},
		{`O:8:"App\User":0:{}`, 'O', `App\User`},
		{`C:11:"ArrayObject":0:{}`, 'C', "ArrayObject"},
		{`E:11:"Suit:Hearts";`, 'E', "Suit"},
		{`a:2:{i:0;O:1:"A":0:{}i:1;r:2;}`, 'r', ""},
		{"a:2:{i:0;N;i:1;R:2;}", 'R', ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if l, ok := v.([]any); ok {
				v = l[1]
			}
			r, ok := v.(Raw)
			if !ok {
				t.Fatalf("got %#v, want a Raw", v)
			}
			if r.Kind() != tt.kind || r.Class() != tt.class {
				t.Fatalf("got kind %q class %q, want %q and %q", r.Kind(), r.Class(), tt.kind, tt.class)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		msg    string
	}{
		{"empty", "", 0, "unexpected end of input"},
		{"unknown type", "x:1;", 0, "unknown value type 'x'"},
		{"no colon", "i1;", 0, "want ':'"},
		{"truncated int", "i:1", 3, "unexpected end of input"},
		{"int without digits", "i:-;", 2, "want an integer"},
		{"int with space", "i: 1;", 2, "want an integer"},
		{"int out of range", "i:9223372036854775808;", 2, "out of range"},
		{"int too small", "i:-9223372036854775809;", 2, "out of range"},
		{"bool 2", "b:2;", 2, "want 0 or 1"},
		{"bool 01", "b:01;", 3, "unexpected byte"},
		{"null without semicolon", "Nx", 1, "unexpected byte"},
		{"float empty", "d:;", 2, "want a float"},
		{"float dot only", "d:.;", 2, "want a float"},
		{"float lower inf", "d:inf;", 2, "want a float"},
		{"float plus inf", "d:+INF;", 2, "want a float"},
		{"float hex", "d:0x10;", 3, "unexpected byte 'x'"},
		{"float underscore", "d:1_0;", 3, "unexpected byte '_'"},
		{"float bare exponent", "d:1e;", 4, "exponent"},
		{"float signed bare exponent", "d:1E+;", 5, "exponent"},
		{"negative length", `s:-1:"";`, 2, "want a decimal number"},
		{"length beyond input", `s:10:"abc";`, 6, "exceeds"},
		{"huge length", `s:99999999999999999999:"";`, 2, "out of range"},
		{"short string", `s:2:"a";`, 7, `unexpected byte ';', want '"'`},
		{"missing quote", `s:1:"a;`, 6, `unexpected byte ';', want '"'`},
		{"truncated string", `s:1:"a"`, 7, "unexpected end"},
		{"bad escape", `S:1:"\zz";`, 5, "bad escape"},
		{"truncated escape", `S:1:"\6`, 5, "bad escape"},
		{"lying count", "a:1000000000:{}", 2, "count 1000000000 exceeds"},
		{"count beyond input", "a:2:{i:0;N;}", 2, "count 2 exceeds"},
		{"count above elements", "a:2:{i:0;N;}i:1;N;", 11, "key must be an int or a string, not '}'"},
		{"negative count", "a:-1:{}", 2, "want a decimal number"},
		{"float key", "a:1:{d:1;i:1;}", 5, "key must be an int or a string"},
		{"bool key", "a:1:{b:1;i:1;}", 5, "key must be an int or a string"},
		{"null key", "a:1:{N;i:1;}", 5, "key must be an int or a string"},
		{"duplicate key", "a:2:{i:0;N;i:0;N;}", 11, "duplicate array key 0"},
		{"duplicate normalized key", `a:2:{i:5;N;s:1:"5";N;}`, 11, "duplicate array key 5"},
		{"duplicate string key", `a:3:{s:1:"a";N;i:0;N;s:1:"a";N;}`, 21, `duplicate array key a`},
		{"unclosed array", "a:0:{", 5, "unexpected end"},
		{"trailing data", "N;x", 2, "trailing data"},
		{"r to nothing", "r:1;", 2, "r:1 does not point at an earlier object"},
		{"r zero", "r:0;", 2, "r:0 does not point"},
		{"r to an array", "a:1:{i:0;r:1;}", 11, "r:1 does not point"},
		{"r to an int", "a:2:{i:0;i:1;i:1;r:2;}", 19, "r:2 does not point"},
		{"r to itself", `a:2:{i:0;O:1:"A":0:{}i:1;r:3;}`, 27, "r:3 does not point"},
		{"R beyond", "a:2:{i:0;i:1;i:1;R:3;}", 19, "R:3 does not point"},
		{"R zero", "a:1:{i:0;R:0;}", 11, "R:0 does not point"},
		{"reference as key", "a:1:{R:1;N;}", 5, "key must be"},
		{"empty class", `O:0:"":0:{}`, 5, "bad class name"},
		{"bad class", `O:3:"a-b":0:{}`, 5, "bad class name"},
		{"leading backslash", `O:4:"\abc":0:{}`, 5, "bad class name"},
		{"object count", `O:1:"A":-1:{}`, 8, "want a decimal number"},
		{"object null key", `O:1:"A":1:{N;i:1;}`, 11, "key must be"},
		{"object lying count", `O:1:"A":99999:{}`, 8, "exceeds"},
		{"custom data beyond input", `C:1:"A":10:{}`, 12, "exceeds"},
		{"custom unclosed", `C:1:"A":1:{a`, 12, "unexpected end"},
		{"enum without colon", `E:4:"Suit";`, 5, "not Class:Case"},
		{"enum without case", `E:5:"Suit:";`, 5, "not Class:Case"},
		{"enum without class", `E:2:":H";`, 5, "not Class:Case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("Decode(%q): got %#v, want an error", tt.in, v)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Decode(%q): got %T %v, want a *SyntaxError", tt.in, err, err)
			}
			if se.Offset != tt.offset || !strings.Contains(se.Error(), tt.msg) {
				t.Fatalf("Decode(%q): got offset %d %q, want offset %d and %q", tt.in, se.Offset, se.Error(), tt.offset, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "php: ") {
				t.Fatalf("got %q, want the php: prefix", err)
			}
		})
	}
}

// nestedArrays returns n arrays, each the only element of the one before.
func nestedArrays(n int) string {
	return strings.Repeat("a:1:{i:0;", n-1) + "a:0:{}" + strings.Repeat("}", n-1)
}

func TestDecodeDepth(t *testing.T) {
	// The outermost value is at depth 0: 65 arrays reach depth 64.
	if _, err := Decode([]byte(nestedArrays(65))); err != nil {
		t.Fatalf("65 nested arrays: got %v, want no error", err)
	}
	for _, in := range []string{
		nestedArrays(66),
		nestedArrays(100000),
		strings.Repeat(`O:1:"A":1:{i:0;`, 70) + "N;" + strings.Repeat("}", 70),
	} {
		_, err := Decode([]byte(in))
		var se *SyntaxError
		if !errors.Is(err, ErrTooDeep) || !errors.As(err, &se) {
			t.Fatalf("deep input: got %v, want a *SyntaxError wrapping ErrTooDeep", err)
		}
		if se.Offset != 65*9 && se.Offset != 65*15 {
			t.Fatalf("deep input: got offset %d, want that of the 66th level", se.Offset)
		}
	}
}

// TestDecodeAllocation checks that lengths and counts the input cannot
// back do not make the decoder allocate for them.
func TestDecodeAllocation(t *testing.T) {
	for _, in := range []string{
		"a:" + strings.Repeat("9", 18) + ":{i:0;N;}",
		"a:100000000:{" + strings.Repeat("i:0;N;", 10),
		`s:100000000:"abc";`,
		`S:100000000:"abc";`,
		`O:8:"stdClass":100000000:{}`,
		`C:1:"A":100000000:{}`,
		`O:100000000:"A":0:{}`,
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Decode([]byte(in))
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("Decode(%q): got no error, want one", in)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Fatalf("Decode(%q): allocated %d bytes, want under 64 KiB", in, n)
		}
	}
}

// TestDecodeCopies checks that decoded values do not share the input's
// memory.
func TestDecodeCopies(t *testing.T) {
	in := []byte(`a:2:{s:1:"k";s:3:"abc";i:1;O:1:"A":0:{}}`)
	v, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 'x'
	}
	want := arr("k", "abc", 1, rawText(`O:1:"A":0:{}`))
	if !equal(v, want) {
		t.Fatalf("after changing the input: got %#v, want %#v", v, want)
	}
}

// TestDecodeErrorsAreShort checks that an error quotes at most a bounded
// part of the input.
func TestDecodeErrorsAreShort(t *testing.T) {
	long := strings.Repeat("9", 100000)
	x := strings.Repeat("x", 1000)
	for _, in := range []string{
		"i:" + long + ";",
		"a:" + long + ":{}",
		"d:1" + strings.Repeat("0", 100000) + "x;",
		`a:2:{s:1000:"` + x + `";N;s:1000:"` + x + `";N;}`,
		`O:1000:"` + strings.Repeat("-", 1000) + `":0:{}`,
		`E:1000:"` + x + `";`,
	} {
		_, err := Decode([]byte(in))
		if err == nil {
			t.Fatalf("Decode of %d bytes: got no error, want one", len(in))
		}
		if len(err.Error()) > 120 {
			t.Fatalf("Decode of %d bytes: got %d bytes of error %.200q, want an error under 120 bytes", len(in), len(err.Error()), err)
		}
	}
}
