package platform

import (
	"encoding/json"
	"strconv"

	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// The outcome every reply carries on the wire, where each platform keeps data a
// webhook may add without changing what the user sees:
//
//   - Dialogflow ES and CX: the response's payload, {"switchboard": {"outcome": …,
//     "fallback": …}} (payload is a google.protobuf.Struct: any object is valid proto
//     JSON, and no integration reads the "switchboard" key);
//   - Lex V2: the session attributes switchboard_outcome and switchboard_fallback
//     (strings, as every session attribute);
//   - Rasa: the top-level key "switchboard" of the action server's answer, beside
//     events and responses (Rasa validates only those two and reads nothing else).
//
// The smoke hook and the router read it; nothing reads the wording.
const (
	// OutcomeKey is the payload key (ES, CX) and top-level key (Rasa) of the outcome.
	OutcomeKey = "switchboard"
	// LexOutcomeAttribute and LexFallbackAttribute are the Lex session attributes.
	LexOutcomeAttribute  = "switchboard_outcome"
	LexFallbackAttribute = "switchboard_fallback"
)

// WireOutcome is the turn's typed outcome as a reply carries it.
type WireOutcome struct {
	Outcome conversation.Outcome `json:"outcome"`
	// Fallback marks a degraded answer: stale cached data, a part left out because a
	// tool failed, or the engine's own apology for a handler that did not answer.
	Fallback bool `json:"fallback"`
}

// OutcomeOf is the wire outcome of a reply.
func OutcomeOf(r conversation.Reply) WireOutcome {
	return WireOutcome{Outcome: r.Outcome, Fallback: r.Fallback}
}

// OutcomePayload is {"switchboard": {"outcome", "fallback"}}, the payload ES and CX
// replies carry.
func OutcomePayload(r conversation.Reply) json.RawMessage {
	if HandEncode {
		b := append(make([]byte, 0, 64), `{"switchboard":`...)
		return append(AppendOutcome(b, OutcomeOf(r)), '}')
	}
	b, _ := EncodeJSON(outcomePayload{OutcomeOf(r)}) // plain struct: always encodes
	return b
}

// outcomePayload is the payload's shape, encoded without building a map per turn (its
// tag is OutcomeKey; a test holds the two equal).
type outcomePayload struct {
	Switchboard WireOutcome `json:"switchboard"`
}

// LexAttributes are the session attributes a Lex reply carries the outcome in.
func LexAttributes(r conversation.Reply) map[string]string {
	return map[string]string{LexOutcomeAttribute: string(r.Outcome), LexFallbackAttribute: strconv.FormatBool(r.Fallback)}
}

// ReadOutcome reads the outcome from a platform response body (the body the platform
// receives: for HTTP platforms, not the API Gateway envelope). ok is false when the
// body carries none, or not in the expected shape, or p is not registered.
func ReadOutcome(p conversation.Platform, body []byte) (WireOutcome, bool) {
	e, ok := Lookup(p)
	if !ok {
		return WireOutcome{}, false
	}
	return e.ReadOutcome(body)
}

// ReadPayloadOutcome reads the outcome of a response that carries it in its payload
// object (Dialogflow ES and CX).
func ReadPayloadOutcome(body []byte) (WireOutcome, bool) {
	var out WireOutcome
	// Only the outcome: the payload's other keys (the rich replies) are not kept.
	var w struct {
		Payload struct {
			Outcome json.RawMessage `json:"switchboard"` // OutcomeKey
		} `json:"payload"`
	}
	if json.Unmarshal(body, &w) != nil || w.Payload.Outcome == nil || json.Unmarshal(w.Payload.Outcome, &out) != nil {
		return WireOutcome{}, false
	}
	return out, out.Outcome != ""
}

// Obj returns the object at key k of m, adding an empty one when there is none (the
// smoke test fills sample events with it).
func Obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	if o == nil {
		o = map[string]any{}
		m[k] = o
	}
	return o
}

// ConfigProblem is a platform-side object a reply needed but the request shows the
// bot does not define: a Lex slot the intent lacks. The adapter answers without naming
// it (a reply naming it would be rejected by the platform); the engine reports it, and
// telemetry logs it once per intent and object and counts every occurrence.
type ConfigProblem struct {
	// Kind names the object: "slot".
	Kind string
	// Name is the object's name (the slot asked for).
	Name string
	// Intent is the platform's own intent name.
	Intent string
	// Reply says what was sent instead ("ElicitIntent with the prompt").
	Reply string
}

// ProblemReporter is implemented by a Request whose Encode can meet a ConfigProblem:
// ConfigProblems returns those of its last Encode.
type ProblemReporter interface {
	ConfigProblems() []ConfigProblem
}
