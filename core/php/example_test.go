package php_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ignitego/session/core/php"
)

func ExampleDecode() {
	v, err := php.Decode([]byte(`a:3:{i:0;s:3:"foo";i:1;d:0.5;i:2;b:1;}`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%#v\n", v)
	// Output:
	// []interface {}{"foo", 0.5, true}
}

func ExampleEncode() {
	b, err := php.Encode(map[string]any{
		"name":  "Ada",
		"42":    int64(1), // an integer-like key, as in PHP
		"tags":  []string{"admin"},
		"score": 1e25,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// a:4:{i:42;i:1;s:4:"name";s:3:"Ada";s:5:"score";d:1.0E+25;s:4:"tags";a:1:{i:0;s:5:"admin";}}
}

func ExampleDecodeSession() {
	payload := []byte(`__ci_last_regenerate|i:1699999880;user_id|i:42;message|s:5:"Saved";` +
		`__ci_vars|a:2:{s:7:"message";s:3:"new";s:3:"otp";i:1700000300;}`)
	entries, err := php.DecodeSession(payload)
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if vars, ok := e.Value.(*php.Array); ok {
			for k, v := range vars.All() {
				fmt.Printf("%s[%s] = %#v\n", e.Key, k, v)
			}
			continue
		}
		fmt.Printf("%s = %#v\n", e.Key, e.Value)
	}

	// Unchanged, the session encodes back to the same bytes.
	out, err := php.EncodeSession(entries)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out) == string(payload))
	// Output:
	// __ci_last_regenerate = 1699999880
	// user_id = 42
	// message = "Saved"
	// __ci_vars[message] = "new"
	// __ci_vars[otp] = 1700000300
	// true
}

func ExampleEncodeSession() {
	b, err := php.EncodeSession([]php.Entry{
		{Key: "user_id", Value: 42},
		{Key: "name", Value: "Ada"},
	})
	fmt.Println(string(b), err)

	_, err = php.EncodeSession([]php.Entry{{Key: "42", Value: 1}})
	fmt.Println(errors.Is(err, php.ErrUnstorableKey))
	// Output:
	// user_id|i:42;name|s:3:"Ada"; <nil>
	// true
}

func ExampleArray_MarshalJSON() {
	v, err := php.Decode([]byte(`a:2:{s:4:"name";s:3:"Ada";s:4:"tags";a:2:{i:0;s:1:"x";i:1;s:1:"y";}}`))
	if err != nil {
		panic(err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var user struct {
		Name string
		Tags []string
	}
	if err := json.Unmarshal(js, &user); err != nil {
		panic(err)
	}
	fmt.Printf("%s\n%+v\n", js, user)
	// Output:
	// {"name":"Ada","tags":["x","y"]}
	// {Name:Ada Tags:[x y]}
}

func ExampleRaw() {
	v, err := php.Decode([]byte(`a:1:{s:4:"user";O:4:"User":1:{s:4:"name";s:3:"Ada";}}`))
	if err != nil {
		panic(err)
	}
	user, _ := v.(*php.Array).Get("user")
	obj := user.(php.Raw)
	fmt.Println(string(obj.Kind()), obj.Class())

	b, err := php.Encode(v)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// O User
	// a:1:{s:4:"user";O:4:"User":1:{s:4:"name";s:3:"Ada";}}
}

func ExampleSyntaxError() {
	_, err := php.Decode([]byte(`a:1:{s:1:"k";s:10:"short";}`))
	var se *php.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset, err)
	}
	// Output:
	// 19 php: string length 10 exceeds the 8 bytes left at offset 19
}
