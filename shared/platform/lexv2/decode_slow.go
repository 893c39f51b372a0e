//go:build !go1.27

package lexv2

// fastDecode needs Go 1.27's encoding/json/jsontext: before it, every event takes
// json.Unmarshal.
func fastDecode([]byte, *Event) bool { return false }
