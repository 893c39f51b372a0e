package platform

import (
	"bytes"
	"encoding/json"
	"sync"
)

// TruncatedMark ends a message cut to fit a platform's limit.
const TruncatedMark = " …"

// EncodeJSON encodes a response body without HTML escaping (the texts reach chat
// surfaces, not HTML) and without the encoder's trailing newline. Adapters wrap its
// error with their own name.
//
// The encoder and its buffer are pooled (a turn encodes its reply, and the payload
// parts in it, several times); the body returned is a copy the caller owns.
func EncodeJSON(v any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer e.put()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))), nil
}

// encoder is a json.Encoder writing to its own buffer, without HTML escaping.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// maxPooledBuffer: a buffer grown past this (a reply near a platform's limit) is left
// to the garbage collector rather than kept for every later turn.
const maxPooledBuffer = 64 << 10

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

func (e *encoder) put() {
	if e.buf.Cap() > maxPooledBuffer {
		return
	}
	e.buf.Reset()
	encoders.Put(e)
}
