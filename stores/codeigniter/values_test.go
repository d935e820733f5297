package codeigniter_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// phpCart is the array PHP stores, in its order, and serialize() of it.
var phpCart = json.RawMessage(`{"id": 42, "big": 9007199254740993, "price": 1.5, "tags": [1, 2]}`)

const phpCartItems = `s:2:"id";i:42;s:3:"big";i:9007199254740993;s:5:"price";d:1.5;s:4:"tags";a:2:{i:0;i:1;i:1;i:2;}`

// TestSharedArrays: PHP stores an array; Go changes it; PHP reads its ints
// as ints (i:42), 2^53+1 exact, and its keys in their order, the new one
// last. Push is CodeIgniter 4's push(); Get[*php.Array] is the
// read-modify-write that keeps the order; Get[map[string]any] keeps the
// types, and writes the keys back sorted (a Go map has no order).
func TestSharedArrays(t *testing.T) {
	tests := []struct {
		name   string
		change action
		want   string
	}{
		{"push", push("cart", map[string]any{"coupon": "X"}),
			`a:5:{` + phpCartItems + `s:6:"coupon";s:1:"X";}`},
		{"Get[*php.Array], Set, SetUserdata", setIn("set_in_array", "cart", "coupon", "X"),
			`a:5:{` + phpCartItems + `s:6:"coupon";s:1:"X";}`},
		{"Get[map[string]any], change, SetUserdata", setIn("set_in_map", "cart", "coupon", "X"),
			`a:5:{s:3:"big";i:9007199254740993;s:6:"coupon";s:1:"X";s:2:"id";i:42;s:5:"price";d:1.5;s:4:"tags";a:2:{i:0;i:1;i:1;i:2;}}`},
	}
	for _, b := range backends {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", nil)
				for _, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						e.t = t
						e.fresh()
						p := e.php(set("cart", phpCart), dump("cart"))
						require.Equal(t, `a:4:{`+phpCartItems+`}`, *p.Dumps["cart"])
						e.run(tt.change)
						p = e.php(dump("cart"))
						require.True(t, p.CookieAccepted)
						require.Equal(t, tt.want, *p.Dumps["cart"])
					})
				}
			})
		}
	}
}

// TestSharedIncrement: PHP sets a counter, which reaches Go as an int64;
// Go's Increment goes on counting from it, request after request, under
// CodeIgniter's lock, and PHP reads an int.
func TestSharedIncrement(t *testing.T) {
	for _, b := range backends {
		for _, version := range []int{3, 4} {
			t.Run(name(version, b.name), func(t *testing.T) {
				e := newShared(t, version, b, "net/http", nil)
				require.True(t, e.m.Config().Lock, "CodeIgniter locks sessions; so does Config")
				e.php(set("visits", 5))
				for range 3 {
					e.run(increment("visits", 1))
				}
				g := e.run(increment("visits", -1))
				require.Equal(t, 8.0, g.Start.Items["visits"])
				require.Equal(t, 7.0, g.End.Items["visits"])
				p := e.php(dump("visits"))
				require.Equal(t, "i:7;", *p.Dumps["visits"])
			})
		}
	}
}
