package platform

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
)

// The Append* functions write JSON exactly as EncodeJSON (Go 1.27's encoding/json, no
// HTML escaping; see HandEncode) writes the same Go values, for the adapters that encode their reply
// structs field by field instead of through reflection. TestAppendJSONAsEncodeJSON
// and FuzzAppendString hold the two byte-equal.

// AppendString appends s as a JSON string: `"` and `\` escaped, control characters as
// \b \f \n \r \t or \u00XX, U+2028 and U+2029 as \u2028 and \u2029 (JavaScript line
// terminators), an invalid UTF-8 byte as U+FFFD (the replacement character itself);
// <, > and & as they are.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	return append(appendEscaped(dst, s, &plainSafe), '"')
}

// AppendEscaped appends what AppendString writes between its quotes. A JSON string
// made of pieces joined by an ASCII separator can be written piece by piece: no UTF-8
// sequence spans a separator, so the escapes are those of the joined string.
func AppendEscaped(dst []byte, s string) []byte { return appendEscaped(dst, s, &plainSafe) }

// AppendMarshalString appends s as Go 1.27's json.Marshal writes a string: as
// AppendString, but <, > and & as \u003c, \u003e and \u0026 (HTML escaping).
// FuzzAppendMarshalString holds the two byte-equal.
func AppendMarshalString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	return append(appendEscaped(dst, s, &htmlSafe), '"')
}

// plainSafe and htmlSafe are the ASCII bytes written as they are.
var plainSafe, htmlSafe = func() (plain, html [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
		html[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, html
}()

func appendEscaped(dst []byte, s string, safe *[utf8.RuneSelf]bool) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// AppendRaw appends a json.RawMessage as encoding/json does: compacted, U+2028 and
// U+2029 escaped (nil is null). A value that is not valid JSON is an error,
// as it is for EncodeJSON.
func AppendRaw(dst []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(dst, "null"...), nil
	}
	if plainString(raw) {
		return append(dst, raw...), nil
	}
	n := len(dst)
	b := bytes.NewBuffer(dst)
	if err := json.Compact(b, raw); err != nil {
		return dst, &json.MarshalerError{Type: rawMessageType, Err: err}
	}
	out := b.Bytes()
	if !utf8.Valid(out[n:]) {
		// Not a value Switchboard makes: leave the rare case to encoding/json itself.
		v, err := EncodeJSON(raw)
		if err != nil {
			return dst, err
		}
		return append(out[:n], v...), nil
	}
	for i := n; i+2 < len(out); i++ {
		// U+2028 and U+2029 are E2 80 A8 and E2 80 A9; valid JSON has them only inside
		// strings, where the escape means the same.
		if out[i] == 0xE2 && out[i+1] == 0x80 && (out[i+2] == 0xA8 || out[i+2] == 0xA9) {
			esc := `\u2028`
			if out[i+2] == 0xA9 {
				esc = `\u2029`
			}
			out = append(out[:i], append([]byte(esc), out[i+3:]...)...)
			i += len(esc) - 1
		}
	}
	return out, nil
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// plainString reports whether raw is a JSON string that encoding/json writes as it
// is: no whitespace around it, valid UTF-8 without U+2028 or U+2029, and no escape
// but the short ones and \u00XX (what AppendMarshalString writes). A parameter value
// the adapters made is one: it is copied without compacting it.
func plainString(raw []byte) bool {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
		return false
	}
	isHex := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
	for i := 1; i < n-1; {
		switch c := raw[i]; {
		case c == '"' || c < 0x20:
			return false
		case c == '\\':
			if i+1 >= n-1 {
				return false
			}
			switch raw[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= n-1 || raw[i+2] != '0' || raw[i+3] != '0' || !isHex(raw[i+4]) || !isHex(raw[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(raw[i : n-1])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				return false
			}
			i += size
		}
	}
	return true
}

// AppendInt appends n as a JSON number.
func AppendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// AppendKey appends a member name and its colon, after a comma unless first.
func AppendKey(dst []byte, name string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = AppendString(dst, name)
	return append(dst, ':')
}

// Buffer is a pooled scratch buffer for an adapter's encoder: Body returns a copy the
// caller owns, Free returns the buffer to the pool.
type Buffer struct{ B []byte }

var buffers = sync.Pool{New: func() any { return &Buffer{B: make([]byte, 0, 2048)} }}

// GetBuffer returns an empty pooled buffer.
func GetBuffer() *Buffer { return buffers.Get().(*Buffer) }

// Body is a copy of the bytes written.
func (b *Buffer) Body() []byte { return bytes.Clone(b.B) }

// Free returns the buffer to the pool (one grown past a platform's limit is dropped).
func (b *Buffer) Free() {
	if cap(b.B) > maxPooledBuffer {
		return
	}
	b.B = b.B[:0]
	buffers.Put(b)
}

// AppendOutcome appends a WireOutcome as EncodeJSON writes it.
func AppendOutcome(dst []byte, o WireOutcome) []byte {
	dst = append(dst, `{"outcome":`...)
	dst = AppendString(dst, string(o.Outcome))
	if o.Fallback {
		return append(dst, `,"fallback":true}`...)
	}
	return append(dst, `,"fallback":false}`...)
}
