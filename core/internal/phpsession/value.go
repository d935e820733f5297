package phpsession

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/ignitego/session/core/internal/jsongeneric"
	"github.com/ignitego/session/core/php"
)

// Value turns a value a handler stored into one php.Encode takes: the kinds
// it knows pass as they are, containers are converted element by element,
// and anything else goes through JSON to its generic form (a struct becomes
// a PHP array).
func Value(v any) (any, error) { return value(v, 0) }

func value(v any, depth int) (any, error) {
	if depth > jsongeneric.MaxDepth {
		return nil, errTooDeep
	}
	switch x := v.(type) {
	case nil, bool, string, []byte, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr,
		float32, float64, time.Time, time.Duration, []string, *php.Array, php.Array, php.Raw, *php.Raw:
		return v, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	default:
		js, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		g := jsongeneric.Decode(js)
		if g == nil && string(js) != "null" {
			return nil, errors.New("json: value does not decode")
		}
		return value(g, depth+1)
	}
}
