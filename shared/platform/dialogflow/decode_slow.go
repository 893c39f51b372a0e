//go:build !go1.27

package dialogflow

// fastDecode needs Go 1.27's encoding/json/jsontext: before it, every request takes
// json.Unmarshal.
func fastDecode([]byte, *wireStore) (string, bool) { return "", false }
