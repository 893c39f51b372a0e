//go:build go1.27

package dialogflowcx

import (
	"encoding/json"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// fastDecode fills w from body as json.Unmarshal (WebhookRequest.UnmarshalJSON, with
// its snake_case names) would, or reports false, leaving the request to json.Unmarshal
// (platform.FastDecode says when). Each level reads both spellings of a field and
// merges them as snake.go does: the camelCase value wins, the snake_case one fills in
// what it left empty. A null array element or map value and a parameter named twice
// also stop the fast path.
func fastDecode(body []byte, w *WebhookRequest) bool {
	return platform.FastDecode(body, func(d *platform.Dec) { decodeRequest(d, w) })
}

// The names of every field of the wire types in snake.go (and of the types they keep
// as they are): a member that matches one only regardless of case stops the fast path.
var (
	requestFields = []string{"detectIntentResponseId", "detect_intent_response_id", "text", "triggerIntent",
		"trigger_intent", "transcript", "triggerEvent", "trigger_event", "dtmfDigits", "dtmf_digits", "languageCode",
		"language_code", "fulfillmentInfo", "fulfillment_info", "intentInfo", "intent_info", "pageInfo", "page_info",
		"sessionInfo", "session_info", "messages", "payload", "sentimentAnalysisResult", "sentiment_analysis_result",
		"languageInfo", "language_info"}
	fulfillmentFields = []string{"tag"}
	intentInfoFields  = []string{"lastMatchedIntent", "last_matched_intent", "displayName", "display_name", "parameters",
		"confidence"}
	paramValueFields    = []string{"originalValue", "original_value", "resolvedValue", "resolved_value"}
	pageInfoFields      = []string{"currentPage", "current_page", "displayName", "display_name", "formInfo", "form_info"}
	formInfoFields      = []string{"parameterInfo", "parameter_info"}
	parameterInfoFields = []string{"displayName", "display_name", "required", "state", "value", "justCollected",
		"just_collected"}
	sessionInfoFields = []string{"session", "parameters"}
	messageFields     = []string{"text", "payload", "conversationSuccess", "outputAudioText", "liveAgentHandoff",
		"endInteraction", "playAudio", "mixedAudio", "telephonyTransferCall", "knowledgeInfoCard", "channel"}
	textFields         = []string{"text", "allowPlaybackInterruption"}
	sentimentFields    = []string{"score", "magnitude"}
	languageInfoFields = []string{"inputLanguageCode", "input_language_code", "resolvedLanguageCode",
		"resolved_language_code", "confidenceScore", "confidence_score"}
)

// str reads a string; a null leaves it empty, as Unmarshal leaves it.
func str(d *platform.Dec) string {
	if d.Null() {
		return ""
	}
	return d.String()
}

// num reads a number; a null leaves it 0.
func num(d *platform.Dec) float64 {
	if d.Null() {
		return 0
	}
	return d.Float()
}

// boolean reads true or false; a null leaves it false.
func boolean(d *platform.Dec) bool {
	if d.Null() {
		return false
	}
	return d.Bool()
}

// element starts an array element: a null one stops the fast path.
func element(d *platform.Dec) {
	if d.Null() {
		d.Fail()
	}
}

func decodeRequest(d *platform.Dec, r *WebhookRequest) {
	var (
		id, trigger, event, dtmf, lang               string
		fulfillment, fulfillmentSnake                *FulfillmentInfo
		intent, intentSnake                          *IntentInfo
		page, pageSnake                              *PageInfo
		session, sessionSnake                        *SessionInfo
		sentiment, sentimentSnake                    *SentimentAnalysisResult
		language, languageSnake                      *LanguageInfo
		idSnake, triggerSnake, eventSnake, dtmfSnake string
		langSnake                                    string
	)
	for d.Object(); ; {
		switch d.Next(requestFields) {
		case "":
			*r = WebhookRequest{
				DetectIntentResponseID:  or(id, idSnake),
				Text:                    r.Text,
				TriggerIntent:           or(trigger, triggerSnake),
				Transcript:              r.Transcript,
				TriggerEvent:            or(event, eventSnake),
				DtmfDigits:              or(dtmf, dtmfSnake),
				LanguageCode:            or(lang, langSnake),
				FulfillmentInfo:         orPtr(fulfillment, fulfillmentSnake),
				IntentInfo:              orPtr(intent, intentSnake),
				PageInfo:                orPtr(page, pageSnake),
				SessionInfo:             orPtr(session, sessionSnake),
				Messages:                r.Messages,
				Payload:                 r.Payload,
				SentimentAnalysisResult: orPtr(sentiment, sentimentSnake),
				LanguageInfo:            orPtr(language, languageSnake),
			}
			return
		case "detectIntentResponseId":
			id = str(d)
		case "detect_intent_response_id":
			idSnake = str(d)
		case "text":
			r.Text = str(d)
		case "triggerIntent":
			trigger = str(d)
		case "trigger_intent":
			triggerSnake = str(d)
		case "transcript":
			r.Transcript = str(d)
		case "triggerEvent":
			event = str(d)
		case "trigger_event":
			eventSnake = str(d)
		case "dtmfDigits":
			dtmf = str(d)
		case "dtmf_digits":
			dtmfSnake = str(d)
		case "languageCode":
			lang = str(d)
		case "language_code":
			langSnake = str(d)
		case "fulfillmentInfo":
			fulfillment = decodeFulfillment(d)
		case "fulfillment_info":
			fulfillmentSnake = decodeFulfillment(d)
		case "intentInfo":
			intent = decodeIntentInfo(d)
		case "intent_info":
			intentSnake = decodeIntentInfo(d)
		case "pageInfo":
			page = decodePageInfo(d)
		case "page_info":
			pageSnake = decodePageInfo(d)
		case "sessionInfo":
			session = decodeSessionInfo(d)
		case "session_info":
			sessionSnake = decodeSessionInfo(d)
		case "messages":
			if !d.Null() {
				r.Messages = []ResponseMessage{}
				for d.Array(); d.More(); {
					element(d)
					r.Messages = append(r.Messages, ResponseMessage{})
					decodeMessage(d, &r.Messages[len(r.Messages)-1])
				}
			}
		case "payload":
			r.Payload = d.RawOrNull()
		case "sentimentAnalysisResult":
			sentiment = decodeSentiment(d)
		case "sentiment_analysis_result":
			sentimentSnake = decodeSentiment(d)
		case "languageInfo":
			language = decodeLanguageInfo(d)
		case "language_info":
			languageSnake = decodeLanguageInfo(d)
		}
	}
}

func decodeFulfillment(d *platform.Dec) *FulfillmentInfo {
	if d.Null() {
		return nil
	}
	f := &FulfillmentInfo{}
	for d.Object(); d.Next(fulfillmentFields) != ""; {
		f.Tag = str(d)
	}
	return f
}

// decodeIntentInfo reads a wireIntentInfo as intentInfo() returns it.
func decodeIntentInfo(d *platform.Dec) *IntentInfo {
	if d.Null() {
		return nil
	}
	i := &IntentInfo{}
	var matchedSnake, nameSnake string
	for d.Object(); ; {
		switch d.Next(intentInfoFields) {
		case "":
			i.LastMatchedIntent = or(i.LastMatchedIntent, matchedSnake)
			i.DisplayName = or(i.DisplayName, nameSnake)
			return i
		case "lastMatchedIntent":
			i.LastMatchedIntent = str(d)
		case "last_matched_intent":
			matchedSnake = str(d)
		case "displayName":
			i.DisplayName = str(d)
		case "display_name":
			nameSnake = str(d)
		case "parameters":
			i.Parameters = decodeIntentParameters(d)
		case "confidence":
			i.Confidence = num(d)
		}
	}
}

func decodeIntentParameters(d *platform.Dec) map[string]IntentParameterValue {
	if d.Null() {
		return nil
	}
	m := map[string]IntentParameterValue{}
	for d.Object(); ; {
		k, ok := d.Key()
		if !ok {
			return m
		}
		if _, dup := m[k]; dup {
			d.Fail() // Unmarshal's choice between the two is left to it
		}
		element(d)
		var v IntentParameterValue
		var originalSnake string
		var resolvedSnake json.RawMessage
		for d.Object(); ; {
			name := d.Next(paramValueFields)
			if name == "" {
				break
			}
			switch name {
			case "originalValue":
				v.OriginalValue = str(d)
			case "original_value":
				originalSnake = str(d)
			case "resolvedValue":
				v.ResolvedValue = d.RawOrNull()
			case "resolved_value":
				resolvedSnake = d.RawOrNull()
			}
		}
		v.OriginalValue = or(v.OriginalValue, originalSnake)
		if len(v.ResolvedValue) == 0 {
			v.ResolvedValue = resolvedSnake
		}
		m[k] = v
	}
}

// decodePageInfo reads a wirePageInfo as pageInfo() returns it.
func decodePageInfo(d *platform.Dec) *PageInfo {
	if d.Null() {
		return nil
	}
	p := &PageInfo{}
	var pageSnake, nameSnake string
	var formSnake *FormInfo
	for d.Object(); ; {
		switch d.Next(pageInfoFields) {
		case "":
			p.CurrentPage = or(p.CurrentPage, pageSnake)
			p.DisplayName = or(p.DisplayName, nameSnake)
			p.FormInfo = orPtr(p.FormInfo, formSnake)
			return p
		case "currentPage":
			p.CurrentPage = str(d)
		case "current_page":
			pageSnake = str(d)
		case "displayName":
			p.DisplayName = str(d)
		case "display_name":
			nameSnake = str(d)
		case "formInfo":
			p.FormInfo = decodeFormInfo(d)
		case "form_info":
			formSnake = decodeFormInfo(d)
		}
	}
}

// decodeFormInfo reads a wireFormInfo as formInfo() returns it.
func decodeFormInfo(d *platform.Dec) *FormInfo {
	if d.Null() {
		return nil
	}
	var camel, snake []ParameterInfo
	for d.Object(); ; {
		switch d.Next(formInfoFields) {
		case "":
			if camel == nil {
				camel = snake
			}
			return &FormInfo{ParameterInfo: camel}
		case "parameterInfo":
			camel = decodeParameterInfos(d)
		case "parameter_info":
			snake = decodeParameterInfos(d)
		}
	}
}

func decodeParameterInfos(d *platform.Dec) []ParameterInfo {
	if d.Null() {
		return nil
	}
	ps := []ParameterInfo{}
	for d.Array(); d.More(); {
		element(d)
		var p ParameterInfo
		var nameSnake string
		var collectedSnake bool
		for d.Object(); ; {
			name := d.Next(parameterInfoFields)
			if name == "" {
				break
			}
			switch name {
			case "displayName":
				p.DisplayName = str(d)
			case "display_name":
				nameSnake = str(d)
			case "required":
				p.Required = boolean(d)
			case "state":
				p.State = str(d)
			case "value":
				p.Value = d.RawOrNull()
			case "justCollected":
				p.JustCollected = boolean(d)
			case "just_collected":
				collectedSnake = boolean(d)
			}
		}
		p.DisplayName = or(p.DisplayName, nameSnake)
		p.JustCollected = p.JustCollected || collectedSnake
		ps = append(ps, p)
	}
	return ps
}

func decodeSessionInfo(d *platform.Dec) *SessionInfo {
	if d.Null() {
		return nil
	}
	s := &SessionInfo{}
	for d.Object(); ; {
		switch d.Next(sessionInfoFields) {
		case "":
			return s
		case "session":
			s.Session = str(d)
		case "parameters":
			if !d.Null() {
				s.Parameters = d.RawOrNullMap()
			}
		}
	}
}

func decodeMessage(d *platform.Dec, m *ResponseMessage) {
	for d.Object(); ; {
		switch d.Next(messageFields) {
		case "":
			return
		case "text":
			if !d.Null() {
				t := &Text{}
				m.Text = t
				for d.Object(); ; {
					name := d.Next(textFields)
					if name == "" {
						break
					}
					if name == "text" {
						if !d.Null() {
							t.Text = d.Strings()
						}
					} else {
						t.AllowPlaybackInterruption = boolean(d)
					}
				}
			}
		case "payload":
			m.Payload = d.RawOrNull()
		case "conversationSuccess":
			m.ConversationSuccess = d.RawOrNull()
		case "outputAudioText":
			m.OutputAudioText = d.RawOrNull()
		case "liveAgentHandoff":
			m.LiveAgentHandoff = d.RawOrNull()
		case "endInteraction":
			m.EndInteraction = d.RawOrNull()
		case "playAudio":
			m.PlayAudio = d.RawOrNull()
		case "mixedAudio":
			m.MixedAudio = d.RawOrNull()
		case "telephonyTransferCall":
			m.TelephonyTransferCall = d.RawOrNull()
		case "knowledgeInfoCard":
			m.KnowledgeInfoCard = d.RawOrNull()
		case "channel":
			m.Channel = str(d)
		}
	}
}

func decodeSentiment(d *platform.Dec) *SentimentAnalysisResult {
	if d.Null() {
		return nil
	}
	s := &SentimentAnalysisResult{}
	for d.Object(); ; {
		switch d.Next(sentimentFields) {
		case "":
			return s
		case "score":
			s.Score = num(d)
		case "magnitude":
			s.Magnitude = num(d)
		}
	}
}

// decodeLanguageInfo reads a wireLanguageInfo as languageInfo() returns it.
func decodeLanguageInfo(d *platform.Dec) *LanguageInfo {
	if d.Null() {
		return nil
	}
	l := &LanguageInfo{}
	var inputSnake, resolvedSnake string
	var scoreSnake float64
	for d.Object(); ; {
		switch d.Next(languageInfoFields) {
		case "":
			l.InputLanguageCode = or(l.InputLanguageCode, inputSnake)
			l.ResolvedLanguageCode = or(l.ResolvedLanguageCode, resolvedSnake)
			if l.ConfidenceScore == 0 {
				l.ConfidenceScore = scoreSnake
			}
			return l
		case "inputLanguageCode":
			l.InputLanguageCode = str(d)
		case "input_language_code":
			inputSnake = str(d)
		case "resolvedLanguageCode":
			l.ResolvedLanguageCode = str(d)
		case "resolved_language_code":
			resolvedSnake = str(d)
		case "confidenceScore":
			l.ConfidenceScore = num(d)
		case "confidence_score":
			scoreSnake = num(d)
		}
	}
}
