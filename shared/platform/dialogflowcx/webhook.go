package dialogflowcx

import "encoding/json"

// The wire types of the Dialogflow CX v3 webhook (google.cloud.dialogflow.cx.v3
// WebhookRequest, WebhookResponse, PageInfo, SessionInfo, ResponseMessage) in their
// proto-JSON form. Dialogflow sends lowerCamelCase; proto JSON parsers also accept the
// original snake_case names, so the request types decode both (see snake.go).
// google.protobuf.Value fields stay raw JSON.

// WebhookRequest is the body Dialogflow CX posts to a webhook.
type WebhookRequest struct {
	DetectIntentResponseID string `json:"detectIntentResponseId"`
	// One of Text, TriggerIntent, Transcript, TriggerEvent, DtmfDigits is set, by
	// what started the query (absent when the webhook runs for an event).
	Text                    string                   `json:"text,omitempty"`
	TriggerIntent           string                   `json:"triggerIntent,omitempty"`
	Transcript              string                   `json:"transcript,omitempty"`
	TriggerEvent            string                   `json:"triggerEvent,omitempty"`
	DtmfDigits              string                   `json:"dtmfDigits,omitempty"`
	LanguageCode            string                   `json:"languageCode,omitempty"`
	FulfillmentInfo         *FulfillmentInfo         `json:"fulfillmentInfo,omitempty"`
	IntentInfo              *IntentInfo              `json:"intentInfo,omitempty"`
	PageInfo                *PageInfo                `json:"pageInfo,omitempty"`
	SessionInfo             *SessionInfo             `json:"sessionInfo,omitempty"`
	Messages                []ResponseMessage        `json:"messages,omitempty"`
	Payload                 json.RawMessage          `json:"payload,omitempty"`
	SentimentAnalysisResult *SentimentAnalysisResult `json:"sentimentAnalysisResult,omitempty"`
	LanguageInfo            *LanguageInfo            `json:"languageInfo,omitempty"`
}

// FulfillmentInfo names the fulfillment that called the webhook.
type FulfillmentInfo struct {
	Tag string `json:"tag"`
}

// IntentInfo is the last matched intent; absent when no intent matched.
type IntentInfo struct {
	LastMatchedIntent string                          `json:"lastMatchedIntent"`
	DisplayName       string                          `json:"displayName"`
	Parameters        map[string]IntentParameterValue `json:"parameters,omitempty"`
	Confidence        float64                         `json:"confidence,omitempty"`
}

// IntentParameterValue is a parameter extracted from the user's utterance.
type IntentParameterValue struct {
	OriginalValue string          `json:"originalValue"`
	ResolvedValue json.RawMessage `json:"resolvedValue"`
}

// PageInfo is the current page and its form. In a response only FormInfo is read.
type PageInfo struct {
	CurrentPage string    `json:"currentPage,omitempty"`
	DisplayName string    `json:"displayName,omitempty"`
	FormInfo    *FormInfo `json:"formInfo,omitempty"`
}

// FormInfo lists the form's parameters.
type FormInfo struct {
	ParameterInfo []ParameterInfo `json:"parameterInfo,omitempty"`
}

// Parameter states.
const (
	StateEmpty   = "EMPTY"
	StateInvalid = "INVALID"
	StateFilled  = "FILLED"
)

// ParameterInfo is one form parameter. A webhook may set State to INVALID to have the
// parameter prompted again; other states it sends are ignored.
type ParameterInfo struct {
	DisplayName   string          `json:"displayName"`
	Required      bool            `json:"required,omitempty"`
	State         string          `json:"state"`
	Value         json.RawMessage `json:"value,omitempty"`
	JustCollected bool            `json:"justCollected,omitempty"`
}

// SessionInfo is the session and its parameters. In a response, Session is ignored and
// a parameter set to null is removed from the session.
type SessionInfo struct {
	Session    string                     `json:"session,omitempty"`
	Parameters map[string]json.RawMessage `json:"parameters,omitempty"`
}

// ResponseMessage is one rich response message; only Text is modelled, the other kinds
// stay raw.
type ResponseMessage struct {
	Text                  *Text           `json:"text,omitempty"`
	Payload               json.RawMessage `json:"payload,omitempty"`
	ConversationSuccess   json.RawMessage `json:"conversationSuccess,omitempty"`
	OutputAudioText       json.RawMessage `json:"outputAudioText,omitempty"`
	LiveAgentHandoff      json.RawMessage `json:"liveAgentHandoff,omitempty"`
	EndInteraction        json.RawMessage `json:"endInteraction,omitempty"`
	PlayAudio             json.RawMessage `json:"playAudio,omitempty"`
	MixedAudio            json.RawMessage `json:"mixedAudio,omitempty"`
	TelephonyTransferCall json.RawMessage `json:"telephonyTransferCall,omitempty"`
	KnowledgeInfoCard     json.RawMessage `json:"knowledgeInfoCard,omitempty"`
	Channel               string          `json:"channel,omitempty"`
}

// Text is a text response message.
type Text struct {
	Text                      []string `json:"text"`
	AllowPlaybackInterruption bool     `json:"allowPlaybackInterruption,omitempty"`
}

// SentimentAnalysisResult is the sentiment of the user's request, when enabled.
type SentimentAnalysisResult struct {
	Score     float64 `json:"score"`
	Magnitude float64 `json:"magnitude"`
}

// LanguageInfo says which language the query was detected in.
type LanguageInfo struct {
	InputLanguageCode    string  `json:"inputLanguageCode,omitempty"`
	ResolvedLanguageCode string  `json:"resolvedLanguageCode,omitempty"`
	ConfidenceScore      float64 `json:"confidenceScore,omitempty"`
}

// Merge behaviours for FulfillmentResponse.MergeBehavior.
const (
	MergeAppend  = "APPEND"
	MergeReplace = "REPLACE"
)

// WebhookResponse is the webhook's answer.
type WebhookResponse struct {
	FulfillmentResponse *FulfillmentResponse `json:"fulfillmentResponse,omitempty"`
	PageInfo            *PageInfo            `json:"pageInfo,omitempty"`
	SessionInfo         *SessionInfo         `json:"sessionInfo,omitempty"`
	Payload             json.RawMessage      `json:"payload,omitempty"`
	// At most one of TargetPage and TargetFlow.
	TargetPage string `json:"targetPage,omitempty"`
	TargetFlow string `json:"targetFlow,omitempty"`
}

// FulfillmentResponse holds the messages for the user.
type FulfillmentResponse struct {
	Messages      []ResponseMessage `json:"messages,omitempty"`
	MergeBehavior string            `json:"mergeBehavior,omitempty"`
}
