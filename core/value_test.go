package core

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type point struct {
	X, Y int
}

// codecValues is one value of every kind the codec knows natively.
func codecValues() map[string]any {
	return map[string]any{
		"nil": nil, "true": true, "false": false,
		"string": "héllo", "empty string": "", "binary string": "\x00\xff\xc3\x28",
		"bytes": []byte{0, 1, 255}, "empty bytes": []byte{},
		"int": math.MinInt, "int8": int8(math.MinInt8), "int16": int16(math.MaxInt16), "int32": int32(math.MinInt32), "int64": int64(math.MaxInt64),
		"uint": uint(math.MaxUint), "uint8": uint8(200), "uint16": uint16(math.MaxUint16), "uint32": uint32(math.MaxUint32), "uint64": uint64(math.MaxUint64),
		"uintptr": uintptr(12345), "float32": float32(-0.25), "float64": 1e300, "inf": math.Inf(1),
		"complex64": complex64(1 + 2i), "complex128": complex(math.Pi, -1),
		"time":     time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC),
		"duration": -3 * time.Second,
		"strings":  []string{"a", "", "ünï"}, "empty strings": []string{},
		"slice": []any{1, "two", 3.0, nil, []any{}, map[string]any{}},
		"map":   map[string]any{"z": 1, "a": map[string]any{"deep": []string{"x"}}},
	}
}

func TestValueRoundTrip(t *testing.T) {
	for name, v := range codecValues() {
		t.Run(name, func(t *testing.T) {
			b, err := appendValue(nil, v, 0)
			require.NoError(t, err)
			got, err := decodeValue(b)
			require.NoError(t, err)
			require.Equal(t, reflect.TypeOf(v), reflect.TypeOf(got), "type")
			if tv, ok := v.(time.Time); ok {
				require.True(t, tv.Equal(got.(time.Time)), "got %v, want %v", got, v)
				return
			}
			require.Equal(t, v, got)
		})
	}
}

func TestValueNaNRoundTrip(t *testing.T) {
	b, err := appendValue(nil, math.NaN(), 0)
	require.NoError(t, err)
	got, err := decodeValue(b)
	require.NoError(t, err)
	require.True(t, math.IsNaN(got.(float64)))
}

func TestMapEncodingIsDeterministic(t *testing.T) {
	m := map[string]any{}
	for _, k := range strings.Split("q w e r t y u i o p a s d f g h j k l", " ") {
		m[k] = k
	}
	first, err := appendValue(nil, m, 0)
	require.NoError(t, err)
	for range 20 {
		again, err := appendValue(nil, m, 0)
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
}

func TestJSONFallback(t *testing.T) {
	b, err := appendValue(nil, point{X: 1, Y: -2}, 0)
	require.NoError(t, err)
	require.Equal(t, tagJSON, b[0])
	v, err := decodeValue(b)
	require.NoError(t, err)
	require.IsType(t, jsonValue(nil), v, "a top-level JSON value stays bytes for Get[T]")
	require.Equal(t, map[string]any{"X": int64(1), "Y": int64(-2)}, publicValue(v))

	nested, err := appendValue(nil, []any{point{X: 3}, map[string]any{"p": point{Y: 4}}, 1.5}, 0)
	require.NoError(t, err)
	v, err = decodeValue(nested)
	require.NoError(t, err)
	require.Equal(t, []any{map[string]any{"X": int64(3), "Y": int64(0)}, map[string]any{"p": map[string]any{"X": int64(0), "Y": int64(4)}}, 1.5}, v)

	// A JSON value re-encodes as the same JSON, not as a byte string.
	again, err := appendValue(nil, jsonValue(`{"X":1}`), 0)
	require.NoError(t, err)
	require.Equal(t, tagJSON, again[0])
}

func TestJSONNumbers(t *testing.T) {
	got := jsonValue(`{"i": 9007199254740993, "f": 1.5, "big": 1e300, "neg": -7}`).generic()
	require.Equal(t, map[string]any{"i": int64(9007199254740993), "f": 1.5, "big": 1e300, "neg": int64(-7)}, got)
	require.Nil(t, jsonValue(`{broken`).generic())
}

func TestEncodeErrors(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	cases := map[string]any{
		"func":            func() {},
		"chan":            make(chan int),
		"cyclic map":      cyclic,
		"nested func":     []any{1, map[string]any{"f": func() {}}},
		"NaN in struct":   struct{ F float64 }{math.NaN()},
		"unsupported ptr": &struct{ C chan int }{},
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := appendValue(nil, v, 0)
			require.Error(t, err)
		})
	}
}

func TestValueDecodeRejects(t *testing.T) {
	deep := bytes.Repeat([]byte{tagSlice, 1}, maxDepth+2)
	deep = append(deep, tagNil)
	cases := map[string][]byte{
		"empty":            {},
		"unknown tag":      {0xee},
		"truncated string": {tagString, 10, 'a'},
		"lying length":     append([]byte{tagBytes}, binary.AppendUvarint(nil, math.MaxUint64)...),
		"huge count":       append([]byte{tagSlice}, binary.AppendUvarint(nil, 1<<40)...),
		"int8 overflow":    binary.AppendVarint([]byte{tagInt8}, 300),
		"uint16 overflow":  binary.AppendUvarint([]byte{tagUint16}, 70000),
		"short float":      {tagFloat64, 1, 2, 3},
		"bad varint":       {tagInt, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"trailing bytes":   {tagTrue, 0},
		"bad time":         {tagTime, 2, 9, 9},
		"too deep":         deep,
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := decodeValue(b)
			require.Error(t, err)
			require.True(t, errors.Is(err, errCorrupt), "got %v, want errCorrupt", err)
		})
	}
}

func FuzzDecodeValue(f *testing.F) {
	for _, v := range codecValues() {
		b, err := appendValue(nil, v, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeValue(data)
		if err != nil {
			return
		}
		// What decodes re-encodes, and from then on the encoding is stable.
		again, err := appendValue(nil, v, 0)
		if err != nil {
			t.Fatalf("decoded %#v does not re-encode: %v", v, err)
		}
		v2, err := decodeValue(again)
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		third, err := appendValue(nil, v2, 0)
		if err != nil || !bytes.Equal(again, third) {
			t.Fatalf("encoding is not stable: %x then %x (%v)", again, third, err)
		}
	})
}
