package dialogflowcx

import "encoding/json"

// Proto JSON parsers accept a field's original snake_case name as well as its
// lowerCamelCase JSON name, and some CX clients and test tools send snake_case. Each
// request type with a multi-word field decodes both: the camelCase fields through a
// method-less copy of the type, the snake_case ones through extra fields, which fill
// in whatever the camelCase form left empty.

// UnmarshalJSON accepts camelCase and snake_case field names.
func (r *WebhookRequest) UnmarshalJSON(b []byte) error {
	type camel WebhookRequest
	var aux struct {
		camel
		DetectIntentResponseID  *string                  `json:"detect_intent_response_id"`
		TriggerIntent           *string                  `json:"trigger_intent"`
		TriggerEvent            *string                  `json:"trigger_event"`
		DtmfDigits              *string                  `json:"dtmf_digits"`
		LanguageCode            *string                  `json:"language_code"`
		FulfillmentInfo         *FulfillmentInfo         `json:"fulfillment_info"`
		IntentInfo              *IntentInfo              `json:"intent_info"`
		PageInfo                *PageInfo                `json:"page_info"`
		SessionInfo             *SessionInfo             `json:"session_info"`
		SentimentAnalysisResult *SentimentAnalysisResult `json:"sentiment_analysis_result"`
		LanguageInfo            *LanguageInfo            `json:"language_info"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*r = WebhookRequest(aux.camel)
	fillString(&r.DetectIntentResponseID, aux.DetectIntentResponseID)
	fillString(&r.TriggerIntent, aux.TriggerIntent)
	fillString(&r.TriggerEvent, aux.TriggerEvent)
	fillString(&r.DtmfDigits, aux.DtmfDigits)
	fillString(&r.LanguageCode, aux.LanguageCode)
	fillPtr(&r.FulfillmentInfo, aux.FulfillmentInfo)
	fillPtr(&r.IntentInfo, aux.IntentInfo)
	fillPtr(&r.PageInfo, aux.PageInfo)
	fillPtr(&r.SessionInfo, aux.SessionInfo)
	fillPtr(&r.SentimentAnalysisResult, aux.SentimentAnalysisResult)
	fillPtr(&r.LanguageInfo, aux.LanguageInfo)
	return nil
}

// UnmarshalJSON accepts camelCase and snake_case field names.
func (i *IntentInfo) UnmarshalJSON(b []byte) error {
	type camel IntentInfo
	var aux struct {
		camel
		LastMatchedIntent *string `json:"last_matched_intent"`
		DisplayName       *string `json:"display_name"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*i = IntentInfo(aux.camel)
	fillString(&i.LastMatchedIntent, aux.LastMatchedIntent)
	fillString(&i.DisplayName, aux.DisplayName)
	return nil
}

// UnmarshalJSON accepts camelCase and snake_case field names.
func (v *IntentParameterValue) UnmarshalJSON(b []byte) error {
	type camel IntentParameterValue
	var aux struct {
		camel
		OriginalValue *string         `json:"original_value"`
		ResolvedValue json.RawMessage `json:"resolved_value"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*v = IntentParameterValue(aux.camel)
	fillString(&v.OriginalValue, aux.OriginalValue)
	if len(v.ResolvedValue) == 0 {
		v.ResolvedValue = aux.ResolvedValue
	}
	return nil
}

// UnmarshalJSON accepts camelCase and snake_case field names.
func (p *PageInfo) UnmarshalJSON(b []byte) error {
	type camel PageInfo
	var aux struct {
		camel
		CurrentPage *string   `json:"current_page"`
		DisplayName *string   `json:"display_name"`
		FormInfo    *FormInfo `json:"form_info"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*p = PageInfo(aux.camel)
	fillString(&p.CurrentPage, aux.CurrentPage)
	fillString(&p.DisplayName, aux.DisplayName)
	fillPtr(&p.FormInfo, aux.FormInfo)
	return nil
}

// UnmarshalJSON accepts camelCase and snake_case field names.
func (f *FormInfo) UnmarshalJSON(b []byte) error {
	type camel FormInfo
	var aux struct {
		camel
		ParameterInfo []ParameterInfo `json:"parameter_info"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*f = FormInfo(aux.camel)
	if f.ParameterInfo == nil {
		f.ParameterInfo = aux.ParameterInfo
	}
	return nil
}

// UnmarshalJSON accepts camelCase and snake_case field names.
func (p *ParameterInfo) UnmarshalJSON(b []byte) error {
	type camel ParameterInfo
	var aux struct {
		camel
		DisplayName   *string `json:"display_name"`
		JustCollected *bool   `json:"just_collected"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*p = ParameterInfo(aux.camel)
	fillString(&p.DisplayName, aux.DisplayName)
	if aux.JustCollected != nil && !p.JustCollected {
		p.JustCollected = *aux.JustCollected
	}
	return nil
}

// UnmarshalJSON accepts camelCase and snake_case field names.
func (l *LanguageInfo) UnmarshalJSON(b []byte) error {
	type camel LanguageInfo
	var aux struct {
		camel
		InputLanguageCode    *string  `json:"input_language_code"`
		ResolvedLanguageCode *string  `json:"resolved_language_code"`
		ConfidenceScore      *float64 `json:"confidence_score"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*l = LanguageInfo(aux.camel)
	fillString(&l.InputLanguageCode, aux.InputLanguageCode)
	fillString(&l.ResolvedLanguageCode, aux.ResolvedLanguageCode)
	if aux.ConfidenceScore != nil && l.ConfidenceScore == 0 {
		l.ConfidenceScore = *aux.ConfidenceScore
	}
	return nil
}

func fillString(dst *string, snake *string) {
	if *dst == "" && snake != nil {
		*dst = *snake
	}
}

func fillPtr[T any](dst **T, snake *T) {
	if *dst == nil {
		*dst = snake
	}
}
