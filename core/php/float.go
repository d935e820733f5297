package php

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// float decodes what follows "d:": NAN, INF or -INF, or a decimal number in
// the grammar unserialize() accepts, then ';':
//
//	[+-]? ( [0-9]+ | [0-9]* "." [0-9]+ | [0-9]+ "." [0-9]* ) ( [eE] [+-]? [0-9]+ )?
//
// A number beyond float64's range decodes to an infinity, and one too
// small to zero, as in PHP.
func (d *decoder) float() (float64, error) {
	start := d.off
	rest := d.b[d.off:]
	for _, sp := range [...]struct {
		s string
		v float64
	}{{"NAN;", math.NaN()}, {"INF;", math.Inf(1)}, {"-INF;", math.Inf(-1)}} {
		if bytes.HasPrefix(rest, []byte(sp.s)) {
			d.off += len(sp.s)
			return sp.v, nil
		}
	}
	i := 0
	if i < len(rest) && (rest[i] == '+' || rest[i] == '-') {
		i++
	}
	n := countDigits(rest[i:])
	i += n
	if i < len(rest) && rest[i] == '.' {
		i++
		f := countDigits(rest[i:])
		i += f
		n += f
	}
	if n == 0 {
		return 0, d.errorf(start, "want a float")
	}
	if i < len(rest) && (rest[i] == 'e' || rest[i] == 'E') {
		i++
		if i < len(rest) && (rest[i] == '+' || rest[i] == '-') {
			i++
		}
		e := countDigits(rest[i:])
		if e == 0 {
			return 0, d.errorf(start+i, "want the exponent's digits")
		}
		i += e
	}
	f, err := strconv.ParseFloat(string(rest[:i]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, d.errorf(start, "bad float %.40q", rest[:i])
	}
	d.off += i
	return f, d.expect(";")
}

func countDigits(b []byte) int {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n
}

// appendFloat appends f as serialize() writes a float with PHP's default
// serialize_precision of -1: the shortest decimal that reads back as f,
// in plain notation when its decimal exponent is from -4 to 16 and in
// scientific notation otherwise ("1.0E+25", "1.0E-5"); "-0", "INF",
// "-INF" and "NAN" for the special values.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NAN"...)
	case math.IsInf(f, 1):
		return append(b, "INF"...)
	case math.IsInf(f, -1):
		return append(b, "-INF"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0"...)
		}
		return append(b, '0')
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	// The shortest digits d.ddd and exponent, as zend_dtoa's mode 0 gives
	// them; decpt is where the decimal point goes after the first digit.
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	x := bytes.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(string(s[x+1:]))
	digits := s[:x]
	if len(digits) > 1 {
		digits = append(digits[:1:1], digits[2:]...)
	}
	decpt := exp + 1
	switch {
	case decpt < -3 || decpt > 17:
		b = append(b, digits[0], '.')
		if len(digits) == 1 {
			b = append(b, '0')
		} else {
			b = append(b, digits[1:]...)
		}
		b = append(b, 'E')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	case decpt <= 0:
		b = append(b, "0."...)
		for range -decpt {
			b = append(b, '0')
		}
		return append(b, digits...)
	case len(digits) <= decpt:
		b = append(b, digits...)
		for range decpt - len(digits) {
			b = append(b, '0')
		}
		return b
	default:
		b = append(b, digits[:decpt]...)
		b = append(b, '.')
		return append(b, digits[decpt:]...)
	}
}
