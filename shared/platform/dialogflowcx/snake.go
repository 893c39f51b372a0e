package dialogflowcx

import "encoding/json"

// Proto JSON parsers accept a field's original snake_case name as well as its
// lowerCamelCase JSON name, and some CX clients and test tools send snake_case. A
// request is decoded in one pass into wire types that hold both spellings of every
// multi-word field; the camelCase value wins, the snake_case one fills in whatever the
// camelCase form left empty. (Decoding each level through its own UnmarshalJSON read
// every nested object once per level.) With Go 1.27 the adapter reads a request with
// decode_fast.go first, which merges the two spellings the same way, and comes here
// only for what it leaves to json.Unmarshal.

// UnmarshalJSON accepts camelCase and snake_case field names.
func (r *WebhookRequest) UnmarshalJSON(b []byte) error {
	var w wireRequest
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = WebhookRequest{
		DetectIntentResponseID:  or(w.DetectIntentResponseID, w.DetectIntentResponseIDSnake),
		Text:                    w.Text,
		TriggerIntent:           or(w.TriggerIntent, w.TriggerIntentSnake),
		Transcript:              w.Transcript,
		TriggerEvent:            or(w.TriggerEvent, w.TriggerEventSnake),
		DtmfDigits:              or(w.DtmfDigits, w.DtmfDigitsSnake),
		LanguageCode:            or(w.LanguageCode, w.LanguageCodeSnake),
		FulfillmentInfo:         orPtr(w.FulfillmentInfo, w.FulfillmentInfoSnake),
		IntentInfo:              orPtr(w.IntentInfo, w.IntentInfoSnake).intentInfo(),
		PageInfo:                orPtr(w.PageInfo, w.PageInfoSnake).pageInfo(),
		SessionInfo:             orPtr(w.SessionInfo, w.SessionInfoSnake),
		Messages:                w.Messages,
		Payload:                 w.Payload,
		SentimentAnalysisResult: orPtr(w.SentimentAnalysisResult, w.SentimentAnalysisResultSnake),
		LanguageInfo:            orPtr(w.LanguageInfo, w.LanguageInfoSnake).languageInfo(),
	}
	return nil
}

type wireRequest struct {
	DetectIntentResponseID       string                   `json:"detectIntentResponseId"`
	DetectIntentResponseIDSnake  string                   `json:"detect_intent_response_id"`
	Text                         string                   `json:"text"`
	TriggerIntent                string                   `json:"triggerIntent"`
	TriggerIntentSnake           string                   `json:"trigger_intent"`
	Transcript                   string                   `json:"transcript"`
	TriggerEvent                 string                   `json:"triggerEvent"`
	TriggerEventSnake            string                   `json:"trigger_event"`
	DtmfDigits                   string                   `json:"dtmfDigits"`
	DtmfDigitsSnake              string                   `json:"dtmf_digits"`
	LanguageCode                 string                   `json:"languageCode"`
	LanguageCodeSnake            string                   `json:"language_code"`
	FulfillmentInfo              *FulfillmentInfo         `json:"fulfillmentInfo"`
	FulfillmentInfoSnake         *FulfillmentInfo         `json:"fulfillment_info"`
	IntentInfo                   *wireIntentInfo          `json:"intentInfo"`
	IntentInfoSnake              *wireIntentInfo          `json:"intent_info"`
	PageInfo                     *wirePageInfo            `json:"pageInfo"`
	PageInfoSnake                *wirePageInfo            `json:"page_info"`
	SessionInfo                  *SessionInfo             `json:"sessionInfo"`
	SessionInfoSnake             *SessionInfo             `json:"session_info"`
	Messages                     []ResponseMessage        `json:"messages"`
	Payload                      json.RawMessage          `json:"payload"`
	SentimentAnalysisResult      *SentimentAnalysisResult `json:"sentimentAnalysisResult"`
	SentimentAnalysisResultSnake *SentimentAnalysisResult `json:"sentiment_analysis_result"`
	LanguageInfo                 *wireLanguageInfo        `json:"languageInfo"`
	LanguageInfoSnake            *wireLanguageInfo        `json:"language_info"`
}

type wireIntentInfo struct {
	LastMatchedIntent      string                        `json:"lastMatchedIntent"`
	LastMatchedIntentSnake string                        `json:"last_matched_intent"`
	DisplayName            string                        `json:"displayName"`
	DisplayNameSnake       string                        `json:"display_name"`
	Parameters             map[string]wireParameterValue `json:"parameters"`
	Confidence             float64                       `json:"confidence"`
}

func (w *wireIntentInfo) intentInfo() *IntentInfo {
	if w == nil {
		return nil
	}
	i := &IntentInfo{LastMatchedIntent: or(w.LastMatchedIntent, w.LastMatchedIntentSnake),
		DisplayName: or(w.DisplayName, w.DisplayNameSnake), Confidence: w.Confidence}
	if w.Parameters != nil {
		i.Parameters = make(map[string]IntentParameterValue, len(w.Parameters))
		for k, v := range w.Parameters {
			rv := v.ResolvedValue
			if len(rv) == 0 {
				rv = v.ResolvedValueSnake
			}
			i.Parameters[k] = IntentParameterValue{OriginalValue: or(v.OriginalValue, v.OriginalValueSnake), ResolvedValue: rv}
		}
	}
	return i
}

type wireParameterValue struct {
	OriginalValue      string          `json:"originalValue"`
	OriginalValueSnake string          `json:"original_value"`
	ResolvedValue      json.RawMessage `json:"resolvedValue"`
	ResolvedValueSnake json.RawMessage `json:"resolved_value"`
}

type wirePageInfo struct {
	CurrentPage      string        `json:"currentPage"`
	CurrentPageSnake string        `json:"current_page"`
	DisplayName      string        `json:"displayName"`
	DisplayNameSnake string        `json:"display_name"`
	FormInfo         *wireFormInfo `json:"formInfo"`
	FormInfoSnake    *wireFormInfo `json:"form_info"`
}

func (w *wirePageInfo) pageInfo() *PageInfo {
	if w == nil {
		return nil
	}
	return &PageInfo{CurrentPage: or(w.CurrentPage, w.CurrentPageSnake), DisplayName: or(w.DisplayName, w.DisplayNameSnake),
		FormInfo: orPtr(w.FormInfo, w.FormInfoSnake).formInfo()}
}

type wireFormInfo struct {
	ParameterInfo      []wireParameterInfo `json:"parameterInfo"`
	ParameterInfoSnake []wireParameterInfo `json:"parameter_info"`
}

func (w *wireFormInfo) formInfo() *FormInfo {
	if w == nil {
		return nil
	}
	ps := w.ParameterInfo
	if ps == nil {
		ps = w.ParameterInfoSnake
	}
	f := &FormInfo{}
	if ps != nil {
		f.ParameterInfo = make([]ParameterInfo, len(ps))
		for i, p := range ps {
			f.ParameterInfo[i] = ParameterInfo{DisplayName: or(p.DisplayName, p.DisplayNameSnake), Required: p.Required,
				State: p.State, Value: p.Value, JustCollected: p.JustCollected || p.JustCollectedSnake}
		}
	}
	return f
}

type wireParameterInfo struct {
	DisplayName        string          `json:"displayName"`
	DisplayNameSnake   string          `json:"display_name"`
	Required           bool            `json:"required"`
	State              string          `json:"state"`
	Value              json.RawMessage `json:"value"`
	JustCollected      bool            `json:"justCollected"`
	JustCollectedSnake bool            `json:"just_collected"`
}

type wireLanguageInfo struct {
	InputLanguageCode         string  `json:"inputLanguageCode"`
	InputLanguageCodeSnake    string  `json:"input_language_code"`
	ResolvedLanguageCode      string  `json:"resolvedLanguageCode"`
	ResolvedLanguageCodeSnake string  `json:"resolved_language_code"`
	ConfidenceScore           float64 `json:"confidenceScore"`
	ConfidenceScoreSnake      float64 `json:"confidence_score"`
}

func (w *wireLanguageInfo) languageInfo() *LanguageInfo {
	if w == nil {
		return nil
	}
	l := &LanguageInfo{InputLanguageCode: or(w.InputLanguageCode, w.InputLanguageCodeSnake),
		ResolvedLanguageCode: or(w.ResolvedLanguageCode, w.ResolvedLanguageCodeSnake), ConfidenceScore: w.ConfidenceScore}
	if l.ConfidenceScore == 0 {
		l.ConfidenceScore = w.ConfidenceScoreSnake
	}
	return l
}

// or is the camelCase value, or the snake_case one when it is empty.
func or(camel, snake string) string {
	if camel != "" {
		return camel
	}
	return snake
}

// orPtr is the camelCase object, or the snake_case one when it is absent.
func orPtr[T any](camel, snake *T) *T {
	if camel != nil {
		return camel
	}
	return snake
}
