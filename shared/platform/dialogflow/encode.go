package dialogflow

import (
	"encoding/json"
	"slices"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// The reply is written field by field, in the bytes platform.EncodeJSON writes for
// the same WebhookResponse (struct order, omitempty, map keys sorted, no HTML escaping):
// no reflection, no intermediate values. TestEncodeAsEncodeJSON holds the two equal.

// marshal encodes a response (through platform.EncodeJSON before Go 1.27).
func marshal(resp *WebhookResponse) ([]byte, error) {
	if !platform.HandEncode {
		return platform.EncodeJSON(resp)
	}
	return encodePooled(resp, nil)
}

// marshalReply encodes resp with the messages setMessages would set in it, the
// payload platform.OutcomePayload makes for the outcome and, with parts.ctx, the
// output contexts parts.ctx.build() makes (resp's own FulfillmentText,
// FulfillmentMessages, Payload and, with parts.ctx, OutputContexts are not read),
// without building them: TestMarshalReplyAsSetMessages holds the two equal.
func marshalReply(resp *WebhookResponse, parts *replyParts) ([]byte, error) {
	if !platform.HandEncode {
		setMessages(resp, parts.msgs, parts.rich)
		o := parts.outcome
		resp.Payload = platform.OutcomePayload(conversation.Reply{Outcome: o.Outcome, Fallback: o.Fallback})
		if parts.ctx != nil {
			resp.OutputContexts = parts.ctx.build()
		}
		return platform.EncodeJSON(resp)
	}
	return encodePooled(resp, parts)
}

// replyParts are a reply's texts, rich messages, outcome and, unless nil, its
// switchboard context.
type replyParts struct {
	msgs    []string
	rich    []Message
	outcome platform.WireOutcome
	ctx     *ownCtx
}

func encodePooled(resp *WebhookResponse, m *replyParts) ([]byte, error) {
	b := platform.GetBuffer()
	defer b.Free()
	var err error
	if b.B, err = appendResponse(b.B, resp, m); err != nil {
		return nil, err
	}
	return b.Body(), nil
}

// appendResponse writes r; with m, r's messages are those setMessages sets from m and
// its payload the outcome's.
func appendResponse(dst []byte, r *WebhookResponse, m *replyParts) ([]byte, error) {
	var err error
	dst = append(dst, '{')
	first := true
	key := func(name string) {
		dst = platform.AppendKey(dst, name, first)
		first = false
	}
	if m != nil {
		// fulfillmentText is the texts joined by spaces, fulfillmentMessages a text
		// message per text, then the rich messages.
		if n := len(m.msgs) - 1 + textBytes(m.msgs); n > 0 {
			key("fulfillmentText")
			dst = append(dst, '"')
			for i, s := range m.msgs {
				if i > 0 {
					dst = append(dst, ' ')
				}
				dst = platform.AppendEscaped(dst, s)
			}
			dst = append(dst, '"')
		}
		if len(m.msgs)+len(m.rich) > 0 {
			key("fulfillmentMessages")
			dst = append(dst, '[')
			for i, s := range m.msgs {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"text":{"text":[`...)
				dst = platform.AppendString(dst, s)
				dst = append(dst, `]}}`...)
			}
			for i := range m.rich {
				if i > 0 || len(m.msgs) > 0 {
					dst = append(dst, ',')
				}
				if dst, err = appendMessage(dst, &m.rich[i]); err != nil {
					return nil, err
				}
			}
			dst = append(dst, ']')
		}
	} else if r.FulfillmentText != "" {
		key("fulfillmentText")
		dst = platform.AppendString(dst, r.FulfillmentText)
	}
	if m == nil && len(r.FulfillmentMessages) > 0 {
		key("fulfillmentMessages")
		dst = append(dst, '[')
		for i := range r.FulfillmentMessages {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendMessage(dst, &r.FulfillmentMessages[i]); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	}
	if r.Source != "" {
		key("source")
		dst = platform.AppendString(dst, r.Source)
	}
	if m != nil {
		// OutcomePayload's bytes, which AppendRaw writes as they are: compact, and
		// AppendString escapes U+2028 and U+2029.
		key("payload")
		dst = append(dst, `{"switchboard":`...)
		dst = append(platform.AppendOutcome(dst, m.outcome), '}')
	} else if len(r.Payload) > 0 {
		key("payload")
		if dst, err = platform.AppendRaw(dst, r.Payload); err != nil {
			return nil, err
		}
	}
	if m != nil && m.ctx != nil {
		var buf [16]param
		if ps, ok := m.ctx.params(buf[:0]); ok {
			// build's one context: its name, lifespan and parameters (values as
			// jsonString makes them, which AppendRaw copies as they are).
			key("outputContexts")
			dst = append(dst, `[{"name":"`...)
			dst = platform.AppendEscaped(dst, m.ctx.session) // and an ASCII suffix: the escapes of the whole name
			dst = append(dst, `/contexts/`+ContextID+`","lifespanCount":`...)
			dst = platform.AppendInt(dst, ContextLifespan)
			if len(ps) > 0 {
				dst = append(dst, `,"parameters":{`...)
				for i, p := range ps {
					dst = platform.AppendKey(dst, p.key, i == 0)
					dst = platform.AppendMarshalString(dst, p.value)
				}
				dst = append(dst, '}')
			}
			dst = append(dst, "}]"...)
		}
	} else if len(r.OutputContexts) > 0 {
		key("outputContexts")
		dst = append(dst, '[')
		for i, c := range r.OutputContexts {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"name":`...)
			dst = platform.AppendString(dst, c.Name)
			if c.LifespanCount != 0 {
				dst = append(dst, `,"lifespanCount":`...)
				dst = platform.AppendInt(dst, int64(c.LifespanCount))
			}
			if len(c.Parameters) > 0 {
				dst = append(dst, `,"parameters":`...)
				if dst, err = appendParams(dst, c.Parameters); err != nil {
					return nil, err
				}
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if e := r.FollowupEventInput; e != nil {
		key("followupEventInput")
		dst = append(dst, `{"name":`...)
		dst = platform.AppendString(dst, e.Name)
		if len(e.Parameters) > 0 {
			dst = append(dst, `,"parameters":`...)
			if dst, err = appendParams(dst, e.Parameters); err != nil {
				return nil, err
			}
		}
		dst = append(dst, `,"languageCode":`...)
		dst = platform.AppendString(dst, e.LanguageCode)
		dst = append(dst, '}')
	}
	if len(r.SessionEntityTypes) > 0 {
		key("sessionEntityTypes")
		if dst, err = platform.AppendRaw(dst, r.SessionEntityTypes); err != nil {
			return nil, err
		}
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

func appendMessage(dst []byte, m *Message) ([]byte, error) {
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
		dst = append(dst, '}')
	}
	for _, f := range [...]struct {
		name string
		raw  json.RawMessage
	}{
		{"image", m.Image}, {"quickReplies", m.QuickReplies}, {"card", m.Card}, {"payload", m.Payload},
		{"simpleResponses", m.SimpleResponses}, {"basicCard", m.BasicCard}, {"suggestions", m.Suggestions},
		{"linkOutSuggestion", m.LinkOutSuggestion}, {"listSelect", m.ListSelect}, {"carouselSelect", m.CarouselSelect},
		{"browseCarouselCard", m.BrowseCarouselCard}, {"tableCard", m.TableCard}, {"mediaContent", m.MediaContent},
	} {
		if len(f.raw) > 0 {
			key(f.name)
			if dst, err = platform.AppendRaw(dst, f.raw); err != nil {
				return nil, err
			}
		}
	}
	if m.Platform != "" {
		key("platform")
		dst = platform.AppendString(dst, m.Platform)
	}
	return append(dst, '}'), nil
}
