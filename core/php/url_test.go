package php

import (
	"encoding/json"
	"testing"
)

var urlCases = []struct {
	name, plain, encoded string
}{
	{"hex id", "3f9a0c17d2b4e6f8091a2b3c4d5e6f70", "3f9a0c17d2b4e6f8091a2b3c4d5e6f70"},
	{"6-bit id", "aZ0,b-Q9,,x-", "aZ0%2Cb-Q9%2C%2Cx-"},
	{"safe punctuation", "a-b_c.d", "a-b_c.d"},
	{"space and plus", "a b+c", "a+b%2Bc"},
	{"quotes and separators", `"x";y=z\`, "%22x%22%3By%3Dz%5C"},
	{"bytes", "\x00é\xff~", "%00%C3%A9%FF%7E"},
	{"empty", "", ""},
}

func TestURLEncode(t *testing.T) {
	for _, tt := range urlCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := URLEncode(tt.plain); got != tt.encoded {
				t.Fatalf("URLEncode(%q): got %q, want %q", tt.plain, got, tt.encoded)
			}
			if got := URLDecode(tt.encoded); got != tt.plain {
				t.Fatalf("URLDecode(%q): got %q, want %q", tt.encoded, got, tt.plain)
			}
		})
	}
}

// urlDecodeOnly are inputs urldecode() reads in ways urlencode() never
// writes.
var urlDecodeOnly = []struct{ in, want string }{
	{"%2c%2C", ",,"},
	{"100%", "100%"},
	{"%zz%4", "%zz%4"},
	{"%%41", "%A"},
	{"a+%20b", "a  b"},
	{`"abc,def"`, `"abc,def"`},
}

func TestURLDecode(t *testing.T) {
	for _, tt := range urlDecodeOnly {
		if got := URLDecode(tt.in); got != tt.want {
			t.Errorf("URLDecode(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestURLLikePHP checks URLEncode and URLDecode against PHP's urlencode()
// and urldecode(), on every byte and on the cases above.
func TestURLLikePHP(t *testing.T) {
	bin := phpBinary(t)
	var inputs [][]byte
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	inputs = append(inputs, all)
	for _, tt := range urlCases {
		inputs = append(inputs, []byte(tt.plain), []byte(tt.encoded))
	}
	for _, tt := range urlDecodeOnly {
		inputs = append(inputs, []byte(tt.in))
	}
	in, _ := json.Marshal(map[string]any{"merge": [][2][]byte{}, "url": inputs})
	var res struct{ URLEncode, URLDecode [][]byte }
	if err := json.Unmarshal(runPHP(t, bin, "arrayfuncs.php", in), &res); err != nil {
		t.Fatal(err)
	}
	for i, s := range inputs {
		if got := URLEncode(string(s)); got != string(res.URLEncode[i]) {
			t.Errorf("URLEncode(%q): got %q, PHP's urlencode gives %q", s, got, res.URLEncode[i])
		}
		if got := URLDecode(string(s)); got != string(res.URLDecode[i]) {
			t.Errorf("URLDecode(%q): got %q, PHP's urldecode gives %q", s, got, res.URLDecode[i])
		}
	}
}
