package platform

import (
	"bytes"
	"encoding/json"
)

// Texts an adapter answers with when the Reply of an outcome carries no message; every
// platform uses the same wording.
const (
	TextUnknownIntent = "Sorry, I can't help with that here yet."
	TextRejected      = "Sorry, that isn't available right now. Please contact our support team."
	TextFailed        = "Sorry, something went wrong on our side. Please try again later or contact our support team."
	// TruncatedMark ends a message cut to fit a platform's limit.
	TruncatedMark = " …"
)

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
