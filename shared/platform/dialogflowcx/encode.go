package dialogflowcx

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// The reply is written field by field, in the bytes platform.EncodeJSON writes for
// the same WebhookResponse (struct order, omitempty, map keys sorted, no HTML escaping):
// no reflection, no intermediate values. TestEncodeAsEncodeJSON holds the two equal.

// marshal encodes a response (through platform.EncodeJSON before Go 1.27).
func marshal(resp *WebhookResponse) ([]byte, error) {
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
		return nil, fmt.Errorf("dialogflowcx: encode response: %w", err)
	}
	return body, nil
}

func appendResponse(dst []byte, r *WebhookResponse) ([]byte, error) {
	var err error
	dst = append(dst, '{')
	first := true
	key := func(name string) {
		dst = platform.AppendKey(dst, name, first)
		first = false
	}
	if f := r.FulfillmentResponse; f != nil {
		key("fulfillmentResponse")
		dst = append(dst, '{')
		if len(f.Messages) > 0 {
			dst = append(dst, `"messages":[`...)
			for i := range f.Messages {
				if i > 0 {
					dst = append(dst, ',')
				}
				if dst, err = appendMessage(dst, &f.Messages[i]); err != nil {
					return nil, err
				}
			}
			dst = append(dst, ']')
		}
		if f.MergeBehavior != "" {
			if len(f.Messages) > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `"mergeBehavior":`...)
			dst = platform.AppendString(dst, f.MergeBehavior)
		}
		dst = append(dst, '}')
	}
	if p := r.PageInfo; p != nil {
		key("pageInfo")
		if dst, err = appendPageInfo(dst, p); err != nil {
			return nil, err
		}
	}
	if s := r.SessionInfo; s != nil {
		key("sessionInfo")
		dst = append(dst, '{')
		if s.Session != "" {
			dst = append(dst, `"session":`...)
			dst = platform.AppendString(dst, s.Session)
		}
		if len(s.Parameters) > 0 {
			dst = platform.AppendKey(dst, "parameters", s.Session == "")
			if dst, err = appendParams(dst, s.Parameters); err != nil {
				return nil, err
			}
		}
		dst = append(dst, '}')
	}
	if len(r.Payload) > 0 {
		key("payload")
		if dst, err = platform.AppendRaw(dst, r.Payload); err != nil {
			return nil, err
		}
	}
	if r.TargetPage != "" {
		key("targetPage")
		dst = platform.AppendString(dst, r.TargetPage)
	}
	if r.TargetFlow != "" {
		key("targetFlow")
		dst = platform.AppendString(dst, r.TargetFlow)
	}
	return append(dst, '}'), nil
}

func appendPageInfo(dst []byte, p *PageInfo) ([]byte, error) {
	var err error
	dst = append(dst, '{')
	first := true
	key := func(name string) {
		dst = platform.AppendKey(dst, name, first)
		first = false
	}
	if p.CurrentPage != "" {
		key("currentPage")
		dst = platform.AppendString(dst, p.CurrentPage)
	}
	if p.DisplayName != "" {
		key("displayName")
		dst = platform.AppendString(dst, p.DisplayName)
	}
	if f := p.FormInfo; f != nil {
		key("formInfo")
		dst = append(dst, '{')
		if len(f.ParameterInfo) > 0 {
			dst = append(dst, `"parameterInfo":[`...)
			for i, pi := range f.ParameterInfo {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"displayName":`...)
				dst = platform.AppendString(dst, pi.DisplayName)
				if pi.Required {
					dst = append(dst, `,"required":true`...)
				}
				dst = append(dst, `,"state":`...)
				dst = platform.AppendString(dst, pi.State)
				if len(pi.Value) > 0 {
					dst = append(dst, `,"value":`...)
					if dst, err = platform.AppendRaw(dst, pi.Value); err != nil {
						return nil, err
					}
				}
				if pi.JustCollected {
					dst = append(dst, `,"justCollected":true`...)
				}
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// appendParams writes a parameter map with its keys sorted, as encoding/json does.
func appendParams(dst []byte, m map[string]json.RawMessage) ([]byte, error) {
	var keys [16]string
	ks := keys[:0]
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	var err error
	dst = append(dst, '{')
	for i, k := range ks {
		dst = platform.AppendKey(dst, k, i == 0)
		if dst, err = platform.AppendRaw(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

func appendMessage(dst []byte, m *ResponseMessage) ([]byte, error) {
	var err error
	dst = append(dst, '{')
	first := true
	key := func(name string) {
		dst = platform.AppendKey(dst, name, first)
		first = false
	}
	if m.Text != nil {
		key("text")
		dst = append(dst, `{"text":`...)
		if m.Text.Text == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for i, s := range m.Text.Text {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = platform.AppendString(dst, s)
			}
			dst = append(dst, ']')
		}
		if m.Text.AllowPlaybackInterruption {
			dst = append(dst, `,"allowPlaybackInterruption":true`...)
		}
		dst = append(dst, '}')
	}
	for _, f := range [...]struct {
		name string
		raw  json.RawMessage
	}{
		{"payload", m.Payload}, {"conversationSuccess", m.ConversationSuccess}, {"outputAudioText", m.OutputAudioText},
		{"liveAgentHandoff", m.LiveAgentHandoff}, {"endInteraction", m.EndInteraction}, {"playAudio", m.PlayAudio},
		{"mixedAudio", m.MixedAudio}, {"telephonyTransferCall", m.TelephonyTransferCall}, {"knowledgeInfoCard", m.KnowledgeInfoCard},
	} {
		if len(f.raw) > 0 {
			key(f.name)
			if dst, err = platform.AppendRaw(dst, f.raw); err != nil {
				return nil, err
			}
		}
	}
	if m.Channel != "" {
		key("channel")
		dst = platform.AppendString(dst, m.Channel)
	}
	return append(dst, '}'), nil
}
