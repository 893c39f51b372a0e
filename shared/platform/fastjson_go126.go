//go:build !go1.27

package platform

// fastIdentityToken needs Go 1.27's encoding/json/jsontext (fastjson.go).
func fastIdentityToken([]byte) (string, bool) { return "", false }

// HandEncode is false before Go 1.27: see fastjson.go.
const HandEncode = false
