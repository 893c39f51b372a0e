//go:build !go1.27

package rasa

// fastDecode needs Go 1.27's encoding/json/jsontext: before it, every call takes
// json.Unmarshal.
func fastDecode([]byte, *ActionCall) bool { return false }
