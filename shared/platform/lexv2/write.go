package lexv2

import (
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
)

// writeReply writes the response encodeStruct builds for reply (undefined: the slot to
// elicit is not one of the intent's), straight from the reply and the event: the
// session attributes, the intent's slots and the messages are written as they are
// worked out, with no cloned map, slot or message list in between.
// TestWriteReplyAsStruct and FuzzWriteReply hold the bytes equal to encodeStruct's.
func (c *Call) writeReply(reply conversation.Reply, undefined bool) (int, []byte, error) {
	var (
		msgs []string
		err  error
	)
	if undefined {
		msgs, err = messages(conversation.Reply{Outcome: conversation.OutcomeFulfilled, Messages: reply.Messages}, c.turn.Locale)
	} else {
		msgs, err = messages(reply, c.turn.Locale)
	}
	if err != nil {
		return 0, nil, err
	}
	in := c.Wire.SessionState.Intent
	action, slotToElicit, state := "", "", ""
	withIntent, setSlots := true, !undefined
	switch {
	case undefined && len(msgs) > 0:
		action, withIntent = ActionElicitIntent, false
		c.problems = undefinedProblem(reply, in.Name, "ElicitIntent with the prompt")
	case undefined:
		action, state = ActionClose, StateFailed
		msgs = []string{platform.DefaultText(conversation.OutcomeFailed, c.turn.Locale)}
		c.problems = undefinedProblem(reply, in.Name, "Close (Failed) with the default apology")
	default:
		switch reply.Outcome {
		case conversation.OutcomeFulfilled:
			action, state = ActionClose, StateFulfilled
		case conversation.OutcomeFailed, conversation.OutcomeUnknownIntent, conversation.OutcomeRejected:
			action, state = ActionClose, StateFailed
		case conversation.OutcomeElicitSlot:
			if reply.SlotToElicit == "" {
				return 0, nil, errElicitWithoutSlot
			}
			action, slotToElicit, state = ActionElicitSlot, reply.SlotToElicit, StateInProgress
		case conversation.OutcomeDelegate:
			action, state = ActionDelegate, in.State
			if state == "" {
				state = StateInProgress
			}
		}
	}
	var cs []*ImageResponseCard
	if !undefined && !c.plain && !c.speech() {
		cs = cards(reply.Rich, msgs)
		cs = cs[:min(len(cs), max(0, MaxMessages-len(msgs)))]
	}

	b := platform.GetBuffer()
	defer b.Free()
	dst := append(b.B, `{"sessionState":{`...)
	if ctxs := c.Wire.SessionState.ActiveContexts; len(ctxs) > 0 {
		dst = append(dst, `"activeContexts":[`...)
		for i := range ctxs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendContext(dst, &ctxs[i])
		}
		dst = append(dst, "],"...)
	}
	dst = append(dst, `"sessionAttributes":`...)
	dst = c.appendAttributes(dst, &reply)
	dst = appendRuntimeHints(dst, c.Wire.SessionState.RuntimeHints)
	dst = append(dst, `,"dialogAction":{"type":`...)
	dst = platform.AppendString(dst, action)
	if slotToElicit != "" {
		dst = append(dst, `,"slotToElicit":`...)
		dst = platform.AppendString(dst, slotToElicit)
	}
	dst = append(dst, '}')
	if withIntent {
		dst = append(dst, `,"intent":{"name":`...)
		dst = platform.AppendString(dst, in.Name)
		if len(in.Slots) > 0 {
			dst = append(dst, `,"slots":`...)
			dst = appendReplySlots(dst, in.Slots, &reply, setSlots)
		}
		if state != "" {
			dst = append(dst, `,"state":`...)
			dst = platform.AppendString(dst, state)
		}
		if in.ConfirmationState != "" {
			dst = append(dst, `,"confirmationState":`...)
			dst = platform.AppendString(dst, in.ConfirmationState)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, '}')
	if len(msgs)+len(cs) > 0 {
		dst = append(dst, `,"messages":[`...)
		for i, m := range msgs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendMessage(dst, &Message{ContentType: ContentPlainText, Content: m})
		}
		for i, card := range cs {
			if i+len(msgs) > 0 {
				dst = append(dst, ',')
			}
			dst = appendMessage(dst, &Message{ContentType: ContentImageResponseCard, ImageResponseCard: card})
		}
		dst = append(dst, ']')
	}
	b.B = append(dst, '}')
	return 200, b.Body(), nil
}

// appendContext writes an active context without an identity_token attribute.
func appendContext(dst []byte, c *ActiveContext) []byte {
	dst = append(dst, `{"name":`...)
	dst = platform.AppendString(dst, c.Name)
	dst = append(dst, `,"contextAttributes":`...)
	if c.ContextAttributes == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '{')
		var keys [16]string
		first := true
		for _, k := range sortedKeys(keys[:0], c.ContextAttributes) {
			if k == conversation.IdentityField {
				continue
			}
			dst = platform.AppendKey(dst, k, first)
			dst = platform.AppendString(dst, c.ContextAttributes[k])
			first = false
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"timeToLive":{"timeToLiveInSeconds":`...)
	dst = platform.AppendInt(dst, int64(c.TimeToLive.TimeToLiveInSeconds))
	dst = append(dst, `,"turnsToLive":`...)
	dst = platform.AppendInt(dst, int64(c.TimeToLive.TurnsToLive))
	return append(dst, "}}"...)
}

// appendAttributes writes the session attributes the response returns: the event's
// without an identity token, with the reply's SetSlots that are not slots of the intent
// applied (nil removing), then platform.LexAttributes' two.
func (c *Call) appendAttributes(dst []byte, reply *conversation.Reply) []byte {
	wire := c.Wire.SessionState.SessionAttributes
	slots := c.Wire.SessionState.Intent.Slots
	// set reports whether SetSlots sets or removes the attribute k, and to what.
	set := func(k string) (*string, bool) {
		v, ok := reply.SetSlots[k]
		if !ok || k == conversation.IdentityField {
			return nil, false
		}
		_, isSlot := slots[k]
		return v, !isSlot
	}
	var buf [24]string
	keys := append(buf[:0], platform.LexFallbackAttribute, platform.LexOutcomeAttribute)
	for k := range wire {
		if _, ok := set(k); ok || k == conversation.IdentityField || k == platform.LexOutcomeAttribute || k == platform.LexFallbackAttribute {
			continue
		}
		keys = append(keys, k)
	}
	for k := range reply.SetSlots {
		if v, ok := set(k); ok && v != nil && k != platform.LexOutcomeAttribute && k != platform.LexFallbackAttribute {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		dst = platform.AppendKey(dst, k, i == 0)
		switch k {
		case platform.LexOutcomeAttribute:
			dst = platform.AppendString(dst, string(reply.Outcome))
		case platform.LexFallbackAttribute:
			dst = platform.AppendString(dst, strconv.FormatBool(reply.Fallback))
		default:
			if v, ok := set(k); ok {
				dst = platform.AppendString(dst, *v)
			} else {
				dst = platform.AppendString(dst, wire[k])
			}
		}
	}
	return append(dst, '}')
}

// appendReplySlots writes the intent's slots as the response returns them: an
// identity_token slot null; with setSlots, the slot to elicit null and the reply's
// SetSlots applied (nil clearing); the others as cloneSlot leaves them.
func appendReplySlots(dst []byte, slots map[string]*Slot, reply *conversation.Reply, setSlots bool) []byte {
	dst = append(dst, '{')
	var keys [16]string
	for i, k := range sortedKeys(keys[:0], slots) {
		dst = platform.AppendKey(dst, k, i == 0)
		if k == conversation.IdentityField || setSlots && reply.Outcome == conversation.OutcomeElicitSlot && k == reply.SlotToElicit {
			dst = append(dst, "null"...)
			continue
		}
		if setSlots {
			if v, ok := reply.SetSlots[k]; ok {
				if v == nil {
					dst = append(dst, "null"...)
				} else {
					dst = append(dst, `{"value":{"originalValue":`...)
					dst = platform.AppendString(dst, *v)
					dst = append(dst, `,"interpretedValue":`...)
					dst = platform.AppendString(dst, *v)
					dst = append(dst, `,"resolvedValues":[]}}`...)
				}
				continue
			}
		}
		dst = appendCleanSlot(dst, slots[k])
	}
	return append(dst, '}')
}

// keptValue is the interpretedValue cloneSlot gives a slot value: the interpreted
// value, else the trimmed original value; "" when the value is left out.
func keptValue(v *SlotValue) string {
	if v == nil {
		return ""
	}
	if strings.TrimSpace(v.InterpretedValue) != "" {
		return v.InterpretedValue
	}
	return strings.TrimSpace(v.OriginalValue)
}

// slotKept reports whether cloneSlot(s) is not nil.
func slotKept(s *Slot) bool {
	if s == nil {
		return false
	}
	if keptValue(s.Value) != "" || len(s.SubSlots) > 0 {
		return true
	}
	for i := range s.Values {
		if slotKept(&s.Values[i]) {
			return true
		}
	}
	return false
}

// appendCleanSlot writes cloneSlot(s) (null when nil) without making it.
func appendCleanSlot(dst []byte, s *Slot) []byte {
	if !slotKept(s) {
		return append(dst, "null"...)
	}
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
	if iv := keptValue(s.Value); iv != "" {
		key("value")
		dst = append(dst, `{"originalValue":`...)
		dst = platform.AppendString(dst, s.Value.OriginalValue)
		dst = append(dst, `,"interpretedValue":`...)
		dst = platform.AppendString(dst, iv)
		dst = append(dst, `,"resolvedValues":[`...)
		for i, r := range s.Value.ResolvedValues {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = platform.AppendString(dst, r)
		}
		dst = append(dst, "]}"...)
	}
	n := 0
	for i := range s.Values {
		if !slotKept(&s.Values[i]) {
			continue
		}
		if n == 0 {
			key("values")
			dst = append(dst, '[')
		} else {
			dst = append(dst, ',')
		}
		dst = appendCleanSlot(dst, &s.Values[i])
		n++
	}
	if n > 0 {
		dst = append(dst, ']')
	}
	if len(s.SubSlots) > 0 {
		key("subSlots")
		dst = append(dst, '{')
		var keys [16]string
		for i, k := range sortedKeys(keys[:0], s.SubSlots) {
			dst = platform.AppendKey(dst, k, i == 0)
			if k == conversation.IdentityField {
				dst = append(dst, "null"...)
			} else {
				dst = appendCleanSlot(dst, s.SubSlots[k])
			}
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}
