package dialogflowcx

import (
	"encoding/json"
	"maps"

	"github.com/switchboard-dev/switchboard/shared/platform"
)

// simulator plays Dialogflow CX in the conversation console: the session's
// parameters carry the conversation from one turn to the next.
var simulator = &platform.Simulator{Short: []string{"cx"}, Request: consoleRequest, Read: consoleRead}

func consoleRequest(t platform.ConsoleTurn) ([]byte, error) {
	var carry struct {
		Parameters map[string]any `json:"parameters"`
	}
	_ = json.Unmarshal(t.Carry, &carry)
	params := map[string]any{}
	maps.Copy(params, carry.Parameters)
	intentParams := map[string]any{}
	for k, v := range t.Slots {
		params[k] = v
		intentParams[k] = map[string]any{"originalValue": v, "resolvedValue": v}
	}
	agent := "projects/switchboard-console/locations/global/agents/console"
	req := map[string]any{
		"detectIntentResponseId": t.ID,
		"intentInfo": map[string]any{
			"lastMatchedIntent": agent + "/intents/" + t.Intent,
			"displayName":       t.Intent, "parameters": intentParams, "confidence": 1,
		},
		"sessionInfo":     map[string]any{"session": agent + "/sessions/" + t.Session, "parameters": params},
		"pageInfo":        consolePage(t, agent, params),
		"fulfillmentInfo": map[string]any{"tag": t.Name},
		"text":            t.Text,
		"languageCode":    t.Language,
	}
	if t.Token != "" {
		req["payload"] = map[string]any{"identity_token": t.Token}
	}
	return json.MarshalIndent(req, "", "  ")
}

// consolePage is the page the console's agent is on: one page per intent whose form
// lists every parameter the intent may ask for (as the CX guide sets agents up), so a
// re-prompt can mark its parameter the way a real agent's form allows.
func consolePage(t platform.ConsoleTurn, agent string, params map[string]any) map[string]any {
	var info []any
	for _, name := range t.Form {
		state := "EMPTY"
		if v, ok := params[name]; ok && v != nil && v != "" {
			state = "FILLED"
		}
		info = append(info, map[string]any{"displayName": name, "required": false, "state": state})
	}
	return map[string]any{
		"currentPage": agent + "/flows/00000000-0000-0000-0000-000000000000/pages/" + t.Intent,
		"displayName": t.Intent,
		"formInfo":    map[string]any{"parameterInfo": info},
	}
}

func consoleRead(request, reply []byte) (platform.View, json.RawMessage) {
	var r struct {
		FulfillmentResponse *struct {
			Messages []platform.DialogflowMessage `json:"messages"`
		} `json:"fulfillmentResponse"`
		SessionInfo *struct {
			Parameters map[string]any `json:"parameters"`
		} `json:"sessionInfo"`
		PageInfo *struct {
			FormInfo *struct {
				ParameterInfo []struct {
					DisplayName string `json:"displayName"`
					State       string `json:"state"`
				} `json:"parameterInfo"`
			} `json:"formInfo"`
		} `json:"pageInfo"`
	}
	var v platform.View
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v, nil
	}
	if f := r.FulfillmentResponse; f != nil {
		platform.ReadDialogflowMessages(&v, f.Messages)
	}
	if p := r.PageInfo; p != nil && p.FormInfo != nil {
		for _, pi := range p.FormInfo.ParameterInfo {
			if pi.State == "INVALID" || pi.State == "EMPTY" {
				v.Elicit = pi.DisplayName
				break
			}
		}
	}
	// CX keeps the session's parameters (those the request carried) across turns;
	// the webhook's are merged in, a null deleting one.
	var prev struct {
		SessionInfo struct {
			Parameters map[string]any `json:"parameters"`
		} `json:"sessionInfo"`
	}
	_ = json.Unmarshal(request, &prev)
	params := map[string]any{}
	maps.Copy(params, prev.SessionInfo.Parameters)
	if r.SessionInfo != nil {
		for k, val := range r.SessionInfo.Parameters {
			if val == nil {
				delete(params, k)
			} else {
				params[k] = val
			}
		}
	}
	carry, _ := json.Marshal(map[string]any{"parameters": params})
	return v, carry
}
