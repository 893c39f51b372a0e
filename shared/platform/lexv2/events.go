package lexv2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The wire types of the Lex V2 Lambda code hook, field for field from the Lex V2
// developer guide ("AWS Lambda input event format for Lex V2", "AWS Lambda response
// format for Lex V2", "Common structures in an AWS Lambda function for Lex V2").
// aws-lambda-go has no released Lex V2 types.

// Invocation sources.
const (
	DialogCodeHook      = "DialogCodeHook"
	FulfillmentCodeHook = "FulfillmentCodeHook"
)

// Dialog action types.
const (
	ActionClose         = "Close"
	ActionConfirmIntent = "ConfirmIntent"
	ActionDelegate      = "Delegate"
	ActionElicitIntent  = "ElicitIntent"
	ActionElicitSlot    = "ElicitSlot"
)

// Intent states.
const (
	StateFailed                = "Failed"
	StateFulfilled             = "Fulfilled"
	StateFulfillmentInProgress = "FulfillmentInProgress"
	StateInProgress            = "InProgress"
	StateReadyForFulfillment   = "ReadyForFulfillment"
	StateWaiting               = "Waiting"
)

// Confirmation states of an intent.
const (
	ConfirmationConfirmed = "Confirmed"
	ConfirmationDenied    = "Denied"
	ConfirmationNone      = "None"
)

// Slot shapes.
const (
	ShapeScalar    = "Scalar"
	ShapeList      = "List"
	ShapeComposite = "Composite"
)

// Message content types.
const (
	ContentPlainText         = "PlainText"
	ContentSSML              = "SSML"
	ContentCustomPayload     = "CustomPayload"
	ContentImageResponseCard = "ImageResponseCard"
)

// MaxMessageChars is the most characters one message's content may hold (the runtime
// API's Message.content: 1 to 1024).
const MaxMessageChars = 1024

// Event is the input event Lex V2 passes to the code hook Lambda.
type Event struct {
	MessageVersion      string             `json:"messageVersion"`
	InvocationSource    string             `json:"invocationSource"`
	InputMode           string             `json:"inputMode"`
	ResponseContentType string             `json:"responseContentType"`
	SessionID           string             `json:"sessionId"`
	InputTranscript     string             `json:"inputTranscript"`
	InvocationLabel     string             `json:"invocationLabel,omitempty"`
	Bot                 Bot                `json:"bot"`
	Interpretations     []Interpretation   `json:"interpretations"`
	ProposedNextState   *ProposedNextState `json:"proposedNextState,omitempty"`
	RequestAttributes   map[string]string  `json:"requestAttributes,omitempty"`
	SessionState        SessionState       `json:"sessionState"`
	Transcriptions      []Transcription    `json:"transcriptions,omitempty"`
}

// Bot identifies the bot, alias, locale and version that called.
type Bot struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	LocaleID  string `json:"localeId"`
	Version   string `json:"version"`
	AliasID   string `json:"aliasId"`
	AliasName string `json:"aliasName"`
}

// Interpretation is one intent Lex considered for the utterance.
type Interpretation struct {
	InterpretationSource string             `json:"interpretationSource,omitempty"`
	Intent               Intent             `json:"intent"`
	NluConfidence        *Confidence        `json:"nluConfidence,omitempty"`
	SentimentResponse    *SentimentResponse `json:"sentimentResponse,omitempty"`
}

// Confidence is an NLU or transcription confidence score. Real events carry a bare
// number; some fixtures and SDK models carry {"score": n}: both decode (a number in a
// JSON string too), and it encodes as a bare number.
type Confidence float64

// UnmarshalJSON accepts 0.87, "0.87", {"score": 0.87} and {"score": "0.87"}.
func (c *Confidence) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var s struct {
			Score json.RawMessage `json:"score"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if len(s.Score) == 0 || s.Score[0] == '{' || string(s.Score) == "null" {
			return errors.New("lexv2: confidence object without a numeric score")
		}
		return c.UnmarshalJSON(s.Score)
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("lexv2: confidence %q is not a number", s)
		}
		*c = Confidence(f)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*c = Confidence(f)
	return nil
}

// SentimentResponse is the sentiment of the utterance, when enabled.
type SentimentResponse struct {
	Sentiment      string         `json:"sentiment"`
	SentimentScore SentimentScore `json:"sentimentScore"`
}

// SentimentScore holds the likelihood of each sentiment.
type SentimentScore struct {
	Mixed    float64 `json:"mixed"`
	Negative float64 `json:"negative"`
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
}

// ProposedNextState is what Lex would do next without the code hook.
type ProposedNextState struct {
	DialogAction *DialogAction `json:"dialogAction,omitempty"`
	Intent       *Intent       `json:"intent,omitempty"`
	Prompt       *Prompt       `json:"prompt,omitempty"`
}

// Prompt says which attempt at a prompt this is.
type Prompt struct {
	Attempt string `json:"attempt"`
}

// SessionState is the state of the conversation, in the event and in the response.
// SessionAttributes has no omitempty: Lex keeps its stored attributes when a response
// leaves them out but replaces them with the set a response returns, so removing the
// last attribute takes an explicit {}.
type SessionState struct {
	ActiveContexts       []ActiveContext   `json:"activeContexts,omitempty"`
	SessionAttributes    map[string]string `json:"sessionAttributes"`
	RuntimeHints         *RuntimeHints     `json:"runtimeHints,omitempty"`
	DialogAction         *DialogAction     `json:"dialogAction,omitempty"`
	Intent               *Intent           `json:"intent,omitempty"`
	OriginatingRequestID string            `json:"originatingRequestId,omitempty"`
}

// ActiveContext is a context that is active in the session.
type ActiveContext struct {
	Name              string            `json:"name"`
	ContextAttributes map[string]string `json:"contextAttributes"`
	TimeToLive        TimeToLive        `json:"timeToLive"`
}

// TimeToLive bounds how long a context stays active.
type TimeToLive struct {
	TimeToLiveInSeconds int `json:"timeToLiveInSeconds"`
	TurnsToLive         int `json:"turnsToLive"`
}

// RuntimeHints are phrases a customer is likely to use for a slot, by intent and slot.
type RuntimeHints struct {
	SlotHints map[string]map[string]RuntimeHintDetails `json:"slotHints,omitempty"`
}

// RuntimeHintDetails lists hint phrases for one slot (or its sub-slots).
type RuntimeHintDetails struct {
	RuntimeHintValues []RuntimeHintValue            `json:"runtimeHintValues,omitempty"`
	SubSlotHints      map[string]RuntimeHintDetails `json:"subSlotHints,omitempty"`
}

// RuntimeHintValue is one hint phrase.
type RuntimeHintValue struct {
	Phrase string `json:"phrase"`
}

// DialogAction is the next step of the conversation. SlotToElicit is set only with
// ElicitSlot.
type DialogAction struct {
	Type                 string         `json:"type"`
	SlotToElicit         string         `json:"slotToElicit,omitempty"`
	SlotElicitationStyle string         `json:"slotElicitationStyle,omitempty"`
	SubSlotToElicit      *ElicitSubSlot `json:"subSlotToElicit,omitempty"`
}

// ElicitSubSlot names a sub-slot of a composite slot to elicit.
type ElicitSubSlot struct {
	Name            string         `json:"name"`
	SubSlotToElicit *ElicitSubSlot `json:"subSlotToElicit,omitempty"`
}

// Intent is the active intent. Slots that are not filled are null, hence pointers;
// Lex lists every slot the intent defines, filled or not. KendraResponse is present
// only for KendraSearchIntent and is not part of a response.
type Intent struct {
	Name              string           `json:"name"`
	Slots             map[string]*Slot `json:"slots,omitempty"`
	State             string           `json:"state,omitempty"`
	ConfirmationState string           `json:"confirmationState,omitempty"`
	KendraResponse    json.RawMessage  `json:"kendraResponse,omitempty"`
}

// Slot is a slot value: Value for a scalar slot, Values for a list slot, SubSlots for
// a composite slot.
type Slot struct {
	Shape    string           `json:"shape,omitempty"`
	Value    *SlotValue       `json:"value,omitempty"`
	Values   []Slot           `json:"values,omitempty"`
	SubSlots map[string]*Slot `json:"subSlots,omitempty"`
}

// SlotValue is what the user said (OriginalValue), what Lex resolved it to
// (InterpretedValue), and other candidate resolutions. In a response Lex needs
// InterpretedValue, and ResolvedValues as a list (never null).
type SlotValue struct {
	OriginalValue    string   `json:"originalValue"`
	InterpretedValue string   `json:"interpretedValue"`
	ResolvedValues   []string `json:"resolvedValues"`
}

// Transcription is one speech transcription Lex considered.
type Transcription struct {
	Transcription           string           `json:"transcription"`
	TranscriptionConfidence *Confidence      `json:"transcriptionConfidence,omitempty"`
	ResolvedContext         *ResolvedContext `json:"resolvedContext,omitempty"`
	ResolvedSlots           map[string]*Slot `json:"resolvedSlots,omitempty"`
}

// ResolvedContext names the intent a transcription resolved to.
type ResolvedContext struct {
	Intent string `json:"intent"`
}

// Response is what the code hook Lambda returns to Lex.
type Response struct {
	SessionState      SessionState      `json:"sessionState"`
	Messages          []Message         `json:"messages,omitempty"`
	RequestAttributes map[string]string `json:"requestAttributes,omitempty"`
}

// Message is one message for the user.
type Message struct {
	ContentType       string             `json:"contentType"`
	Content           string             `json:"content,omitempty"`
	ImageResponseCard *ImageResponseCard `json:"imageResponseCard,omitempty"`
}

// ImageResponseCard is a card with buttons.
type ImageResponseCard struct {
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle,omitempty"`
	ImageURL string   `json:"imageUrl,omitempty"`
	Buttons  []Button `json:"buttons,omitempty"`
}

// Button is one button of a card.
type Button struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}
