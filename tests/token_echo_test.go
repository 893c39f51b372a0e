package tests

import (
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/platform/bedrockagent"
)

// tokenFields puts tok(field) into every field of a platform's event that can carry
// an identity token: where Switchboard reads it, and every other place a site or a
// caller could put one (slots, session and context parameters, attributes, entities).
func tokenFields(t *testing.T, p conversation.Platform, body []byte, tok func(field string) string) []byte {
	const f = conversation.IdentityField
	return editEvent(t, body, func(ev map[string]any) {
		switch p {
		case conversation.DialogflowES:
			child(ev, "originalDetectIntentRequest", "payload")[f] = tok("payload")
			q := child(ev, "queryResult")
			child(q, "parameters")[f] = tok("parameters")
			ctxs, _ := q["outputContexts"].([]any)
			for _, c := range ctxs {
				params := child(c.(map[string]any), "parameters")
				params[f], params[f+".original"] = tok("outputContexts"), tok("outputContexts")
			}
			q["outputContexts"] = append(ctxs, map[string]any{"name": ev["session"].(string) + "/contexts/site",
				"lifespanCount": 5, "parameters": map[string]any{f: tok("otherContext")}})
		case conversation.DialogflowCX:
			child(ev, "payload")[f] = tok("payload")
			child(ev, "sessionInfo", "parameters")[f] = tok("sessionParameters")
			child(ev, "intentInfo", "parameters")[f] = map[string]any{"originalValue": tok("intentParameters"), "resolvedValue": tok("intentParameters")}
		case conversation.LexV2:
			child(ev, "requestAttributes")[f] = tok("requestAttributes")
			ss := child(ev, "sessionState")
			child(ss, "sessionAttributes")[f] = tok("sessionAttributes")
			ss["activeContexts"] = []any{map[string]any{"name": "site", "timeToLive": map[string]any{"timeToLiveInSeconds": 300, "turnsToLive": 5},
				"contextAttributes": map[string]any{f: tok("activeContexts")}}}
			child(ss, "intent", "slots")[f] = map[string]any{"shape": "Scalar", "value": map[string]any{
				"originalValue": tok("slots"), "interpretedValue": tok("slots"), "resolvedValues": []any{}}}
		case bedrockagent.Platform:
			child(ev, "sessionAttributes")[f] = tok("sessionAttributes")
			child(ev, "promptSessionAttributes")[f] = tok("promptSessionAttributes")
			v := tok("parameters")
			bedrockSetParam(ev, f, &v)
			ps, _ := ev["parameters"].([]any)
			ev["parameters"] = append(ps, map[string]any{"name": f, "type": "string", "value": tok("parameters")})
		case conversation.Rasa:
			tr := child(ev, "tracker")
			child(tr, "slots")[f] = tok("slots")
			lm := child(tr, "latest_message")
			child(lm, "metadata")[f] = tok("metadata")
			ents, _ := lm["entities"].([]any)
			lm["entities"] = append(ents, map[string]any{"entity": f, "value": tok("entities"), "start": 0, "end": 1, "extractor": "RegexEntityExtractor"})
		}
	})
}

// TestNoPlatformEchoesIdentityToken: on every platform, an identity token in any field
// of the event — a valid one (the signed answer) or made-up ones (the anonymous code
// offer, the neutral answer) — never comes back in the reply.
func TestNoPlatformEchoesIdentityToken(t *testing.T) {
	s := newIdentityStack(t)
	good := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	for _, p := range webhookPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			for _, in := range []conversation.Intent{conversation.LookupCustomer, conversation.VerifyPayment, conversation.CreateTicket} {
				base := readEvent(t, p, eventFile[in])
				// Signed: the same valid token everywhere.
				signed := s.serve(t, p, withTurn(t, p, tokenFields(t, p, base, func(string) string { return good }), nextID("s"), nextID("t")))
				if strings.Contains(signed, good) || strings.Contains(signed, strings.Split(good, ".")[2]) {
					t.Errorf("%s: the signed turn's token is echoed: %s", in, signed)
				}
				if in == conversation.LookupCustomer && !strings.Contains(signed, "Ada Lovelace") {
					t.Errorf("%s: the token was not read: %s", in, signed)
				}
				// Anonymous: a made-up token per field (each refused), the code offer.
				made := func(field string) string { return "eyJhbGciOiJIUzI1NiJ9.bm90LWEtdG9rZW4." + field + "-echo-marker" }
				anon := s.serve(t, p, withTurn(t, p, tokenFields(t, p, base, made), nextID("s"), nextID("t")))
				if strings.Contains(anon, "-echo-marker") || strings.Contains(anon, "bm90LWEtdG9rZW4") {
					t.Errorf("%s: a made-up token is echoed: %s", in, anon)
				}
			}
		})
	}
}
