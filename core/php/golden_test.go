package php

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// golden is testdata/golden.json, which testdata/golden.php prints: what PHP
// itself writes. TestPHPGolden checks, when PHP is at hand, that it still
// does.
type golden struct {
	Generator string         `json:"generator"`
	Values    []goldenVector `json:"values"`
	Sessions  []goldenVector `json:"sessions"`
}

type goldenVector struct {
	Name string `json:"name"`
	B64  string `json:"b64"`
	// SessionEncode is what session_encode() returned: false, or the
	// payload, which must be the one the handler was given (B64).
	SessionEncode json.RawMessage `json:"session_encode,omitempty"`
}

func (v goldenVector) bytes(t *testing.T) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v.B64)
	if err != nil {
		t.Fatalf("%s: %v", v.Name, err)
	}
	return b
}

// value returns the bytes of the golden value name.
func (g golden) value(t *testing.T, name string) []byte {
	t.Helper()
	for _, v := range g.Values {
		if v.Name == name {
			return v.bytes(t)
		}
	}
	t.Fatalf("no golden value %q", name)
	return nil
}

var goldenPath = filepath.Join("testdata", "golden.json")

func loadGolden(t *testing.T) golden {
	t.Helper()
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

const userObject = "O:10:\"GoldenUser\":4:{s:6:\"friend\";N;s:4:\"name\";s:3:\"Ada\";" +
	"s:8:\"\x00*\x00level\";i:3;s:16:\"\x00GoldenUser\x00tags\";a:2:{i:0;s:5:\"admin\";i:1;s:3:\"ops\";}}"

// goldenValues is what each golden value decodes to, written from what
// golden.php serializes, not from what Decode returns.
var goldenValues = map[string]any{
	"null":                      nil,
	"false":                     false,
	"true":                      true,
	"int_zero":                  int64(0),
	"int_42":                    int64(42),
	"int_negative":              int64(-7),
	"int_max":                   int64(math.MaxInt64),
	"int_min":                   int64(math.MinInt64),
	"float_zero":                0.0,
	"float_negative_zero":       math.Copysign(0, -1),
	"float_one":                 1.0,
	"float_one_and_a_half":      1.5,
	"float_negative":            -2.25,
	"float_0.1":                 0.1,
	"float_0.1+0.2":             0.30000000000000004,
	"float_one_third":           1.0 / 3,
	"float_1e25":                1e25,
	"float_1e-7":                1e-7,
	"float_0.0001":              0.0001,
	"float_0.00001":             0.00001,
	"float_1e15":                1e15,
	"float_1e16":                1e16,
	"float_1e17":                1e17,
	"float_int_max":             float64(math.MaxInt64),
	"float_2^53+2":              9007199254740994.0,
	"float_max":                 math.MaxFloat64,
	"float_min_normal":          2.2250738585072014e-308,
	"float_min_subnormal":       math.SmallestNonzeroFloat64,
	"float_epsilon":             2.220446049250313e-16,
	"float_inf":                 math.Inf(1),
	"float_negative_inf":        math.Inf(-1),
	"float_nan":                 math.NaN(),
	"string_empty":              "",
	"string_ascii":              "hello",
	"string_utf8":               "héllo wörld ✓ 日本 😀",
	"string_quotes":             `say "hi"; it's a|b {c}`,
	"string_nul":                "a\x00b\x00",
	"string_binary":             "\x00\xff\xfe\x80\"\r\n;",
	"string_digits":             "007",
	"array_empty":               list(),
	"array_list":                list(int64(1), int64(2), int64(3)),
	"array_list_mixed":          list(int64(1), "two", 3.5, true, nil),
	"array_assoc":               arr("a", int64(1), "b", "x"),
	"array_mixed_keys":          arr(5, "a", "k", "v", 0, "z"),
	"array_non_sequential":      arr(1, "a", 2, "b"),
	"array_reordered":           arr(1, "b", 0, "a"),
	"array_negative_keys":       arr(-1, "a", -5, "b"),
	"array_numeric_string_keys": arr(42, "x", "042", "y", -7, "z", "1.5", "w", "-0", "v"),
	"array_nested": arr(
		"list", list(list(int64(1), int64(2)), list(int64(3), list(int64(4), int64(5)))),
		"map", arr("x", arr("y", arr("z", nil))),
		7, list(),
	),
	"object_stdclass":         rawText(`O:8:"stdClass":2:{s:1:"a";i:1;s:4:"list";a:2:{i:0;i:1;i:1;i:2;}}`),
	"object_user":             rawText(userObject),
	"object_serialize_method": rawText(`O:11:"GoldenPoint":2:{i:0;i:3;i:1;i:4;}`),
	"enum_case":               rawText(`E:17:"GoldenSuit:Hearts";`),
	"array_of_objects":        arr("u", rawText(userObject), "e", rawText(`E:17:"GoldenSuit:Spades";`)),
	"object_shared":           list(rawText(`O:8:"stdClass":1:{s:1:"n";i:1;}`), rawText(`r:2;`)),
	"object_self_reference": rawText("O:10:\"GoldenUser\":4:{s:6:\"friend\";r:1;s:4:\"name\";s:3:\"Bob\";" +
		"s:8:\"\x00*\x00level\";i:1;s:16:\"\x00GoldenUser\x00tags\";a:0:{}}"),
	"reference_in_array": list(int64(1), int64(2), rawText(`R:2;`)),
}

// goldenSessions is what each golden session decodes to.
var goldenSessions = map[string][]Entry{
	"empty": nil,
	"simple": {
		{"user_id", int64(42)},
		{"name", "Ada"},
		{"logged_in", true},
	},
	"codeigniter": {
		{"__ci_last_regenerate", int64(1699999880)},
		{"notice", "Welcome back"},
		{"__ci_vars", arr("notice", "old", "message", "new", "otp", int64(1700000300))},
		{"user_id", int64(42)},
		{"cart", arr("items", list(arr("sku", "A-1", "qty", int64(2))), "total", 19.9)},
		{"message", "Saved"},
		{"otp", "123456"},
	},
	"codeigniter_empty_vars": {
		{"__ci_last_regenerate", int64(1699999880)},
		{"user_id", int64(42)},
		{"__ci_vars", list()},
	},
	"all_kinds": {
		{"null", nil},
		{"bool", false},
		{"int", int64(-12)},
		{"float", 0.1},
		{"float_exp", 1e25},
		{"string", `quote " pipe | semicolon ; brace }`},
		{"binary", "\x00\xff|"},
		{"list", list("a", "b")},
		{"map", arr("k", "v", 3, "three")},
		{"object", rawText(userObject)},
	},
	"odd_keys": {
		{"", "empty key"},
		{"with space", int64(1)},
		{"ключ", int64(2)},
		{"007", int64(3)},
		{"1.5", int64(4)},
		{"-0", int64(5)},
		{"!bang", int64(6)},
		{"semi;colon", int64(7)},
	},
	"references": {
		{"list", list(int64(1), int64(2))},
		{"alias", rawText("R:3;")},
		{"obj", rawText(`O:8:"stdClass":1:{s:2:"id";i:9;}`)},
		{"same_obj", rawText("r:4;")},
		{"after", "tail"},
	},
}

func TestGoldenValues(t *testing.T) {
	g := loadGolden(t)
	seen := map[string]bool{}
	for _, v := range g.Values {
		t.Run(v.Name, func(t *testing.T) {
			seen[v.Name] = true
			want, ok := goldenValues[v.Name]
			if !ok {
				t.Fatalf("golden value %q has no expected Go value", v.Name)
			}
			b := v.bytes(t)
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode(%q): %v", b, err)
			}
			if !equal(got, want) {
				t.Fatalf("Decode(%q): got %#v, want %#v", b, got, want)
			}
			// What PHP wrote comes back byte for byte.
			out, err := Encode(got)
			if err != nil {
				t.Fatalf("Encode(%#v): %v", got, err)
			}
			if !bytes.Equal(out, b) {
				t.Fatalf("Encode(Decode(b)): got %q, want %q", out, b)
			}
		})
	}
	for name := range goldenValues {
		if !seen[name] {
			t.Errorf("expected value %q has no golden vector", name)
		}
	}
}

func TestGoldenSessions(t *testing.T) {
	g := loadGolden(t)
	seen := map[string]bool{}
	for _, v := range g.Sessions {
		t.Run(v.Name, func(t *testing.T) {
			seen[v.Name] = true
			want, ok := goldenSessions[v.Name]
			if !ok {
				t.Fatalf("golden session %q has no expected entries", v.Name)
			}
			b := v.bytes(t)
			// session_encode() returns the payload the handler is given, or
			// false for an empty session, whose payload is empty.
			if len(b) == 0 {
				if string(v.SessionEncode) != "false" {
					t.Fatalf("session_encode of an empty payload: got %s, want false", v.SessionEncode)
				}
			} else {
				var enc struct{ B64 string }
				if err := json.Unmarshal(v.SessionEncode, &enc); err != nil || enc.B64 != v.B64 {
					t.Fatalf("session_encode: got %s, want the handler's payload %s", v.SessionEncode, v.B64)
				}
			}
			got, err := DecodeSession(b)
			if err != nil {
				t.Fatalf("DecodeSession(%q): %v", b, err)
			}
			if !equal(got, want) {
				t.Fatalf("DecodeSession(%q): got %#v, want %#v", b, got, want)
			}
			out, err := EncodeSession(got)
			if err != nil {
				t.Fatalf("EncodeSession: %v", err)
			}
			if !bytes.Equal(out, b) {
				t.Fatalf("EncodeSession(DecodeSession(b)): got %q, want %q", out, b)
			}
		})
	}
	for name := range goldenSessions {
		if !seen[name] {
			t.Errorf("expected session %q has no golden vector", name)
		}
	}
}

// TestGoldenEncode encodes the expected Go values, built without Decode,
// and checks that Encode writes what PHP wrote. Raw values cannot be built
// but from bytes, so vectors holding them are left to TestGoldenValues.
func TestGoldenEncode(t *testing.T) {
	g := loadGolden(t)
	for _, v := range g.Values {
		want := goldenValues[v.Name]
		if holdsRaw(want) {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			got, err := Encode(want)
			if err != nil {
				t.Fatalf("Encode(%#v): %v", want, err)
			}
			if b := v.bytes(t); !bytes.Equal(got, b) {
				t.Fatalf("Encode(%#v): got %q, want %q", want, got, b)
			}
		})
	}
	for _, v := range g.Sessions {
		want := goldenSessions[v.Name]
		if holdsRaw(want) {
			continue
		}
		t.Run("session_"+v.Name, func(t *testing.T) {
			got, err := EncodeSession(want)
			if err != nil {
				t.Fatalf("EncodeSession: %v", err)
			}
			if b := v.bytes(t); !bytes.Equal(got, b) {
				t.Fatalf("EncodeSession: got %q, want %q", got, b)
			}
		})
	}
}

func holdsRaw(v any) bool {
	switch x := v.(type) {
	case rawText, Raw:
		return true
	case []any:
		for _, e := range x {
			if holdsRaw(e) {
				return true
			}
		}
	case *Array:
		for _, e := range x.vals {
			if holdsRaw(e) {
				return true
			}
		}
	case []Entry:
		for _, e := range x {
			if holdsRaw(e.Value) {
				return true
			}
		}
	}
	return false
}
