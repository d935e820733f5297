package php

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{100, "100"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{2.0 / 3, "0.6666666666666666"},
		{0.001, "0.001"},
		{0.0001, "0.0001"},
		{0.00015, "0.00015"},
		{0.00001, "1.0E-5"},
		{0.000015, "1.5E-5"},
		{1e-7, "1.0E-7"},
		{123456.789, "123456.789"},
		{1e15, "1000000000000000"},
		{1e16, "10000000000000000"},
		{1.5e16, "15000000000000000"},
		{12345678901234567, "12345678901234568"},
		{1e17, "1.0E+17"},
		{1.25e17, "1.25E+17"},
		{1e21, "1.0E+21"},
		{1e25, "1.0E+25"},
		{-1e100, "-1.0E+100"},
		{1.2345678901234567e-300, "1.2345678901234568E-300"},
		{math.MaxFloat64, "1.7976931348623157E+308"},
		{math.SmallestNonzeroFloat64, "5.0E-324"},
		{math.Inf(1), "INF"},
		{math.Inf(-1), "-INF"},
		{math.NaN(), "NAN"},
	}
	for _, tt := range tests {
		if got := string(appendFloat(nil, tt.in)); got != tt.want {
			t.Errorf("appendFloat(%v): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFloatRoundTrip checks that every float reads back as itself, bit for
// bit, over random bit patterns and random short decimals.
func TestFloatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(f float64) {
		b, err := Encode(f)
		if err != nil {
			t.Fatalf("Encode(%v): %v", f, err)
		}
		v, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(%q): %v", b, err)
		}
		g, ok := v.(float64)
		if !ok || math.Float64bits(g) != math.Float64bits(f) && !(math.IsNaN(f) && math.IsNaN(g)) {
			t.Fatalf("Decode(Encode(%v)) = Decode(%q): got %#v, want the same bits", f, b, v)
		}
	}
	for range 200000 {
		check(math.Float64frombits(r.Uint64()))
	}
	for range 50000 {
		check(float64(r.Int64()) / math.Pow(10, float64(r.IntN(30))))
	}
}
