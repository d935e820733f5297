// Package php reads and writes PHP's serialization formats, so that a Go
// application can share live sessions with a PHP (CodeIgniter 3 or 4)
// application: the format of serialize() and unserialize(), and that of
// PHP's default session serializer (session.serialize_handler = php), in
// which $_SESSION is written as key|value pairs. It has no dependencies
// outside the standard library.
//
//	v, err := php.Decode([]byte(`a:2:{i:0;s:3:"foo";i:1;d:0.5;}`))
//	// v is []any{"foo", 0.5}
//
//	entries, err := php.DecodeSession(payload)
//	// entries[0] is php.Entry{Key: "user_id", Value: int64(42)}
//	payload, err = php.EncodeSession(entries) // the same bytes
//
// # Values
//
// Decode gives, and Encode takes:
//
//	PHP                               Go (decoded)      Go (encodable)
//	null          N;                  nil               nil, nil *Array, nil *Raw
//	bool          b:1;                bool              bool
//	int           i:42;               int64             int, int8-int64, uint, uint8-uint64,
//	                                                    uintptr (up to math.MaxInt64),
//	                                                    time.Duration (as nanoseconds)
//	float         d:0.5;              float64           float32, float64
//	string        s:3:"foo";          string            string, []byte, time.Time (as
//	                                                    time.RFC3339Nano in its location)
//	array 0..n-1  a:1:{i:0;N;}        []any             []any, []string
//	other array   a:1:{s:1:"k";N;}    *Array            *Array, Array, map[string]any
//	object        O:8:"stdClass":...  Raw               Raw, *Raw
//	custom object C:3:"Foo":...       Raw
//	enum case     E:6:"Suit:H";       Raw
//	reference     r:2; R:2;           Raw
//
// Any other Go type is a *UnsupportedTypeError: convert structs and named
// types first (through encoding/json, say). Notes on the mapping:
//
//   - An array is a []any when its keys are exactly 0, 1, ..., n-1 in that
//     order, the empty array included, and a *Array, which keeps its
//     entries in order, otherwise. So a *Array whose keys happen to be 0 to
//     n-1 in order comes back as a []any. A nil slice or map is written as
//     an empty array.
//   - PHP strings are bytes: a Go string holds them as they are, valid
//     UTF-8 or not. A []byte comes back as a string.
//   - map[string]any is written with its keys sorted, so that the bytes are
//     deterministic, and comes back as a *Array or, when its keys are
//     "0" to "n-1", a []any. Like PHP's $a["42"], an integer-like string key
//     (see IntegerKey) becomes an int key.
//   - A float32 is widened to float64, PHP's only float: float32(0.1) is
//     written as 0.10000000149011612.
//   - time.Time and time.Duration come back as a string and an int64:
//     PHP has no such types.
//   - A *Array marshals to a JSON object in order (MarshalJSON), so the
//     engine can hand an array to encoding/json to fill a struct or a map.
//
// # Floats
//
// Floats are written as PHP 8 writes them with its default
// serialize_precision of -1: the shortest decimal that reads back as the
// same float64, in plain notation for decimal exponents from -4 to 16
// (0.1, 0.0001, 1000000000000000, 0.3333333333333333) and in scientific
// notation beyond (1.0E-5, 1.0E+25, 5.0E-324), and "-0", "INF", "-INF",
// "NAN". Decode also reads what other serialize_precision settings write
// (0.10000000000000001), and any form unserialize() accepts (1e5, .5,
// +1, 1.).
//
// # Objects and references
//
// Go cannot rebuild PHP objects, so objects, enum cases and references
// decode to a Raw that holds their exact bytes, and Encode writes those
// bytes back. Raw.Class names an object's class.
//
// unserialize() numbers every value of a payload, from 1, in the order
// they appear: each array and its elements at every depth, each object and
// its properties' values, except array keys and R: references; a session
// payload numbers all its variables' values in one sequence. A reference
// is such a number: r:3; is the object numbered 3, R:3; a PHP reference
// (&) to the value numbered 3. So a reference's meaning depends on
// everything written before it, not only on its own bytes.
//
// What this means for Go:
//
//   - An unchanged session, or one changed only after its last Raw that
//     holds a reference, encodes back to the same bytes, so references keep
//     pointing where PHP left them.
//   - Changing values before such a Raw in a way that keeps how many values
//     precede it (a scalar for a scalar, say) keeps the reference valid; an
//     R: reference then aliases the new value, as it would in PHP.
//   - Where the number of values before a Raw changed (an entry removed or
//     added before it, an array resized), an object whose references point
//     only inside itself is renumbered to match; a Raw with a reference to
//     a value before it cannot be, and Encode and EncodeSession return an
//     error wrapping ErrReferenceMoved. Writing it anyway would make PHP's
//     session_decode() fail, which destroys the whole session, or silently
//     point the reference at another value.
//   - Every payload that holds a reference is decoded again before Encode or
//     EncodeSession returns it, so that no invalid reference is ever
//     written.
//   - A custom-serialized object (C:) counts as one value: if its class's
//     own format nests serialize() data, the numbers inside it are the
//     class's business, and moving it is not detected.
//
// # Sessions
//
// DecodeSession returns a session's variables as a []Entry in payload
// order, and EncodeSession writes them back in that order. An empty
// payload is a session without variables, and such a session encodes to
// an empty payload, as PHP stores it. EncodeSession refuses, with an error
// wrapping ErrUnstorableKey, a key that contains '|' and an integer-like
// key ("42", "-7"; not "007" or "1.5"), which PHP's $_SESSION cannot hold
// (see CheckKey).
//
// CodeIgniter keeps its own data next to the application's:
// __ci_last_regenerate is the Unix time (an int) of the last id
// regeneration, and __ci_vars an array from each flash or temp item's key
// to "new" or "old" for flashdata and to its expiry Unix time (an int) for
// tempdata:
//
//	__ci_last_regenerate|i:1700000000;message|s:5:"Saved";__ci_vars|a:1:{s:7:"message";s:3:"new";}
//
// __ci_vars decodes to a *Array, or to an empty []any when it is the empty
// array (a:0:{}) that CodeIgniter 4's getFlashdata() and getTempdata()
// store when there is no __ci_vars yet.
//
// # Decoding
//
// Decode and DecodeSession take untrusted input: they never panic, report
// the byte offset of a problem in a *SyntaxError, allocate no more than the
// input's size justifies whatever lengths and counts it claims, and refuse
// nesting deeper than 64 levels (PHP allows 4096 by default). They accept
// what unserialize() and session_decode() of PHP 8.2 accept, except:
//
//   - an int beyond int64, which PHP clamps with a warning, is an error;
//   - an array with a key twice, whose later value PHP keeps, is an error,
//     since dropping a value would shift the numbers references use;
//   - bytes after the value, which unserialize() of PHP 8.2 ignores, are an
//     error for Decode (session_decode() refuses them too);
//   - classes need not exist, and object contents are checked for syntax
//     only: Go keeps an object as bytes, where PHP may refuse it.
//
// # Round trips
//
// Encode(Decode(b)) is b for what PHP writes with its default
// serialize_precision of -1, and EncodeSession(DecodeSession(b)) is b for
// what its session handler writes. Input in other forms that
// unserialize() accepts comes back in the form PHP itself would write:
// i:+5; and i:007; as i:5; and i:7;, d:1e5; as d:100000;, a string key
// "42" as the int key 42, S: escaped strings as s:, and longer lengths or
// counts written with leading zeros without them. Raw values are never
// reformatted.
package php
