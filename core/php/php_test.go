package php

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ignitego/session/internal/testkit/testenv"
)

// The tests in this file run PHP itself. They need SESSION_TEST_PHP to name
// a php-cli binary, 8.2 or later (on Debian: apt-get install php-cli, then
// SESSION_TEST_PHP=php); unset, they skip, and a binary that fails to run
// fails them.
func phpBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("SESSION_TEST_PHP")
	if bin == "" {
		testenv.Missing(t, "SESSION_TEST_PHP", "the checks against PHP itself (set it to a php-cli binary, 8.2 or later)")
	}
	return bin
}

// runPHP runs testdata/script with stdin and returns its output. Anything
// on stderr fails the test: the scripts must run without warnings.
func runPHP(t *testing.T, bin, script string, stdin []byte) []byte {
	t.Helper()
	cmd := exec.Command(bin, "-d", "display_errors=stderr", filepath.Join("testdata", script))
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, script, err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Fatalf("%s %s wrote to stderr:\n%s", bin, script, stderr.Bytes())
	}
	return out
}

// TestPHPGolden checks that golden.php still prints testdata/golden.json.
func TestPHPGolden(t *testing.T) {
	bin := phpBinary(t)
	got := runPHP(t, bin, "golden.php", nil)
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("golden.php output differs from %s; got:\n%s", goldenPath, got)
	}
}

type phpResult struct {
	OK     bool     `json:"ok"`
	Out    []byte   `json:"out"`
	Float  string   `json:"float"`
	Errors []string `json:"errors"`
}

// phpRoundTrip has PHP unserialize() and serialize() each value, and
// session_decode() and session_encode() each session payload.
func phpRoundTrip(t *testing.T, bin string, values, sessions [][]byte) (vals, sess []phpResult) {
	t.Helper()
	in, err := json.Marshal(map[string][][]byte{"values": values, "sessions": sessions})
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Values, Sessions []phpResult }
	out := runPHP(t, bin, "roundtrip.php", in)
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("roundtrip.php: %v\n%s", err, out)
	}
	if len(res.Values) != len(values) || len(res.Sessions) != len(sessions) {
		t.Fatalf("roundtrip.php: got %d values and %d sessions, want %d and %d",
			len(res.Values), len(res.Sessions), len(values), len(sessions))
	}
	return res.Values, res.Sessions
}

// goToPHPValues are values Go encodes for PHP to read back, beyond the
// golden ones: every Go type Encode takes.
func goToPHPValues(t *testing.T) map[string]any {
	moment := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.FixedZone("", -7*3600))
	m := map[string]any{
		"int8":            int8(-128),
		"int16":           int16(32767),
		"int32":           int32(-2147483648),
		"int":             -1,
		"uint":            uint(7),
		"uint8":           uint8(255),
		"uint16":          uint16(65535),
		"uint32":          uint32(4294967295),
		"uint64_max_int":  uint64(math.MaxInt64),
		"uintptr":         uintptr(12),
		"float32":         float32(0.1),
		"float32_inf":     float32(math.Inf(-1)),
		"bytes":           []byte("\x00bin|ary\xff"),
		"strings":         []string{"a", "", "c"},
		"strings_nil":     []string(nil),
		"slice_nil":       []any(nil),
		"map_nil":         map[string]any(nil),
		"time":            moment,
		"time_utc":        moment.UTC().Truncate(time.Second),
		"duration":        90 * time.Minute,
		"map_int_keys":    map[string]any{"10": "ten", "2": "two", "-3": "minus", "007": "bond", "x": nil},
		"map_list_keys":   map[string]any{"0": "a", "1": "b"},
		"nested":          map[string]any{"a": []any{map[string]any{"b": []string{"c"}}, arr(3, "x", "y", list())}},
		"array_int_key_0": arr(0, "zero", "one", 1),
		"nil_array":       (*Array)(nil),
		"long_string":     strings.Repeat("é|;\"}", 2000),
	}
	raw, err := ParseRaw([]byte(`a:2:{i:0;O:8:"stdClass":0:{}i:1;r:2;}`))
	if err != nil {
		t.Fatal(err)
	}
	m["parsed_raw"] = raw
	return m
}

// floatSweep returns floats that exercise PHP's float formatting: random
// bit patterns, powers of ten, the edges of plain notation, short decimals
// and integers around 2^53.
func floatSweep() []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	var fs []float64
	for range 1500 {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) {
			fs = append(fs, f)
		}
	}
	for k := -325; k <= 308; k++ {
		p := math.Pow(10, float64(k))
		fs = append(fs, p, -p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)))
	}
	for _, edge := range []float64{1e-5, 1e-4, 1e15, 1e16, 1e17, 1e18} {
		for i := range 4 {
			fs = append(fs, edge*float64(i+1), math.Nextafter(edge, 0), math.Nextafter(edge, 2*edge))
		}
	}
	for range 1000 {
		fs = append(fs, float64(r.Int64N(2_000_000_001)-1_000_000_000)/math.Pow(10, float64(r.IntN(12))))
	}
	for d := int64(-3); d <= 3; d++ {
		fs = append(fs, float64(1<<53+d), float64(-(1<<53)+d))
	}
	return fs
}

// TestPHPReadsGo has PHP read what Go writes and write it again: the bytes
// must not change. This holds for every value here, because they are all in
// the form PHP writes; TestPHPDecodeAgrees covers input that PHP rewrites.
func TestPHPReadsGo(t *testing.T) {
	bin := phpBinary(t)
	g := loadGolden(t)

	type vcase struct {
		name string
		b    []byte
		f    *float64
	}
	var vcases []vcase
	add := func(name string, v any) {
		b, err := Encode(v)
		if err != nil {
			t.Fatalf("%s: Encode(%#v): %v", name, v, err)
		}
		vc := vcase{name: name, b: b}
		if f, ok := v.(float64); ok {
			vc.f = &f
		}
		vcases = append(vcases, vc)
	}
	for _, v := range g.Values {
		// Raw values exist only decoded; the rest are encoded as built.
		want := goldenValues[v.Name]
		if holdsRaw(want) {
			d, err := Decode(v.bytes(t))
			if err != nil {
				t.Fatal(err)
			}
			want = d
		}
		add("golden/"+v.Name, want)
	}
	for name, v := range goToPHPValues(t) {
		add(name, v)
	}
	for i, f := range floatSweep() {
		add("float/"+strconv.Itoa(i), f)
	}

	type scase struct {
		name string
		b    []byte
	}
	var scases []scase
	addSession := func(name string, entries []Entry) {
		b, err := EncodeSession(entries)
		if err != nil {
			t.Fatalf("%s: EncodeSession: %v", name, err)
		}
		scases = append(scases, scase{name, b})
	}
	for _, v := range g.Sessions {
		d, err := DecodeSession(v.bytes(t))
		if err != nil {
			t.Fatal(err)
		}
		addSession("golden/"+v.Name, d)
	}
	values := goToPHPValues(t)
	var all []Entry
	for _, k := range []string{"int8", "uint64_max_int", "float32", "bytes", "strings", "time", "duration", "map_int_keys", "nested", "parsed_raw"} {
		all = append(all, Entry{Key: k, Value: values[k]})
	}
	addSession("go_kinds", all)
	addSession("codeigniter_from_go", []Entry{
		{"__ci_last_regenerate", time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC).Unix()},
		{"flash", "Saved"},
		{"__ci_vars", map[string]any{"flash": "new", "temp": int64(1700000300)}},
		{"temp", []any{"x", 1.5}},
	})
	// An object whose reference points inside itself, decoded alone, then
	// written after other values: Encode renumbers the reference, and PHP
	// must read it as the same object.
	self, err := Decode(g.value(t, "object_self_reference"))
	if err != nil {
		t.Fatal(err)
	}
	add("moved_self_reference", []any{int64(1), "x", self})
	addSession("moved_self_reference", []Entry{{"list", []any{1, 2}}, {"user", self}})
	// The object is in the form PHP writes for $o->me = $o; $o->m = &$o->n.
	moved := decodeSession(t, `a|a:1:{i:0;i:1;}u|O:1:"A":3:{s:2:"me";r:3;s:1:"n";i:1;s:1:"m";R:5;}`)
	addSession("self_reference_moved_back", moved[1:])
	addSession("odd_keys_from_go", []Entry{{"", 1}, {"-0", 2}, {"007", 3}, {" 1", 4}, {"1 ", 5}, {"+1", 6}, {"9223372036854775808", 7}, {"é", 8}})

	var vin, sin [][]byte
	for _, c := range vcases {
		vin = append(vin, c.b)
	}
	for _, c := range scases {
		sin = append(sin, c.b)
	}
	vres, sres := phpRoundTrip(t, bin, vin, sin)

	for i, c := range vcases {
		r := vres[i]
		if !r.OK || len(r.Errors) > 0 {
			t.Errorf("%s: PHP refused %q: %v", c.name, c.b, r.Errors)
			continue
		}
		if !bytes.Equal(r.Out, c.b) {
			t.Errorf("%s: PHP re-serialized %q: got %q, want the same bytes", c.name, c.b, r.Out)
		}
		if c.f != nil {
			var want [8]byte
			binary.BigEndian.PutUint64(want[:], math.Float64bits(*c.f)) // pack("E")
			if math.IsNaN(*c.f) {
				continue // PHP's NAN need not carry Go's payload bits
			}
			if r.Float != hex.EncodeToString(want[:]) {
				t.Errorf("%s: PHP read %q as float bits %s, want %x", c.name, c.b, r.Float, want)
			}
		}
	}
	for i, c := range scases {
		r := sres[i]
		if !r.OK || len(r.Errors) > 0 {
			t.Errorf("%s: PHP refused session %q: %v", c.name, c.b, r.Errors)
			continue
		}
		if !bytes.Equal(r.Out, c.b) {
			t.Errorf("%s: PHP re-encoded session %q: got %q, want the same bytes", c.name, c.b, r.Out)
		}
	}
	t.Logf("PHP read back %d values and %d sessions", len(vcases), len(scases))
}

// decodeCases are inputs, most of them in forms PHP never writes, on which
// Decode must agree with unserialize(): both refuse, or both accept and
// Encode writes what PHP's serialize() writes after reading it. differs,
// when set, says how and why Go differs, and the test checks that it does.
var decodeCases = []struct {
	in      string
	differs string
}{
	{in: "b:2;"}, {in: "b:01;"}, {in: "b:-1;"},
	{in: "i:+5;"}, {in: "i:007;"}, {in: "i:-0;"}, {in: "i: 1;"}, {in: "i:;"}, {in: "i:-;"}, {in: "i:1"},
	{in: "i:9223372036854775808;", differs: "PHP clamps to PHP_INT_MAX with a warning; Go refuses"},
	{in: "i:-9223372036854775809;", differs: "PHP clamps to PHP_INT_MIN with a warning; Go refuses"},
	{in: "i:-9223372036854775808;"},
	{in: "d:1.;"}, {in: "d:.5;"}, {in: "d:-.5;"}, {in: "d:-5.;"}, {in: "d:1e5;"}, {in: "d:1E+5;"}, {in: "d:1e-5;"},
	{in: "d:+1;"}, {in: "d:+INF;"}, {in: "d:inf;"}, {in: "d:NaN;"}, {in: "d:-NAN;"}, {in: "d:1E+;"}, {in: "d:1e;"},
	{in: "d:0x10;"}, {in: "d:1_0;"}, {in: "d:.;"}, {in: "d:;"}, {in: "d:e5;"}, {in: "d:-;"},
	{in: "d:1e400;"}, {in: "d:-1e400;"}, {in: "d:1e-400;"}, {in: "d:0.10000000000000001;"},
	{in: "d:123456789012345678901234567890;"}, {in: "d:00001.5000;"},
	{in: `s:01:"a";`}, {in: `s:1:"a"`}, {in: `s:-1:"";`}, {in: `s:2:"a";`}, {in: `s:0:"";`}, {in: `s:1:"a';`},
	{in: `S:3:"\61bc";`}, {in: `S:1:"\6";`}, {in: `S:1:"\zz";`},
	{in: `a:1:{s:2:"42";i:1;}`}, {in: `a:1:{s:3:"042";i:1;}`}, {in: `a:1:{s:2:"-0";i:1;}`},
	{in: `a:2:{i:0;i:1;i:0;i:2;}`, differs: "PHP keeps the later of two equal keys; Go refuses, since dropping a value would shift reference numbers"},
	{in: `a:1:{d:1;i:1;}`}, {in: `a:1:{b:1;i:1;}`}, {in: `a:1:{N;i:1;}`}, {in: `a:-1:{}`}, {in: `a:01:{i:0;i:1;}`},
	{in: `a:+1:{i:0;i:1;}`}, {in: `a:2:{i:0;i:1;}`}, {in: `a:0:{}`}, {in: `a:1:{i:0;a:0:{}}`},
	{in: `a:0:{}junk`, differs: "unserialize() of PHP 8.2 ignores trailing bytes; Decode refuses them"},
	{in: `i:1;junk`, differs: "unserialize() of PHP 8.2 ignores trailing bytes; Decode refuses them"},
	{in: `N;N;`, differs: "unserialize() of PHP 8.2 ignores trailing bytes; Decode refuses them"},
	{in: `a:2:{i:0;i:1;i:1;r:2;}`}, {in: `a:2:{i:0;i:1;i:1;R:2;}`}, {in: `a:2:{i:0;i:1;i:1;R:3;}`},
	{in: `a:1:{i:0;R:1;}`, differs: "PHP rewrites a reference to the array being read as N;; Go keeps the bytes"},
	{in: `a:1:{i:0;r:1;}`}, {in: `r:1;`}, {in: `R:1;`}, {in: `r:0;`},
	{in: `a:2:{i:0;O:8:"stdClass":0:{}i:1;r:2;}`}, {in: `a:2:{i:0;O:8:"stdClass":0:{}i:1;r:1;}`},
	{in: `a:3:{i:0;O:8:"stdClass":0:{}i:1;r:2;i:2;r:3;}`, differs: "PHP writes r:2; for a reference to a reference; Go keeps the bytes"},
	{in: `a:2:{i:0;O:8:"stdClass":0:{}i:1;R:2;}`},
	{in: `O:8:"stdClass":1:{s:1:"a";r:1;}`},
	{in: `O:8:"stdClass":1:{s:1:"a";R:1;}`, differs: "PHP writes r:1; for an R: to the object being read; Go keeps the bytes"},
	{in: `O:8:"stdClass":0:{}`}, {in: `O:0:"":0:{}`}, {in: `O:3:"a-b":0:{}`}, {in: `O:4:"\abc":0:{}`},
	{in: `O:5:"1abcd":0:{}`}, {in: `O:4:"A\bc":0:{}`}, {in: `O:8:"stdClass":-1:{}`}, {in: `O:8:"stdClass":1:{N;i:1;}`},
	{in: `O:8:"stdclass":0:{}`, differs: "PHP writes the class name as declared (stdClass); Go keeps the bytes"},
	{in: `O:8:"stdClass":1:{i:0;i:1;}`, differs: `PHP writes an int property name as a string (s:1:"0"); Go keeps the bytes`},
	{in: `E:17:"GoldenSuit:Hearts";`}, {in: `E:10:"GoldenSuit";`}, {in: `E:11:"GoldenSuit:";`},
	{in: `C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}`, differs: "PHP reads the legacy ArrayObject format and writes its current O: form; Go keeps the bytes"},
	{in: `O:10:"GoldenUser":4:{s:6:"friend";r:1;s:4:"name";s:3:"Bob";s:8:"` + "\x00*\x00" + `level";i:1;s:16:"` + "\x00GoldenUser\x00" + `tags";a:0:{}}`},
}

// sessionDecodeCases are session payloads on which DecodeSession must
// agree with session_decode(), as decodeCases.
var sessionDecodeCases = []struct {
	in      string
	differs string
}{
	{in: ""}, {in: "a|i:1;"}, {in: "a|i:1;junk"}, {in: "a|i:1;b|junk"}, {in: "!a|i:1;"}, {in: "|N;"}, {in: "a|"},
	{in: "a|i:1;b|"}, {in: "a|i:1;x"}, {in: "a\x00b|i:1;"}, {in: "a|i:1;|i:2;"},
	{in: "a|i:1;a|i:2;", differs: "PHP keeps the later value of a key written twice; DecodeSession returns both entries"},
	{in: "42|i:1;", differs: "PHP reads an integer-like key; EncodeSession refuses it, since a PHP script cannot reach it"},
	{in: "a|i:1;b|R:1;"}, {in: "a|i:1;b|R:2;"}, {in: "a|i:1;b|r:1;"},
	{in: `a|O:8:"stdClass":0:{}b|r:1;`}, {in: `a|a:1:{i:0;i:1;}b|R:2;c|R:3;`},
}

// TestPHPDecodeAgrees checks Decode and DecodeSession against unserialize()
// and session_decode() on decodeCases and sessionDecodeCases.
func TestPHPDecodeAgrees(t *testing.T) {
	bin := phpBinary(t)
	var vin, sin [][]byte
	for _, c := range decodeCases {
		vin = append(vin, []byte(c.in))
	}
	for _, c := range sessionDecodeCases {
		sin = append(sin, []byte(c.in))
	}
	vres, sres := phpRoundTrip(t, bin, vin, sin)

	for i, c := range decodeCases {
		php := vres[i]
		var goOut []byte
		v, err := Decode([]byte(c.in))
		if err == nil {
			goOut, err = Encode(v)
		}
		check(t, c.in, c.differs, php, goOut, err)
	}
	for i, c := range sessionDecodeCases {
		php := sres[i]
		var goOut []byte
		entries, err := DecodeSession([]byte(c.in))
		if err == nil {
			goOut, err = EncodeSession(entries)
		}
		check(t, "session "+c.in, c.differs, php, goOut, err)
	}
}

// check compares what Go made of an input with what PHP did: the same
// outcome and bytes, unless differs documents a difference, which must then
// be there.
func check(t *testing.T, in, differs string, php phpResult, goOut []byte, goErr error) {
	t.Helper()
	phpOut := "refused"
	if php.OK {
		phpOut = string(php.Out)
	}
	gotOut := "refused"
	if goErr == nil {
		gotOut = string(goOut)
	}
	same := phpOut == gotOut
	switch {
	case differs == "" && !same:
		t.Errorf("%q: Go got %q (%v), PHP got %q %v", in, gotOut, goErr, phpOut, php.Errors)
	case differs != "" && same:
		t.Errorf("%q: Go and PHP both got %q, want the documented difference: %s", in, gotOut, differs)
	case differs != "":
		t.Logf("%q: Go %q, PHP %q: %s", in, gotOut, phpOut, differs)
	}
}

// TestPHPFormatsFloats has PHP format floats it builds from their bits,
// so that Go formats none of them first: Decode must read each back to the
// same bits, and Encode must write PHP's bytes.
func TestPHPFormatsFloats(t *testing.T) {
	bin := phpBinary(t)
	fs := floatSweep()
	var bits []string
	for _, f := range fs {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
		bits = append(bits, hex.EncodeToString(b[:]))
	}
	in, err := json.Marshal(map[string][]string{"floats": bits})
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Floats [][]byte }
	out := runPHP(t, bin, "floats.php", in)
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("floats.php: %v\n%s", err, out)
	}
	if len(res.Floats) != len(fs) {
		t.Fatalf("floats.php: got %d floats, want %d", len(res.Floats), len(fs))
	}
	for i, f := range fs {
		b := res.Floats[i]
		v, err := Decode(b)
		if err != nil {
			t.Errorf("Decode(%q): %v", b, err)
			continue
		}
		if g, ok := v.(float64); !ok || math.Float64bits(g) != math.Float64bits(f) {
			t.Errorf("Decode(%q): got %#v, want %v (bits %x)", b, v, f, math.Float64bits(f))
		}
		if e, _ := Encode(f); !bytes.Equal(e, b) {
			t.Errorf("Encode(%v): got %q, want PHP's %q", f, e, b)
		}
	}
	t.Logf("PHP formatted %d floats", len(fs))
}
