package php

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseRaw(t *testing.T) {
	tests := []struct {
		in    string
		kind  byte
		class string
	}{
		{`O:8:"stdClass":1:{s:1:"a";i:1;}`, 'O', "stdClass"},
		{`O:1:"A":1:{s:2:"me";r:1;}`, 'O', "A"},
		{`C:3:"Foo":3:{abc}`, 'C', "Foo"},
		{`E:6:"Suit:H";`, 'E', "Suit"},
		{"i:1;", 'i', ""},
		{`a:2:{i:0;O:1:"A":0:{}i:1;r:2;}`, 'a', ""},
	}
	for _, tt := range tests {
		r, err := ParseRaw([]byte(tt.in))
		if err != nil {
			t.Fatalf("ParseRaw(%q): %v", tt.in, err)
		}
		if r.Kind() != tt.kind || r.Class() != tt.class || r.String() != tt.in {
			t.Fatalf("ParseRaw(%q): got kind %q class %q bytes %q, want %q %q and the input",
				tt.in, r.Kind(), r.Class(), r.String(), tt.kind, tt.class)
		}
		b, err := Encode(r)
		if err != nil || string(b) != tt.in {
			t.Fatalf("Encode(ParseRaw(%q)): got %q %v, want the input", tt.in, b, err)
		}
	}
	for _, in := range []string{"", "r:1;", "R:1;", "i:1;i:2;", `O:1:"A":0:{`} {
		var se *SyntaxError
		if _, err := ParseRaw([]byte(in)); !errors.As(err, &se) {
			t.Fatalf("ParseRaw(%q): got %v, want a *SyntaxError", in, err)
		}
	}
	var zero Raw
	if zero.Kind() != 0 || zero.Class() != "" || zero.String() != "" {
		t.Fatalf("zero Raw: got kind %q class %q bytes %q, want all empty", zero.Kind(), zero.Class(), zero.String())
	}
}

func TestRawBytesIsACopy(t *testing.T) {
	r, err := ParseRaw([]byte(`O:1:"A":0:{}`))
	if err != nil {
		t.Fatal(err)
	}
	b := r.Bytes()
	b[0] = 'X'
	if r.String() != `O:1:"A":0:{}` {
		t.Fatalf("after changing Bytes(): got %q, want the Raw unchanged", r)
	}
}

func TestRawJSON(t *testing.T) {
	r, err := ParseRaw([]byte(`O:1:"A":0:{}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]any{r})
	if err != nil || string(b) != `["O:1:\"A\":0:{}"]` {
		t.Fatalf(`got %s %v, want ["O:1:\"A\":0:{}"]`, b, err)
	}
}

// decodeSession decodes a session payload or fails the test.
func decodeSession(t *testing.T, s string) []Entry {
	t.Helper()
	e, err := DecodeSession([]byte(s))
	if err != nil {
		t.Fatalf("DecodeSession(%q): %v", s, err)
	}
	return e
}

// TestRawPositions covers references in Raw values written at other
// positions than the ones they were decoded from.
func TestRawPositions(t *testing.T) {
	const refs = `list|a:2:{i:0;i:1;i:1;i:2;}alias|R:3;obj|O:8:"stdClass":1:{s:2:"id";i:9;}same_obj|r:4;after|s:4:"tail";`
	tests := []struct {
		name   string
		in     string
		change func(e []Entry) []Entry
		want   string // "" when ErrReferenceMoved is wanted
	}{
		{
			name:   "unchanged",
			in:     refs,
			change: func(e []Entry) []Entry { return e },
			want:   refs,
		},
		{
			name:   "changed after the references",
			in:     refs,
			change: func(e []Entry) []Entry { e[4].Value = int64(5); return append(e, Entry{"new", true}) },
			want:   `list|a:2:{i:0;i:1;i:1;i:2;}alias|R:3;obj|O:8:"stdClass":1:{s:2:"id";i:9;}same_obj|r:4;after|i:5;new|b:1;`,
		},
		{
			name:   "same shape before the references",
			in:     refs,
			change: func(e []Entry) []Entry { e[0].Value = []any{"x", 3.5}; return e },
			want:   `list|a:2:{i:0;s:1:"x";i:1;d:3.5;}alias|R:3;obj|O:8:"stdClass":1:{s:2:"id";i:9;}same_obj|r:4;after|s:4:"tail";`,
		},
		{
			name:   "entry removed before a reference",
			in:     refs,
			change: func(e []Entry) []Entry { return e[1:] },
		},
		{
			name:   "entry added before a reference",
			in:     refs,
			change: func(e []Entry) []Entry { return append([]Entry{{"first", 1}}, e...) },
		},
		{
			name:   "array grown before a reference",
			in:     refs,
			change: func(e []Entry) []Entry { e[0].Value = append(e[0].Value.([]any), 3); return e },
		},
		{
			name:   "r: target replaced by a scalar",
			in:     `o|O:8:"stdClass":0:{}same|r:1;`,
			change: func(e []Entry) []Entry { e[0].Value = 5; return e },
		},
		{
			name:   "self-referencing object moved back",
			in:     `a|a:1:{i:0;i:1;}u|O:1:"A":2:{s:2:"me";r:3;s:1:"p";a:1:{i:0;R:4;}}`,
			change: func(e []Entry) []Entry { return e[1:] },
			want:   `u|O:1:"A":2:{s:2:"me";r:1;s:1:"p";a:1:{i:0;R:2;}}`,
		},
		{
			name:   "object with r: and R: inside moved back",
			in:     `a|a:1:{i:0;i:1;}u|O:1:"A":3:{s:2:"me";r:3;s:1:"n";i:1;s:1:"m";R:5;}`,
			change: func(e []Entry) []Entry { return e[1:] },
			want:   `u|O:1:"A":3:{s:2:"me";r:1;s:1:"n";i:1;s:1:"m";R:3;}`,
		},
		{
			name:   "self-referencing object moved forward",
			in:     `u|O:1:"A":1:{s:2:"me";r:1;}`,
			change: func(e []Entry) []Entry { return append([]Entry{{"x", []any{1, 2, 3}}}, e...) },
			want:   `x|a:3:{i:0;i:1;i:1;i:2;i:2;i:3;}u|O:1:"A":1:{s:2:"me";r:5;}`,
		},
		{
			name:   "custom object holding r: moved",
			in:     `x|i:1;c|C:1:"A":4:{r:1;}`,
			change: func(e []Entry) []Entry { return e[1:] },
			want:   `c|C:1:"A":4:{r:1;}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := tt.change(decodeSession(t, tt.in))
			got, err := EncodeSession(entries)
			if tt.want == "" {
				if !errors.Is(err, ErrReferenceMoved) {
					t.Fatalf("got %q %v, want ErrReferenceMoved", got, err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q %v, want %q", got, err, tt.want)
			}
			// What was written decodes, references and all.
			if _, err := DecodeSession(got); err != nil {
				t.Fatalf("DecodeSession(%q): %v", got, err)
			}
		})
	}
}

// TestRawStandalone covers Raw values from a session written by Encode,
// where numbering starts again.
func TestRawStandalone(t *testing.T) {
	e := decodeSession(t, `x|i:1;u|O:1:"A":1:{s:2:"me";r:2;}o|r:2;`)
	got, err := Encode(e[1].Value)
	if err != nil || string(got) != `O:1:"A":1:{s:2:"me";r:1;}` {
		t.Fatalf(`Encode(object from the session): got %q %v, want O:1:"A":1:{s:2:"me";r:1;}`, got, err)
	}
	if got, err := Encode(e[2].Value); !errors.Is(err, ErrReferenceMoved) {
		t.Fatalf("Encode(r: from the session): got %q %v, want ErrReferenceMoved", got, err)
	}
	// In the same place of a payload of the same shape, it is valid.
	got, err = Encode([]any{e[1].Value, e[2].Value})
	if err != nil || string(got) != `a:2:{i:0;O:1:"A":1:{s:2:"me";r:2;}i:1;r:2;}` {
		t.Fatalf(`got %q %v, want a:2:{i:0;O:1:"A":1:{s:2:"me";r:2;}i:1;r:2;}`, got, err)
	}
}
