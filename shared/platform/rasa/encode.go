package rasa

import (
	"fmt"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// An ActionResponse is written field by field, in the bytes platform.EncodeJSON writes
// for it (no reflection); one whose events carry a timestamp (Switchboard sets none)
// goes through EncodeJSON. TestEncodeAsEncodeJSON holds the two equal.

// marshalAction encodes an action response (through platform.EncodeJSON before Go
// 1.27).
func marshalAction(r *ActionResponse) ([]byte, error) {
	if !platform.HandEncode {
		return marshal(r)
	}
	for _, e := range r.Events {
		if e.Timestamp != nil {
			return marshal(r)
		}
	}
	b := platform.GetBuffer()
	defer b.Free()
	var err error
	if b.B, err = appendAction(b.B, r); err != nil {
		return nil, fmt.Errorf("rasa: encode response: %w", err)
	}
	return b.Body(), nil
}

func appendAction(dst []byte, r *ActionResponse) ([]byte, error) {
	var err error
	dst = append(dst, `{"events":`...)
	if r.Events == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, e := range r.Events {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"event":`...)
			dst = platform.AppendString(dst, e.Event)
			dst = append(dst, `,"timestamp":null,"name":`...)
			dst = platform.AppendString(dst, e.Name)
			dst = append(dst, `,"value":`...)
			if e.Value == nil {
				dst = append(dst, "null"...)
			} else {
				dst = platform.AppendString(dst, *e.Value)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"responses":`...)
	if r.Responses == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, m := range r.Responses {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"text":`...)
			dst = platform.AppendString(dst, m.Text)
			if len(m.Buttons) > 0 {
				dst = append(dst, `,"buttons":[`...)
				for j, b := range m.Buttons {
					if j > 0 {
						dst = append(dst, ',')
					}
					dst = append(dst, `{"title":`...)
					dst = platform.AppendString(dst, b.Title)
					dst = append(dst, `,"payload":`...)
					dst = platform.AppendString(dst, b.Payload)
					if b.URL != "" {
						dst = append(dst, `,"url":`...)
						dst = platform.AppendString(dst, b.URL)
					}
					if b.Type != "" {
						dst = append(dst, `,"type":`...)
						dst = platform.AppendString(dst, b.Type)
					}
					dst = append(dst, '}')
				}
				dst = append(dst, ']')
			}
			if len(m.Custom) > 0 {
				dst = append(dst, `,"custom":`...)
				if dst, err = platform.AppendRaw(dst, m.Custom); err != nil {
					return nil, err
				}
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if r.Switchboard != nil {
		dst = append(dst, `,"switchboard":`...)
		dst = platform.AppendOutcome(dst, *r.Switchboard)
	}
	return append(dst, '}'), nil
}
