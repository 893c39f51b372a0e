package dialogflow

import (
	"encoding/json"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// simulator plays Dialogflow ES in the conversation console: the output contexts
// still alive carry the conversation from one turn to the next.
var simulator = &platform.Simulator{Short: []string{"es"}, Request: consoleRequest, Read: consoleRead}

func consoleRequest(t platform.ConsoleTurn) ([]byte, error) {
	session := "projects/switchboard-console/agent/sessions/" + t.Session
	var carry struct {
		OutputContexts []map[string]any `json:"outputContexts"`
	}
	_ = json.Unmarshal(t.Carry, &carry)
	// Dialogflow passes the contexts still alive: each turn takes one off their
	// lifespan.
	var contexts []map[string]any
	for _, ctx := range carry.OutputContexts {
		if n, ok := ctx["lifespanCount"].(float64); ok {
			if n <= 1 {
				continue
			}
			ctx["lifespanCount"] = n - 1
		}
		contexts = append(contexts, ctx)
	}
	params := map[string]any{}
	for k, v := range t.Slots {
		params[k] = v
	}
	q := map[string]any{
		"queryText":                 t.Text,
		"parameters":                params,
		"allRequiredParamsPresent":  true,
		"intent":                    map[string]any{"name": "projects/switchboard-console/agent/intents/" + t.Intent, "displayName": t.Name},
		"intentDetectionConfidence": 1,
		"languageCode":              t.Language,
	}
	if len(contexts) > 0 {
		q["outputContexts"] = contexts
	}
	req := map[string]any{"responseId": t.ID, "session": session, "queryResult": q}
	payload := map[string]any{}
	if t.Token != "" {
		payload["identity_token"] = t.Token
	}
	req["originalDetectIntentRequest"] = map[string]any{"source": "switchboard-console", "payload": payload}
	return json.MarshalIndent(req, "", "  ")
}

func consoleRead(request, reply []byte) (platform.View, json.RawMessage) {
	var r struct {
		FulfillmentMessages []platform.DialogflowMessage `json:"fulfillmentMessages"`
		FulfillmentText     string                       `json:"fulfillmentText"`
		OutputContexts      []json.RawMessage            `json:"outputContexts"`
		FollowupEventInput  *struct {
			Name string `json:"name"`
		} `json:"followupEventInput"`
	}
	var v platform.View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v, nil
	}
	platform.ReadDialogflowMessages(&v, r.FulfillmentMessages)
	if len(v.Texts) == 0 && r.FulfillmentText != "" {
		v.Texts = []string{r.FulfillmentText}
	}
	if f := r.FollowupEventInput; f != nil {
		v.Elicit = strings.TrimPrefix(f.Name, "elicit_")
	}
	// The contexts the reply sets are what the agent holds for the next turn; those
	// the request had and it does not mention keep their remaining lifespan.
	var prev struct {
		QueryResult struct {
			OutputContexts []json.RawMessage `json:"outputContexts"`
		} `json:"queryResult"`
	}
	_ = json.Unmarshal(request, &prev)
	byName := map[string]json.RawMessage{}
	var order []string
	for _, list := range [][]json.RawMessage{prev.QueryResult.OutputContexts, r.OutputContexts} {
		for _, raw := range list {
			var n struct {
				Name string `json:"name"`
			}
			_ = json.Unmarshal(raw, &n)
			if _, ok := byName[n.Name]; !ok {
				order = append(order, n.Name)
			}
			byName[n.Name] = raw
		}
	}
	ctxs := make([]json.RawMessage, 0, len(order))
	for _, n := range order {
		ctxs = append(ctxs, byName[n])
	}
	carry, _ := json.Marshal(map[string]any{"outputContexts": ctxs})
	return v, carry
}
