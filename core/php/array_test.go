package php

import (
	"encoding/json"
	"math"
	"testing"
)

func TestArray(t *testing.T) {
	var a Array // the zero value is ready
	if a.Len() != 0 {
		t.Fatalf("zero Array: got Len %d, want 0", a.Len())
	}
	if _, ok := a.Get("x"); ok {
		t.Fatal("zero Array: Get found a key")
	}
	a.Set("name", "Ada")
	a.Set("42", "int key")
	a.SetInt(-1, "negative")
	a.Set("007", "string key")
	a.Set("name", "Grace") // in place

	want := []struct {
		key   Key
		value any
	}{
		{StringKey("name"), "Grace"},
		{IntKey(42), "int key"},
		{IntKey(-1), "negative"},
		{StringKey("007"), "string key"},
	}
	var i int
	for k, v := range a.All() {
		if i >= len(want) || k != want[i].key || v != want[i].value {
			t.Fatalf("entry %d: got %#v: %#v, want %#v", i, k, v, want[min(i, len(want)-1)])
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("got %d entries, want %d", i, len(want))
	}

	for _, tt := range []struct {
		get  func() (any, bool)
		want any
	}{
		{func() (any, bool) { return a.Get("42") }, "int key"},
		{func() (any, bool) { return a.GetInt(42) }, "int key"},
		{func() (any, bool) { return a.Get("-1") }, "negative"},
		{func() (any, bool) { return a.Get("007") }, "string key"},
		{func() (any, bool) { return a.Get("name") }, "Grace"},
	} {
		if got, ok := tt.get(); !ok || got != tt.want {
			t.Fatalf("got %v %v, want %v", got, ok, tt.want)
		}
	}
	if _, ok := a.GetInt(7); ok {
		t.Fatal(`GetInt(7) found the string key "007"`)
	}

	if !a.Delete("42") || a.Delete("42") {
		t.Fatal(`Delete("42"): want true once, then false`)
	}
	if !a.DeleteInt(-1) {
		t.Fatal("DeleteInt(-1): got false, want true")
	}
	a.Set("last", 1)
	b, err := Encode(&a)
	if err != nil {
		t.Fatal(err)
	}
	if want := `a:3:{s:4:"name";s:5:"Grace";s:3:"007";s:10:"string key";s:4:"last";i:1;}`; string(b) != want {
		t.Fatalf("after deletes: got %q, want %q", b, want)
	}
	if v, ok := a.Get("last"); !ok || v != 1 {
		t.Fatalf(`Get("last") after deletes: got %v %v, want 1`, v, ok)
	}
}

func TestArrayIterationStops(t *testing.T) {
	a := arr(0, "a", 1, "b", 5, "c")
	var n int
	for range a.All() {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("got %d iterations, want 1", n)
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		k     Key
		isInt bool
		i     int64
		s     string
	}{
		{IntKey(0), true, 0, "0"},
		{Key{}, true, 0, "0"},
		{IntKey(-7), true, -7, "-7"},
		{StringKey("42"), true, 42, "42"},
		{StringKey("042"), false, 0, "042"},
		{StringKey(""), false, 0, ""},
		{StringKey("a"), false, 0, "a"},
	}
	for _, tt := range tests {
		if tt.k.IsInt() != tt.isInt || tt.k.Int() != tt.i || tt.k.String() != tt.s {
			t.Errorf("%#v: got IsInt %v Int %d String %q, want %v %d %q",
				tt.k, tt.k.IsInt(), tt.k.Int(), tt.k.String(), tt.isInt, tt.i, tt.s)
		}
	}
}

func TestIntegerKey(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"-7", -7, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"007", 0, false},
		{"00", 0, false},
		{"-0", 0, false},
		{"-01", 0, false},
		{"+1", 0, false},
		{"1.5", 0, false},
		{"1e3", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"0x1", 0, false},
		{"١", 0, false}, // an Arabic-Indic digit
		{"123456789012345678901", 0, false},
	}
	for _, tt := range tests {
		got, ok := IntegerKey(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("IntegerKey(%q): got %d %v, want %d %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestArrayJSON(t *testing.T) {
	a := arr("name", "Ada", "tags", list("x", "y"), 7, arr("k", nil), "obj", rawText("x"), "f", 1.5, "html", "<&>")
	// rawText is a test type: put a real Raw in its place.
	r, err := ParseRaw([]byte(`O:8:"stdClass":0:{}`))
	if err != nil {
		t.Fatal(err)
	}
	a.Set("obj", r)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"Ada","tags":["x","y"],"7":{"k":null},"obj":"O:8:\"stdClass\":0:{}","f":1.5,"html":"\u003c\u0026\u003e"}`
	if string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	var user struct {
		Name  string            `json:"name"`
		Tags  []string          `json:"tags"`
		Seven map[string]string `json:"7"`
		F     float64           `json:"f"`
	}
	if err := json.Unmarshal(b, &user); err != nil {
		t.Fatal(err)
	}
	if user.Name != "Ada" || len(user.Tags) != 2 || user.Tags[1] != "y" || user.F != 1.5 {
		t.Fatalf("decoded into a struct: got %+v", user)
	}
	ints, err := json.Marshal(arr(3, "c", 1, "a"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[int]string
	if err := json.Unmarshal(ints, &m); err != nil || m[3] != "c" || m[1] != "a" {
		t.Fatalf("int keys into map[int]string: got %v %v from %s", m, err, ints)
	}
	if b, err := json.Marshal(&Array{}); err != nil || string(b) != "{}" {
		t.Fatalf("empty array: got %s %v, want {}", b, err)
	}
	if _, err := json.Marshal(arr("nan", math.NaN())); err == nil {
		t.Fatal("NaN: got no error, want one from encoding/json")
	}
}
