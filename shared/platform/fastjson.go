//go:build go1.27

package platform

import (
	"bytes"
	"encoding/json"
	"encoding/json/jsontext"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
)

// A fast decode reads a webhook request with encoding/json/jsontext, token by token,
// into the adapter's own wire struct — only for requests where the result is, field
// for field, what encoding/json's Unmarshal gives. Anything else (a null, a value of
// another type than the field's, a member name that matches a field only without
// regard to case, a name or string with escapes where it matters, duplicate names,
// invalid UTF-8, a number out of range, trailing data) stops it, and the adapter
// decodes the body with json.Unmarshal as before, which also words every error: the
// fast path never refuses a request and never accepts one Unmarshal refuses. Each
// adapter's differential fuzz target holds the two equal.
//
// Built only with Go 1.27 (jsontext); an older toolchain takes the json.Unmarshal
// path every time.

// HandEncode: the adapters write their replies with the Append functions, which write
// what Go 1.27's encoding/json writes (Go 1.26's differs on invalid UTF-8 and on
// U+2028 inside raw values: there they encode through EncodeJSON).
const HandEncode = true

// errSlow: the fast decoder leaves this request to json.Unmarshal.
var errSlow = errors.New("platform: not on the fast path")

// Dec is a pooled jsontext decoder over one request body. Its first failure sticks:
// every later read does nothing and returns zero values, and FastDecode reports false.
//
// jsontext's own check for duplicate names is off (it costs a set per object): a known
// field met twice stops the fast path here (Next); a name skipped twice is ignored,
// as Unmarshal ignores it; a map key met twice keeps its last value, as Unmarshal does.
type Dec struct {
	d *jsontext.Decoder
	// r holds the body: jsontext parses a bytes.Buffer's bytes where they are, so the
	// decoder copies nothing into a buffer of its own (a bytes.Reader made it copy the
	// whole body into one that grew by doubling and stayed in the pool: for a large
	// body, more live memory than the server's in-flight budget had claimed).
	r    bytes.Buffer
	err  error
	seen []uint64 // per open object (innermost last), the known fields read
	// strs holds the short strings made before (by a hash of their bytes), so that
	// names and values that recur from request to request ("en", "email") are not
	// allocated again — as encoding/json/v2 keeps its own cache.
	strs [256]string
	unq  []byte // a string's unescaped bytes, when it has escapes
}

var decOptions = jsontext.AllowDuplicateNames(true)

var decs = sync.Pool{New: func() any {
	x := &Dec{}
	x.d = jsontext.NewDecoder(&x.r, decOptions)
	return x
}}

// FastDecode runs f on a decoder over body and reports whether it read the whole body
// as one value without stopping. When it reports false, the caller decodes body with
// json.Unmarshal (whatever f filled in is to be discarded).
func FastDecode(body []byte, f func(*Dec)) bool {
	x := decs.Get().(*Dec)
	x.r = *bytes.NewBuffer(body)
	x.d.Reset(&x.r, decOptions)
	x.err, x.seen = nil, x.seen[:0]
	f(x)
	if x.err == nil {
		// Unmarshal refuses anything after the value.
		if _, e := x.d.ReadToken(); e != io.EOF {
			x.err = errSlow
		}
	}
	ok := x.err == nil
	x.r = bytes.Buffer{} // the pooled decoder keeps no reference to the body
	x.d.Reset(&x.r, decOptions)
	decs.Put(x)
	return ok
}

// kind is the next token's kind, or 0 after a failure.
func (x *Dec) kind() jsontext.Kind {
	if x.err != nil {
		return 0
	}
	return x.d.PeekKind()
}

// token reads a token of kind k.
func (x *Dec) token(k jsontext.Kind) (jsontext.Token, bool) {
	if x.kind() != k {
		x.err = errSlow
		return jsontext.Token{}, false
	}
	t, err := x.d.ReadToken()
	if err != nil {
		x.err = errSlow
		return jsontext.Token{}, false
	}
	return t, true
}

// value reads a value of kind k as its raw bytes (valid until the next read).
func (x *Dec) value(k jsontext.Kind) []byte {
	if x.kind() != k {
		x.err = errSlow
		return nil
	}
	v, err := x.d.ReadValue()
	if err != nil {
		x.err = errSlow
		return nil
	}
	return v
}

// Object starts reading an object; Next then yields its members.
func (x *Dec) Object() {
	if _, ok := x.token('{'); ok {
		x.seen = append(x.seen, 0)
	}
}

// Next returns the name of the object's next member that is exactly one of fields
// (the caller then reads its value), or "" at the object's end (read). A name that is
// none of them is skipped with its value, unless it equals one of them regardless of
// case (json.Unmarshal would fill that field: the fast path stops). A name spelled
// with escapes stops it too.
func (x *Dec) Next(fields []string) string {
	if len(fields) > 64 {
		panic("platform: Dec.Next takes at most 64 fields")
	}
	for {
		switch x.kind() {
		case '}':
			x.token('}')
			if len(x.seen) > 0 {
				x.seen = x.seen[:len(x.seen)-1]
			}
			return ""
		case '"':
		default:
			x.err = errSlow
			return ""
		}
		v, err := x.d.ReadValue() // a string: peeked above
		if err != nil || bytes.IndexByte(v, '\\') >= 0 {
			x.err = errSlow
			return ""
		}
		name := v[1 : len(v)-1]
		for i, f := range fields {
			if string(name) == f {
				if len(x.seen) == 0 || x.seen[len(x.seen)-1]&(1<<i) != 0 {
					x.err = errSlow // met twice: Unmarshal would merge or replace
					return ""
				}
				x.seen[len(x.seen)-1] |= 1 << i
				return f
			}
		}
		for _, f := range fields {
			if strings.EqualFold(string(name), f) {
				x.err = errSlow
				return ""
			}
		}
		x.Skip()
	}
}

// Array starts reading an array; More then says whether an element follows.
func (x *Dec) Array() { x.token('[') }

// More reports whether the array has another element (false at its end, read).
func (x *Dec) More() bool {
	switch x.kind() {
	case ']':
		x.token(']')
		return false
	case 0:
		x.err = errSlow
		return false
	}
	return true
}

// String reads a JSON string.
func (x *Dec) String() string {
	v := x.value('"')
	if x.err != nil {
		return ""
	}
	b := v[1 : len(v)-1]
	if bytes.IndexByte(b, '\\') >= 0 {
		var err error
		if x.unq, err = jsontext.AppendUnquote(x.unq[:0], v); err != nil {
			x.err = errSlow
			return ""
		}
		b = x.unq
	}
	return x.makeString(b)
}

// makeString is string(b), from strs when it was made before.
func (x *Dec) makeString(b []byte) string {
	if len(b) < 2 || len(b) > 64 {
		return string(b)
	}
	h := uint32(len(b))
	for _, c := range b[:min(len(b), 8)] {
		h = h*31 + uint32(c)
	}
	for _, c := range b[max(len(b)-8, min(len(b), 8)):] {
		h = h*31 + uint32(c)
	}
	i := h % uint32(len(x.strs))
	if s := x.strs[i]; s == string(b) {
		return s
	}
	s := string(b)
	x.strs[i] = s
	return s
}

// Strings reads an array of strings (an empty array is an empty, non-nil slice).
func (x *Dec) Strings() []string {
	out := []string{}
	for x.Array(); x.More(); {
		out = append(out, x.String())
	}
	return out
}

// Bool reads true or false.
func (x *Dec) Bool() bool {
	switch x.kind() {
	case 't':
		x.token('t')
		return true
	case 'f':
		x.token('f')
		return false
	}
	x.err = errSlow
	return false
}

// Float reads a number as a float64 (out of range stops the fast path, as Unmarshal
// refuses it).
func (x *Dec) Float() float64 {
	v := x.value('0')
	if x.err != nil {
		return 0
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		x.err = errSlow
	}
	return f
}

// Int reads a number that is an integer as Unmarshal reads one into an int.
func (x *Dec) Int() int {
	v := x.value('0')
	if x.err != nil {
		return 0
	}
	n, err := strconv.ParseInt(string(v), 10, strconv.IntSize)
	if err != nil {
		x.err = errSlow
	}
	return int(n)
}

// Raw reads any value but null as a json.RawMessage: the bytes as they are in the body
// (a copy).
func (x *Dec) Raw() json.RawMessage {
	switch x.kind() {
	case 'n', 0, '}', ']':
		x.err = errSlow
		return nil
	}
	v, err := x.d.ReadValue()
	if err != nil {
		x.err = errSlow
		return nil
	}
	return bytes.Clone(v)
}

// RawMap reads an object into a map of raw values (an empty object is an empty,
// non-nil map; a key met twice keeps its last value).
func (x *Dec) RawMap() map[string]json.RawMessage {
	x.token('{')
	m := map[string]json.RawMessage{}
	for x.kind() == '"' {
		k := x.String()
		m[k] = x.Raw()
	}
	x.token('}')
	return m
}

// Null reads a null and reports true when the next value is one (false otherwise,
// reading nothing). Unmarshal leaves a field as it is for null, or sets a pointer, slice
// or map to nil: with duplicate fields stopping the fast path, a caller that reads a
// null and leaves the field at its zero value gets what Unmarshal gives.
func (x *Dec) Null() bool {
	if x.kind() != 'n' {
		return false
	}
	if _, err := x.d.ReadToken(); err != nil {
		x.err = errSlow
		return false
	}
	return true
}

// RawOrNull reads any value as a json.RawMessage, null included: Unmarshal hands a
// null to json.RawMessage's UnmarshalJSON, which keeps "null".
func (x *Dec) RawOrNull() json.RawMessage {
	if x.Null() {
		return json.RawMessage("null")
	}
	return x.Raw()
}

// RawOrNullMap reads an object into a map of raw values, as RawMap, but a null
// value is kept as "null" (as Unmarshal keeps it in a map of json.RawMessage).
func (x *Dec) RawOrNullMap() map[string]json.RawMessage {
	x.token('{')
	m := map[string]json.RawMessage{}
	for x.kind() == '"' {
		k := x.String()
		m[k] = x.RawOrNull()
	}
	x.token('}')
	return m
}

// Key reads the next key of an object being read as a map (after Object): ok is
// false at the object's end (read). A key met twice is yielded twice; a map keeps its
// last value, as Unmarshal's does.
func (x *Dec) Key() (key string, ok bool) {
	switch x.kind() {
	case '}':
		x.token('}')
		if len(x.seen) > 0 {
			x.seen = x.seen[:len(x.seen)-1]
		}
		return "", false
	case '"':
		k := x.String()
		return k, x.err == nil
	}
	x.err = errSlow
	return "", false
}

// IsObject reports whether the next value is an object (reading nothing).
func (x *Dec) IsObject() bool { return x.kind() == '{' }

// Fail leaves the request to json.Unmarshal.
func (x *Dec) Fail() { x.err = errSlow }

// Number reads a number as a json.Number: the literal as written.
func (x *Dec) Number() json.Number {
	v := x.value('0')
	if x.err != nil {
		return ""
	}
	return json.Number(x.makeString(v))
}

// Skip reads a value without keeping it.
func (x *Dec) Skip() {
	if x.err == nil && x.d.SkipValue() != nil {
		x.err = errSlow
	}
}

// The Skip* readers check a value that nothing reads as json.Unmarshal checks it for a
// field of that type, without building it: a value of another type stops the fast
// path (Unmarshal would refuse the request); null passes, as Unmarshal leaves such a
// field as it is.

// SkipString checks a string field's value.
func (x *Dec) SkipString() { x.skipAs('"', '"') }

// SkipBool checks a bool field's value.
func (x *Dec) SkipBool() { x.skipAs('t', 'f') }

// SkipObject checks the value of a field that takes an object (a map, a struct or a
// pointer to one) whose every member Unmarshal accepts: a map of json.RawMessage.
func (x *Dec) SkipObject() { x.skipAs('{', '{') }

// SkipFloat checks a float64 field's value (out of range stops the fast path).
func (x *Dec) SkipFloat() {
	if !x.Null() {
		x.Float()
	}
}

// SkipInt checks an int field's value.
func (x *Dec) SkipInt() {
	if !x.Null() {
		x.Int()
	}
}

func (x *Dec) skipAs(k1, k2 jsontext.Kind) {
	switch x.kind() {
	case k1, k2, 'n':
		x.Skip()
	default:
		x.err = errSlow
	}
}

var identityFields = []string{"identity_token"}

// IdentityPayload reads any value and returns what IdentityToken returns for its
// bytes: the trimmed identity_token string of an object, or "". An adapter that only
// needs the token from a payload reads it in the same pass, without keeping the
// payload.
func (x *Dec) IdentityPayload() string {
	if x.kind() != '{' {
		x.Skip()
		return ""
	}
	token := ""
	for x.Object(); x.Next(identityFields) != ""; {
		token = ""
		if x.kind() == '"' {
			token = x.String()
		} else {
			x.Skip() // not a string: no token
		}
	}
	return strings.TrimSpace(token)
}

// fastIdentityToken is IdentityToken's fast path: ok is false when json.Unmarshal must
// decide.
func fastIdentityToken(raw []byte) (token string, ok bool) {
	ok = FastDecode(raw, func(d *Dec) { token = d.IdentityPayload() })
	return token, ok
}
