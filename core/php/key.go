package php

import (
	"fmt"
	"strconv"
)

// Key is a PHP array key: an int or a string. PHP turns a string that looks
// like a decimal int ("42", "-7", but not "007", "1.5" or "-0") into an int
// key, so no Key holds such a string. The zero Key is the int key 0.
type Key struct {
	str   string
	num   int64
	isStr bool
}

// IntKey returns the int key i.
func IntKey(i int64) Key { return Key{num: i} }

// StringKey returns the key PHP uses for s: the int key when s is
// integer-like (see IntegerKey), the string key s otherwise.
func StringKey(s string) Key {
	if i, ok := IntegerKey(s); ok {
		return Key{num: i}
	}
	return Key{str: s, isStr: true}
}

// IsInt reports whether k is an int key.
func (k Key) IsInt() bool { return !k.isStr }

// Int returns the int key's value, 0 for a string key.
func (k Key) Int() int64 { return k.num }

// String returns the string key, or the int key in decimal: the form PHP
// gives the key when it converts it to a string, and the name a JSON object
// member gets.
func (k Key) String() string {
	if k.isStr {
		return k.str
	}
	return strconv.FormatInt(k.num, 10)
}

// GoString formats k as Go syntax, for %#v and test failures.
func (k Key) GoString() string {
	if k.isStr {
		return fmt.Sprintf("php.StringKey(%q)", k.str)
	}
	return fmt.Sprintf("php.IntKey(%d)", k.num)
}

// IntegerKey reports whether PHP treats s as an int array key, and which:
// "0", or an optional '-' then a digit 1-9 then digits, within int64's
// range. "007", "+1", "-0", "1.5", " 1" and "9223372036854775808" stay
// strings. This is the rule by which $a["42"] is $a[42], and by which a
// $_SESSION key like "42" cannot be stored (see EncodeSession).
func IntegerKey(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	digits := s
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return i, true
}
