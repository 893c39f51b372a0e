package platform

import (
	"bytes"
	"encoding/json"
)

// TruncatedMark ends a message cut to fit a platform's limit.
const TruncatedMark = " …"

// EncodeJSON encodes a response body without HTML escaping (the texts reach chat
// surfaces, not HTML) and without the encoder's trailing newline. Adapters wrap its
// error with their own name.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
