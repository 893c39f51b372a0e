//go:build go1.27

package lexv2

import "github.com/switchboard-dev/switchboard/shared/platform"

// fastDecode fills e from body as json.Unmarshal would, or reports false, leaving the
// event to json.Unmarshal (platform.FastDecode says when). A confidence is read on the
// fast path only as a number or {"score": number}; a string stops it.
func fastDecode(body []byte, e *Event) bool {
	return platform.FastDecode(body, func(d *platform.Dec) { decodeEvent(d, e) })
}

var (
	eventFields = []string{"messageVersion", "invocationSource", "inputMode", "responseContentType", "sessionId",
		"inputTranscript", "invocationLabel", "bot", "interpretations", "proposedNextState", "requestAttributes",
		"sessionState", "transcriptions"}
	botFields            = []string{"id", "name", "localeId", "version", "aliasId", "aliasName"}
	interpFields         = []string{"interpretationSource", "intent", "nluConfidence", "sentimentResponse"}
	sentimentFields      = []string{"sentiment", "sentimentScore"}
	scoreFields          = []string{"mixed", "negative", "neutral", "positive"}
	nextStateFields      = []string{"dialogAction", "intent", "prompt"}
	promptFields         = []string{"attempt"}
	sessionFields        = []string{"activeContexts", "sessionAttributes", "runtimeHints", "dialogAction", "intent", "originatingRequestId"}
	contextFields        = []string{"name", "contextAttributes", "timeToLive"}
	ttlFields            = []string{"timeToLiveInSeconds", "turnsToLive"}
	hintsFields          = []string{"slotHints"}
	hintDetailsFields    = []string{"runtimeHintValues", "subSlotHints"}
	hintValueFields      = []string{"phrase"}
	dialogActionFields   = []string{"type", "slotToElicit", "slotElicitationStyle", "subSlotToElicit"}
	subSlotFields        = []string{"name", "subSlotToElicit"}
	intentFields         = []string{"name", "slots", "state", "confirmationState", "kendraResponse"}
	slotFields           = []string{"shape", "value", "values", "subSlots"}
	slotValueFields      = []string{"originalValue", "interpretedValue", "resolvedValues"}
	transcriptionFields  = []string{"transcription", "transcriptionConfidence", "resolvedContext", "resolvedSlots"}
	resolvedContextField = []string{"intent"}
	confidenceFields     = []string{"score"}
)

// str reads a string; a null leaves the string empty, as Unmarshal leaves it.
func str(d *platform.Dec) string {
	if d.Null() {
		return ""
	}
	return d.String()
}

// strMap reads a map of strings (null values as "", as Unmarshal stores them).
func strMap(d *platform.Dec) map[string]string {
	if d.Null() {
		return nil
	}
	m := map[string]string{}
	for d.Object(); ; {
		k, ok := d.Key()
		if !ok {
			return m
		}
		m[k] = str(d)
	}
}

func decodeEvent(d *platform.Dec, e *Event) {
	for d.Object(); ; {
		switch d.Next(eventFields) {
		case "":
			return
		case "messageVersion":
			e.MessageVersion = str(d)
		case "invocationSource":
			e.InvocationSource = str(d)
		case "inputMode":
			e.InputMode = str(d)
		case "responseContentType":
			e.ResponseContentType = str(d)
		case "sessionId":
			e.SessionID = str(d)
		case "inputTranscript":
			e.InputTranscript = str(d)
		case "invocationLabel":
			e.InvocationLabel = str(d)
		case "bot":
			if !d.Null() {
				decodeBot(d, &e.Bot)
			}
		case "interpretations":
			if !d.Null() {
				e.Interpretations = []Interpretation{}
				for d.Array(); d.More(); {
					e.Interpretations = append(e.Interpretations, Interpretation{})
					decodeInterpretation(d, &e.Interpretations[len(e.Interpretations)-1])
				}
			}
		case "proposedNextState":
			if !d.Null() {
				e.ProposedNextState = &ProposedNextState{}
				decodeNextState(d, e.ProposedNextState)
			}
		case "requestAttributes":
			e.RequestAttributes = strMap(d)
		case "sessionState":
			if !d.Null() {
				decodeSessionState(d, &e.SessionState)
			}
		case "transcriptions":
			if !d.Null() {
				e.Transcriptions = []Transcription{}
				for d.Array(); d.More(); {
					e.Transcriptions = append(e.Transcriptions, Transcription{})
					decodeTranscription(d, &e.Transcriptions[len(e.Transcriptions)-1])
				}
			}
		}
	}
}

func decodeBot(d *platform.Dec, b *Bot) {
	for d.Object(); ; {
		switch d.Next(botFields) {
		case "":
			return
		case "id":
			b.ID = str(d)
		case "name":
			b.Name = str(d)
		case "localeId":
			b.LocaleID = str(d)
		case "version":
			b.Version = str(d)
		case "aliasId":
			b.AliasID = str(d)
		case "aliasName":
			b.AliasName = str(d)
		}
	}
}

// confidence reads a *Confidence: null, a number or {"score": number}; anything else
// (a string, a score that is not a number) stops the fast path.
func confidence(d *platform.Dec) *Confidence {
	if d.Null() {
		return nil
	}
	var c Confidence
	if d.IsObject() {
		found := false
		for d.Object(); d.Next(confidenceFields) != ""; {
			c, found = Confidence(d.Float()), true
		}
		if !found {
			d.Fail() // Unmarshal refuses it
		}
		return &c
	}
	c = Confidence(d.Float())
	return &c
}

func decodeInterpretation(d *platform.Dec, in *Interpretation) {
	for d.Object(); ; {
		switch d.Next(interpFields) {
		case "":
			return
		case "interpretationSource":
			in.InterpretationSource = str(d)
		case "intent":
			if !d.Null() {
				decodeIntent(d, &in.Intent)
			}
		case "nluConfidence":
			in.NluConfidence = confidence(d)
		case "sentimentResponse":
			if !d.Null() {
				s := &SentimentResponse{}
				in.SentimentResponse = s
				for d.Object(); ; {
					name := d.Next(sentimentFields)
					if name == "" {
						break
					}
					if name == "sentiment" {
						s.Sentiment = str(d)
					} else if !d.Null() {
						decodeScore(d, &s.SentimentScore)
					}
				}
			}
		}
	}
}

func decodeScore(d *platform.Dec, s *SentimentScore) {
	for d.Object(); ; {
		switch d.Next(scoreFields) {
		case "":
			return
		case "mixed":
			s.Mixed = d.Float()
		case "negative":
			s.Negative = d.Float()
		case "neutral":
			s.Neutral = d.Float()
		case "positive":
			s.Positive = d.Float()
		}
	}
}

func decodeNextState(d *platform.Dec, n *ProposedNextState) {
	for d.Object(); ; {
		switch d.Next(nextStateFields) {
		case "":
			return
		case "dialogAction":
			n.DialogAction = dialogAction(d)
		case "intent":
			n.Intent = intentPtr(d)
		case "prompt":
			if !d.Null() {
				p := &Prompt{}
				n.Prompt = p
				for d.Object(); d.Next(promptFields) != ""; {
					p.Attempt = str(d)
				}
			}
		}
	}
}

func decodeSessionState(d *platform.Dec, s *SessionState) {
	for d.Object(); ; {
		switch d.Next(sessionFields) {
		case "":
			return
		case "activeContexts":
			if !d.Null() {
				s.ActiveContexts = []ActiveContext{}
				for d.Array(); d.More(); {
					s.ActiveContexts = append(s.ActiveContexts, ActiveContext{})
					decodeContext(d, &s.ActiveContexts[len(s.ActiveContexts)-1])
				}
			}
		case "sessionAttributes":
			s.SessionAttributes = strMap(d)
		case "runtimeHints":
			if !d.Null() {
				h := &RuntimeHints{}
				s.RuntimeHints = h
				for d.Object(); d.Next(hintsFields) != ""; {
					h.SlotHints = nil
					if d.Null() {
						continue
					}
					h.SlotHints = map[string]map[string]RuntimeHintDetails{}
					for d.Object(); ; {
						k, ok := d.Key()
						if !ok {
							break
						}
						h.SlotHints[k] = hintDetailsMap(d)
					}
				}
			}
		case "dialogAction":
			s.DialogAction = dialogAction(d)
		case "intent":
			s.Intent = intentPtr(d)
		case "originatingRequestId":
			s.OriginatingRequestID = str(d)
		}
	}
}

func decodeContext(d *platform.Dec, c *ActiveContext) {
	for d.Object(); ; {
		switch d.Next(contextFields) {
		case "":
			return
		case "name":
			c.Name = str(d)
		case "contextAttributes":
			c.ContextAttributes = strMap(d)
		case "timeToLive":
			if d.Null() {
				continue
			}
			for d.Object(); ; {
				name := d.Next(ttlFields)
				if name == "" {
					break
				}
				if name == "timeToLiveInSeconds" {
					c.TimeToLive.TimeToLiveInSeconds = d.Int()
				} else {
					c.TimeToLive.TurnsToLive = d.Int()
				}
			}
		}
	}
}

// hintDetailsMap reads a map of runtime hint details (a null value stops the fast
// path).
func hintDetailsMap(d *platform.Dec) map[string]RuntimeHintDetails {
	if d.Null() {
		return nil
	}
	m := map[string]RuntimeHintDetails{}
	for d.Object(); ; {
		k, ok := d.Key()
		if !ok {
			return m
		}
		var h RuntimeHintDetails
		decodeHintDetails(d, &h)
		m[k] = h
	}
}

func decodeHintDetails(d *platform.Dec, h *RuntimeHintDetails) {
	for d.Object(); ; {
		switch d.Next(hintDetailsFields) {
		case "":
			return
		case "runtimeHintValues":
			if !d.Null() {
				h.RuntimeHintValues = []RuntimeHintValue{}
				for d.Array(); d.More(); {
					var v RuntimeHintValue
					for d.Object(); d.Next(hintValueFields) != ""; {
						v.Phrase = str(d)
					}
					h.RuntimeHintValues = append(h.RuntimeHintValues, v)
				}
			}
		case "subSlotHints":
			h.SubSlotHints = hintDetailsMap(d)
		}
	}
}

func dialogAction(d *platform.Dec) *DialogAction {
	if d.Null() {
		return nil
	}
	a := &DialogAction{}
	for d.Object(); ; {
		switch d.Next(dialogActionFields) {
		case "":
			return a
		case "type":
			a.Type = str(d)
		case "slotToElicit":
			a.SlotToElicit = str(d)
		case "slotElicitationStyle":
			a.SlotElicitationStyle = str(d)
		case "subSlotToElicit":
			a.SubSlotToElicit = subSlot(d)
		}
	}
}

func subSlot(d *platform.Dec) *ElicitSubSlot {
	if d.Null() {
		return nil
	}
	s := &ElicitSubSlot{}
	for d.Object(); ; {
		switch d.Next(subSlotFields) {
		case "":
			return s
		case "name":
			s.Name = str(d)
		case "subSlotToElicit":
			s.SubSlotToElicit = subSlot(d)
		}
	}
}

func intentPtr(d *platform.Dec) *Intent {
	if d.Null() {
		return nil
	}
	in := &Intent{}
	decodeIntent(d, in)
	return in
}

func decodeIntent(d *platform.Dec, in *Intent) {
	for d.Object(); ; {
		switch d.Next(intentFields) {
		case "":
			return
		case "name":
			in.Name = str(d)
		case "slots":
			in.Slots = slotMap(d)
		case "state":
			in.State = str(d)
		case "confirmationState":
			in.ConfirmationState = str(d)
		case "kendraResponse":
			in.KendraResponse = d.RawOrNull()
		}
	}
}

// slotMap reads a map of slots (a null slot is kept as nil, as Unmarshal keeps it).
func slotMap(d *platform.Dec) map[string]*Slot {
	if d.Null() {
		return nil
	}
	m := map[string]*Slot{}
	for d.Object(); ; {
		k, ok := d.Key()
		if !ok {
			return m
		}
		if d.Null() {
			m[k] = nil
			continue
		}
		s := &Slot{}
		decodeSlot(d, s)
		m[k] = s
	}
}

func decodeSlot(d *platform.Dec, s *Slot) {
	for d.Object(); ; {
		switch d.Next(slotFields) {
		case "":
			return
		case "shape":
			s.Shape = str(d)
		case "value":
			if !d.Null() {
				v := &SlotValue{}
				s.Value = v
				decodeSlotValue(d, v)
			}
		case "values":
			if !d.Null() {
				s.Values = []Slot{}
				for d.Array(); d.More(); {
					s.Values = append(s.Values, Slot{})
					decodeSlot(d, &s.Values[len(s.Values)-1])
				}
			}
		case "subSlots":
			s.SubSlots = slotMap(d)
		}
	}
}

func decodeSlotValue(d *platform.Dec, v *SlotValue) {
	for d.Object(); ; {
		switch d.Next(slotValueFields) {
		case "":
			return
		case "originalValue":
			v.OriginalValue = str(d)
		case "interpretedValue":
			v.InterpretedValue = str(d)
		case "resolvedValues":
			if !d.Null() {
				v.ResolvedValues = d.Strings()
			}
		}
	}
}

func decodeTranscription(d *platform.Dec, t *Transcription) {
	for d.Object(); ; {
		switch d.Next(transcriptionFields) {
		case "":
			return
		case "transcription":
			t.Transcription = str(d)
		case "transcriptionConfidence":
			t.TranscriptionConfidence = confidence(d)
		case "resolvedContext":
			if !d.Null() {
				r := &ResolvedContext{}
				t.ResolvedContext = r
				for d.Object(); d.Next(resolvedContextField) != ""; {
					r.Intent = str(d)
				}
			}
		case "resolvedSlots":
			t.ResolvedSlots = slotMap(d)
		}
	}
}
