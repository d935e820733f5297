package php

import (
	"encoding/json"
	"testing"
)

// mergeCases are array_merge calls, with what PHP returns.
var mergeCases = []struct {
	name     string
	dst, src any
	want     any
}{
	{"a key added at the end, order and types kept",
		arr("id", int64(42), "big", int64(9007199254740993), "price", 1.5, "tags", list(int64(1), int64(2))),
		map[string]any{"coupon": "X"},
		arr("id", int64(42), "big", int64(9007199254740993), "price", 1.5, "tags", list(int64(1), int64(2)), "coupon", "X")},
	{"a string key replaced in its place",
		arr("a", int64(1), "b", int64(2), "c", int64(3)),
		arr("b", "two", "d", int64(4)),
		arr("a", int64(1), "b", "two", "c", int64(3), "d", int64(4))},
	{"lists appended", list("x", "y"), []string{"z"}, list("x", "y", "z")},
	{"int keys renumbered",
		arr(5, "five", "k", "v", 9, "nine"),
		arr(7, "seven"),
		arr(0, "five", "k", "v", 1, "nine", 2, "seven")},
	{"int keys only become a list", arr(3, "a", 1, "b"), list("c"), list("a", "b", "c")},
	{"map keys in sorted order, integer-like ones renumbered",
		list("l"),
		map[string]any{"z": int64(1), "a": int64(2), "42": "int"},
		arr(0, "l", 1, "int", "a", int64(2), "z", int64(1))},
	{"empty arrays", list(), map[string]any{}, list()},
	{"an Array value", *arr("k", int64(1)), list(int64(2)), arr("k", int64(1), 0, int64(2))},
}

func TestMerge(t *testing.T) {
	for _, tt := range mergeCases {
		t.Run(tt.name, func(t *testing.T) {
			dstBefore, _ := Encode(tt.dst)
			got, ok := Merge(tt.dst, tt.src)
			if !ok {
				t.Fatalf("Merge: got not ok, want %#v", tt.want)
			}
			if !equal(got, tt.want) {
				t.Fatalf("Merge: got %#v, want %#v", got, tt.want)
			}
			if after, _ := Encode(tt.dst); string(after) != string(dstBefore) {
				t.Fatalf("Merge changed dst: got %s, want %s", after, dstBefore)
			}
		})
	}
}

func TestMergeNotArrays(t *testing.T) {
	for _, tt := range []struct {
		name     string
		dst, src any
	}{
		{"int into", int64(1), list()},
		{"string into", "s", map[string]any{}},
		{"nil into", nil, list()},
		{"into a nil *Array (null)", (*Array)(nil), map[string]any{"k": true}},
		{"merge an int", list(), int64(1)},
		{"merge a string", arr("k", 1), "s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := Merge(tt.dst, tt.src); ok {
				t.Fatalf("Merge: got %#v, true; want false", got)
			}
		})
	}
}

func TestArrayMap(t *testing.T) {
	a := arr("id", int64(42), 7, "seven", "nested", arr("x", 1.5, "list", list(arr("y", int64(9007199254740993)))))
	got := a.Map()
	want := map[string]any{
		"id": int64(42), "7": "seven",
		"nested": map[string]any{"x": 1.5, "list": []any{map[string]any{"y": int64(9007199254740993)}}},
	}
	if !equal(got, want) {
		t.Fatalf("Map: got %#v, want %#v", got, want)
	}
	if (*Array)(nil).Map() != nil {
		t.Fatal("Map of a nil *Array: got a map, want nil")
	}
}

// TestMergeLikePHP checks Merge against PHP's array_merge.
func TestMergeLikePHP(t *testing.T) {
	bin := phpBinary(t)
	var pairs [][2][]byte
	for _, tt := range mergeCases {
		d, err := Encode(tt.dst)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Encode(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, [2][]byte{d, s})
	}
	in, _ := json.Marshal(map[string]any{"merge": pairs, "url": [][]byte{}})
	var res struct{ Merge [][]byte }
	if err := json.Unmarshal(runPHP(t, bin, "arrayfuncs.php", in), &res); err != nil {
		t.Fatal(err)
	}
	for i, tt := range mergeCases {
		got, _ := Merge(tt.dst, tt.src)
		b, err := Encode(got)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != string(res.Merge[i]) {
			t.Errorf("%s: got %s, PHP's array_merge gives %s", tt.name, b, res.Merge[i])
		}
	}
}
