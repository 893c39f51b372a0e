package lexv2

import (
	"fmt"
	"slices"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// The response is written field by field, in the bytes platform.EncodeJSON writes for
// the same Response (struct order, omitempty, a nil map or slice without omitempty as
// null, map keys sorted, no HTML escaping): no reflection, no intermediate values.
// TestEncodeAsEncodeJSON and FuzzEncode hold the two equal.

// marshal encodes a response (through platform.EncodeJSON before Go 1.27), without
// HTML escaping: the texts reach chat and voice, not HTML.
func marshal(resp *Response) ([]byte, error) {
	var (
		body []byte
		err  error
	)
	if platform.HandEncode {
		b := platform.GetBuffer()
		if b.B, err = appendResponse(b.B, resp); err == nil {
			body = b.Body()
		}
		b.Free()
	} else {
		body, err = platform.EncodeJSON(resp)
	}
	if err != nil {
		return nil, fmt.Errorf("lexv2: encode response: %w", err)
	}
	return body, nil
}

func appendResponse(dst []byte, r *Response) ([]byte, error) {
	var err error
	dst = append(dst, `{"sessionState":`...)
	if dst, err = appendSessionState(dst, &r.SessionState); err != nil {
		return nil, err
	}
	if len(r.Messages) > 0 {
		dst = append(dst, `,"messages":[`...)
		for i := range r.Messages {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendMessage(dst, &r.Messages[i])
		}
		dst = append(dst, ']')
	}
	if len(r.RequestAttributes) > 0 {
		dst = append(dst, `,"requestAttributes":`...)
		dst = appendStrings(dst, r.RequestAttributes)
	}
	return append(dst, '}'), nil
}

func appendSessionState(dst []byte, s *SessionState) ([]byte, error) {
	if len(s.ActiveContexts) > 0 {
		dst = append(dst, `{"activeContexts":[`...)
		for i, c := range s.ActiveContexts {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"name":`...)
			dst = platform.AppendString(dst, c.Name)
			dst = append(dst, `,"contextAttributes":`...)
			dst = appendStrings(dst, c.ContextAttributes)
			dst = append(dst, `,"timeToLive":{"timeToLiveInSeconds":`...)
			dst = platform.AppendInt(dst, int64(c.TimeToLive.TimeToLiveInSeconds))
			dst = append(dst, `,"turnsToLive":`...)
			dst = platform.AppendInt(dst, int64(c.TimeToLive.TurnsToLive))
			dst = append(dst, "}}"...)
		}
		dst = append(dst, `],"sessionAttributes":`...)
	} else {
		dst = append(dst, `{"sessionAttributes":`...)
	}
	dst = appendStrings(dst, s.SessionAttributes)
	dst = appendRuntimeHints(dst, s.RuntimeHints)
	if a := s.DialogAction; a != nil {
		dst = append(dst, `,"dialogAction":{"type":`...)
		dst = platform.AppendString(dst, a.Type)
		if a.SlotToElicit != "" {
			dst = append(dst, `,"slotToElicit":`...)
			dst = platform.AppendString(dst, a.SlotToElicit)
		}
		if a.SlotElicitationStyle != "" {
			dst = append(dst, `,"slotElicitationStyle":`...)
			dst = platform.AppendString(dst, a.SlotElicitationStyle)
		}
		if a.SubSlotToElicit != nil {
			dst = append(dst, `,"subSlotToElicit":`...)
			dst = appendElicitSubSlot(dst, a.SubSlotToElicit)
		}
		dst = append(dst, '}')
	}
	if in := s.Intent; in != nil {
		dst = append(dst, `,"intent":`...)
		var err error
		if dst, err = appendIntent(dst, in); err != nil {
			return nil, err
		}
	}
	if s.OriginatingRequestID != "" {
		dst = append(dst, `,"originatingRequestId":`...)
		dst = platform.AppendString(dst, s.OriginatingRequestID)
	}
	return append(dst, '}'), nil
}

// appendRuntimeHints writes the runtimeHints member (none when h is nil).
func appendRuntimeHints(dst []byte, h *RuntimeHints) []byte {
	if h == nil {
		return dst
	}
	dst = append(dst, `,"runtimeHints":{`...)
	if len(h.SlotHints) > 0 {
		dst = append(dst, `"slotHints":{`...)
		var keys [16]string
		for i, intent := range sortedKeys(keys[:0], h.SlotHints) {
			dst = platform.AppendKey(dst, intent, i == 0)
			dst = appendHints(dst, h.SlotHints[intent])
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendHints writes one intent's slot hints (a nil map as null, as it is not omitted).
func appendHints(dst []byte, m map[string]RuntimeHintDetails) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	var keys [16]string
	for i, k := range sortedKeys(keys[:0], m) {
		dst = platform.AppendKey(dst, k, i == 0)
		dst = appendHintDetails(dst, m[k])
	}
	return append(dst, '}')
}

func appendHintDetails(dst []byte, h RuntimeHintDetails) []byte {
	dst = append(dst, '{')
	if len(h.RuntimeHintValues) > 0 {
		dst = append(dst, `"runtimeHintValues":[`...)
		for i, v := range h.RuntimeHintValues {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"phrase":`...)
			dst = platform.AppendString(dst, v.Phrase)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if len(h.SubSlotHints) > 0 {
		dst = platform.AppendKey(dst, "subSlotHints", len(h.RuntimeHintValues) == 0)
		dst = appendHints(dst, h.SubSlotHints)
	}
	return append(dst, '}')
}

func appendElicitSubSlot(dst []byte, s *ElicitSubSlot) []byte {
	dst = append(dst, `{"name":`...)
	dst = platform.AppendString(dst, s.Name)
	if s.SubSlotToElicit != nil {
		dst = append(dst, `,"subSlotToElicit":`...)
		dst = appendElicitSubSlot(dst, s.SubSlotToElicit)
	}
	return append(dst, '}')
}

func appendIntent(dst []byte, in *Intent) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = platform.AppendString(dst, in.Name)
	if len(in.Slots) > 0 {
		dst = append(dst, `,"slots":`...)
		dst = appendSlots(dst, in.Slots)
	}
	if in.State != "" {
		dst = append(dst, `,"state":`...)
		dst = platform.AppendString(dst, in.State)
	}
	if in.ConfirmationState != "" {
		dst = append(dst, `,"confirmationState":`...)
		dst = platform.AppendString(dst, in.ConfirmationState)
	}
	if len(in.KendraResponse) > 0 {
		dst = append(dst, `,"kendraResponse":`...)
		var err error
		if dst, err = platform.AppendRaw(dst, in.KendraResponse); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendSlots writes a map of slots, a nil slot as null.
func appendSlots(dst []byte, m map[string]*Slot) []byte {
	dst = append(dst, '{')
	var keys [16]string
	for i, k := range sortedKeys(keys[:0], m) {
		dst = platform.AppendKey(dst, k, i == 0)
		if s := m[k]; s == nil {
			dst = append(dst, "null"...)
		} else {
			dst = appendSlot(dst, s)
		}
	}
	return append(dst, '}')
}

func appendSlot(dst []byte, s *Slot) []byte {
	dst = append(dst, '{')
	first := true
	key := func(name string) {
		dst = platform.AppendKey(dst, name, first)
		first = false
	}
	if s.Shape != "" {
		key("shape")
		dst = platform.AppendString(dst, s.Shape)
	}
	if v := s.Value; v != nil {
		key("value")
		dst = append(dst, `{"originalValue":`...)
		dst = platform.AppendString(dst, v.OriginalValue)
		dst = append(dst, `,"interpretedValue":`...)
		dst = platform.AppendString(dst, v.InterpretedValue)
		dst = append(dst, `,"resolvedValues":`...)
		if v.ResolvedValues == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for i, r := range v.ResolvedValues {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = platform.AppendString(dst, r)
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	if len(s.Values) > 0 {
		key("values")
		dst = append(dst, '[')
		for i := range s.Values {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendSlot(dst, &s.Values[i])
		}
		dst = append(dst, ']')
	}
	if len(s.SubSlots) > 0 {
		key("subSlots")
		dst = appendSlots(dst, s.SubSlots)
	}
	return append(dst, '}')
}

func appendMessage(dst []byte, m *Message) []byte {
	dst = append(dst, `{"contentType":`...)
	dst = platform.AppendString(dst, m.ContentType)
	if m.Content != "" {
		dst = append(dst, `,"content":`...)
		dst = platform.AppendString(dst, m.Content)
	}
	if c := m.ImageResponseCard; c != nil {
		dst = append(dst, `,"imageResponseCard":{"title":`...)
		dst = platform.AppendString(dst, c.Title)
		if c.Subtitle != "" {
			dst = append(dst, `,"subtitle":`...)
			dst = platform.AppendString(dst, c.Subtitle)
		}
		if c.ImageURL != "" {
			dst = append(dst, `,"imageUrl":`...)
			dst = platform.AppendString(dst, c.ImageURL)
		}
		if len(c.Buttons) > 0 {
			dst = append(dst, `,"buttons":[`...)
			for i, b := range c.Buttons {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"text":`...)
				dst = platform.AppendString(dst, b.Text)
				dst = append(dst, `,"value":`...)
				dst = platform.AppendString(dst, b.Value)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendStrings writes a map of strings with its keys sorted, as encoding/json does (a
// nil map as null: the fields that hold one are not omitempty, or are checked first).
func appendStrings(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	var keys [16]string
	for i, k := range sortedKeys(keys[:0], m) {
		dst = platform.AppendKey(dst, k, i == 0)
		dst = platform.AppendString(dst, m[k])
	}
	return append(dst, '}')
}

// sortedKeys appends a map's keys to ks in encoding/json's order (ks: a few on the
// caller's stack).
func sortedKeys[V any](ks []string, m map[string]V) []string {
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
