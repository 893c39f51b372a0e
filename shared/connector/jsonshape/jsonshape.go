// Package jsonshape checks the shape of JSON answers read field by field
// (json.RawMessage), and describes a mismatch without echoing the value, which may be
// personal data.
package jsonshape

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Object decodes raw as a JSON object. Malformed JSON gives "not JSON (offset N)";
// any other value, null included, gives WantType("an object", raw).
func Object(raw []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not JSON (offset %d)", se.Offset)
		}
		return nil, WantType("an object", raw)
	}
	return m, nil
}

// IsNull reports whether raw is the JSON literal null, surrounding white space ignored.
func IsNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// WantType describes a value of the wrong JSON type without echoing it:
// "got JSON <Kind(raw)>, want <want>".
func WantType(want string, raw []byte) error {
	return fmt.Errorf("got JSON %s, want %s", Kind(raw), want)
}

// Kind names the JSON type of raw from its first byte: object, array, string, boolean,
// null or number; "nothing" when raw is empty or white space. It does not validate.
func Kind(raw []byte) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// Clip bounds a value quoted in an error message to its first 40 bytes, marking a cut
// with "…".
func Clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
