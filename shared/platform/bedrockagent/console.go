package bedrockagent

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

// simulator plays an Amazon Bedrock agent's action group in the conversation console,
// in its function-details form: the agent passes every parameter it knows for the
// function (the model keeps them across its turns), and the application's session
// attributes (the identity token among them) come back with every call.
var simulator = &platform.Simulator{Short: []string{"bedrock"}, Request: consoleRequest, Read: consoleRead}

// consoleCarry is what the console keeps between turns: the session attributes the
// last response returned and the function's parameters so far.
type consoleCarry struct {
	SessionAttributes map[string]string `json:"sessionAttributes,omitempty"`
	Function          string            `json:"function,omitempty"`
	Parameters        map[string]string `json:"parameters,omitempty"`
}

func consoleRequest(t platform.ConsoleTurn) ([]byte, error) {
	var carry consoleCarry
	_ = json.Unmarshal(t.Carry, &carry)
	params := map[string]string{}
	if t.Continues && carry.Function == t.Name {
		maps.Copy(params, carry.Parameters)
	} else {
		// A new function: the model passes what the conversation already told it
		// (the email from a lookup, say) for the parameters this function has.
		for _, name := range t.Form {
			if v, ok := carry.Parameters[name]; ok {
				params[name] = v
			}
		}
	}
	maps.Copy(params, t.Slots)
	attrs := map[string]string{}
	maps.Copy(attrs, carry.SessionAttributes)
	// Set by the application that calls InvokeAgent, never by the model: the token and
	// the reply language.
	if t.Token != "" {
		attrs[conversation.IdentityField] = t.Token
	}
	if t.Language != "" {
		attrs["locale"] = t.Language
	}
	ev := Event{
		MessageVersion:          "1.0",
		Agent:                   Agent{Name: "SwitchboardConsoleAgent", ID: "CONSOLE", Alias: "TSTALIASID", Version: "DRAFT"},
		InputText:               t.Text,
		SessionID:               t.Session,
		ActionGroup:             "switchboard",
		Function:                t.Name,
		Parameters:              []Parameter{},
		SessionAttributes:       attrs,
		PromptSessionAttributes: map[string]string{},
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		ev.Parameters = append(ev.Parameters, Parameter{Name: k, Type: "string", Value: params[k]})
	}
	return json.Marshal(ev)
}

func consoleRead(request, reply []byte) (platform.View, json.RawMessage) {
	var v platform.View
	var r Response
	if err := json.Unmarshal(reply, &r); err != nil {
		v.Error = "reply is not JSON"
		return v, nil
	}
	var req Event
	_ = json.Unmarshal(request, &req)
	carry := consoleCarry{SessionAttributes: r.SessionAttributes, Function: req.Function, Parameters: map[string]string{}}
	for _, p := range req.Parameters {
		carry.Parameters[p.Name] = p.Value
	}
	if fr := r.Response.FunctionResponse; fr != nil {
		// The TEXT body is the tool API's result (Encode); a refusal's is a sentence.
		text := fr.ResponseBody["TEXT"].Body
		var b Body
		if json.Unmarshal([]byte(text), &b) == nil {
			v = toolapi.View(b)
		} else if text != "" {
			v.Texts = append(v.Texts, text)
		}
	}
	out, _ := json.Marshal(carry)
	return v, out
}
