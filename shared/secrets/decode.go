package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Decode parses a secret string: a JSON object whose values are strings (numbers and
// booleans are kept as their JSON text, nulls are dropped). The error never quotes the
// input: at most it names a key, which is not secret.
func Decode(raw []byte) (Secret, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("the secret string is not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("the secret string has data after its JSON object")
	}
	s := make(Secret, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case string:
			s[k] = v
		case json.Number:
			s[k] = v.String()
		case bool:
			s[k] = strconv.FormatBool(v)
		case nil:
		default:
			return nil, fmt.Errorf("key %q holds a JSON %s, want a string", k, jsonKind(v))
		}
	}
	return s, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "value"
}
