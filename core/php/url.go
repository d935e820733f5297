package php

import "strings"

// URLEncode returns s as PHP's urlencode() writes it: ASCII letters,
// digits and "-_." as they are, a space as "+", every other byte as %XX
// with uppercase hex digits. PHP sends its session cookie's value so
// (setcookie() and the session module both encode it), which matters for
// ids with session.sid_bits_per_character = 6, whose ',' goes out as
// "%2C".
func URLEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !urlSafe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case urlSafe(c):
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// URLDecode returns s as PHP's urldecode() reads it, which is how PHP
// fills $_COOKIE: "+" is a space, '%' followed by two hex digits (of
// either case) is that byte, and anything else, a '%' without two hex
// digits after it included, stays as it is.
func URLDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	in := []byte(s)
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		if in[i] == '+' {
			out = append(out, ' ')
			continue
		}
		if in[i] == '%' {
			hi, ok1 := unhex(in, i+1)
			lo, ok2 := unhex(in, i+2)
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, in[i])
	}
	return string(out)
}

func urlSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}
