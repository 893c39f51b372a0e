package dialogflow

import "encoding/json"

// The wire types of the Dialogflow ES v2 webhook (google.cloud.dialogflow.v2
// WebhookRequest and WebhookResponse) in their proto-JSON form. Field names and JSON
// tags mirror the wire; google.protobuf.Struct and Value fields stay raw JSON because
// parameter values may be strings, numbers, lists or structs.

// WebhookRequest is the body Dialogflow ES posts to the fulfillment webhook.
type WebhookRequest struct {
	ResponseID                  string                       `json:"responseId"`
	Session                     string                       `json:"session"`
	QueryResult                 *QueryResult                 `json:"queryResult,omitempty"`
	OriginalDetectIntentRequest *OriginalDetectIntentRequest `json:"originalDetectIntentRequest,omitempty"`
}

// QueryResult is the result of conversational query or event processing.
type QueryResult struct {
	QueryText                   string                     `json:"queryText,omitempty"`
	LanguageCode                string                     `json:"languageCode,omitempty"`
	SpeechRecognitionConfidence float64                    `json:"speechRecognitionConfidence,omitempty"`
	Action                      string                     `json:"action,omitempty"`
	Parameters                  map[string]json.RawMessage `json:"parameters,omitempty"`
	AllRequiredParamsPresent    bool                       `json:"allRequiredParamsPresent,omitempty"`
	CancelsSlotFilling          bool                       `json:"cancelsSlotFilling,omitempty"`
	FulfillmentText             string                     `json:"fulfillmentText,omitempty"`
	FulfillmentMessages         []Message                  `json:"fulfillmentMessages,omitempty"`
	WebhookSource               string                     `json:"webhookSource,omitempty"`
	WebhookPayload              json.RawMessage            `json:"webhookPayload,omitempty"`
	OutputContexts              []Context                  `json:"outputContexts,omitempty"`
	Intent                      *Intent                    `json:"intent,omitempty"`
	IntentDetectionConfidence   float64                    `json:"intentDetectionConfidence,omitempty"`
	DiagnosticInfo              json.RawMessage            `json:"diagnosticInfo,omitempty"`
	SentimentAnalysisResult     *SentimentAnalysisResult   `json:"sentimentAnalysisResult,omitempty"`
	KnowledgeAnswers            json.RawMessage            `json:"knowledgeAnswers,omitempty"`
}

// Intent is the matched intent as the webhook request carries it (name and display
// name; the full intent definition is not sent).
type Intent struct {
	Name           string `json:"name,omitempty"`
	DisplayName    string `json:"displayName,omitempty"`
	IsFallback     bool   `json:"isFallback,omitempty"`
	EndInteraction bool   `json:"endInteraction,omitempty"`
}

// Context is an input or output context. Name is
// <session>/contexts/<context id>; a context without lifespanCount expires at once.
type Context struct {
	Name          string                     `json:"name"`
	LifespanCount int                        `json:"lifespanCount,omitempty"`
	Parameters    map[string]json.RawMessage `json:"parameters,omitempty"`
}

// Message is one rich response message (google.cloud.dialogflow.v2.Intent.Message).
// Exactly one of the message fields is set; Platform optionally targets an
// integration. Only Text is modelled; the other kinds stay raw.
type Message struct {
	Text               *Text           `json:"text,omitempty"`
	Image              json.RawMessage `json:"image,omitempty"`
	QuickReplies       json.RawMessage `json:"quickReplies,omitempty"`
	Card               json.RawMessage `json:"card,omitempty"`
	Payload            json.RawMessage `json:"payload,omitempty"`
	SimpleResponses    json.RawMessage `json:"simpleResponses,omitempty"`
	BasicCard          json.RawMessage `json:"basicCard,omitempty"`
	Suggestions        json.RawMessage `json:"suggestions,omitempty"`
	LinkOutSuggestion  json.RawMessage `json:"linkOutSuggestion,omitempty"`
	ListSelect         json.RawMessage `json:"listSelect,omitempty"`
	CarouselSelect     json.RawMessage `json:"carouselSelect,omitempty"`
	BrowseCarouselCard json.RawMessage `json:"browseCarouselCard,omitempty"`
	TableCard          json.RawMessage `json:"tableCard,omitempty"`
	MediaContent       json.RawMessage `json:"mediaContent,omitempty"`
	Platform           string          `json:"platform,omitempty"`
}

// Text is a text response message.
type Text struct {
	Text []string `json:"text"`
}

// SentimentAnalysisResult is the sentiment of the query, when enabled.
type SentimentAnalysisResult struct {
	QueryTextSentiment *Sentiment `json:"queryTextSentiment,omitempty"`
}

// Sentiment is a score in [-1, 1] and its magnitude.
type Sentiment struct {
	Score     float64 `json:"score"`
	Magnitude float64 `json:"magnitude"`
}

// OriginalDetectIntentRequest is the request the integration (telephony, Messenger,
// the console, …) sent to Dialogflow.
type OriginalDetectIntentRequest struct {
	Source  string          `json:"source,omitempty"`
	Version string          `json:"version,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// WebhookResponse is the fulfillment webhook's answer. When FollowupEventInput is set,
// Dialogflow ignores FulfillmentText, FulfillmentMessages and Payload.
type WebhookResponse struct {
	FulfillmentText     string          `json:"fulfillmentText,omitempty"`
	FulfillmentMessages []Message       `json:"fulfillmentMessages,omitempty"`
	Source              string          `json:"source,omitempty"`
	Payload             json.RawMessage `json:"payload,omitempty"`
	OutputContexts      []Context       `json:"outputContexts,omitempty"`
	FollowupEventInput  *EventInput     `json:"followupEventInput,omitempty"`
	SessionEntityTypes  json.RawMessage `json:"sessionEntityTypes,omitempty"`
}

// EventInput invokes an event (and the intent that handles it) instead of answering.
type EventInput struct {
	Name         string                     `json:"name"`
	Parameters   map[string]json.RawMessage `json:"parameters,omitempty"`
	LanguageCode string                     `json:"languageCode"`
}

// Card is a card message (google.cloud.dialogflow.v2.Intent.Message.Card).
type Card struct {
	Title    string       `json:"title,omitempty"`
	Subtitle string       `json:"subtitle,omitempty"`
	ImageURI string       `json:"imageUri,omitempty"`
	Buttons  []CardButton `json:"buttons,omitempty"`
}

// CardButton is a card's button: postback is the text sent back, or the URL opened.
type CardButton struct {
	Text     string `json:"text,omitempty"`
	Postback string `json:"postback,omitempty"`
}

// QuickReplies is a quick-replies message (Intent.Message.QuickReplies).
type QuickReplies struct {
	Title        string   `json:"title,omitempty"`
	QuickReplies []string `json:"quickReplies,omitempty"`
}

// MaxCardText bounds a card's or quick reply's texts. Dialogflow documents no limit;
// the integrations that render cards do (Facebook Messenger: 80 characters for titles,
// subtitles and buttons, 20 for quick replies), and a longer text is cut there anyway.
const MaxCardText = 80
