package tests

import "strings"

// Editing a Bedrock agent action group event (events/bedrock-agent): its parameters
// are a list, and an API-schema event also carries the request body's properties.

// bedrockParams returns the lists a parameter may be in: the request body's
// properties when the event has a JSON request body, else the parameters.
func bedrockSetParam(ev map[string]any, name string, v *string) {
	list := func() ([]any, func([]any)) {
		if rb, ok := ev["requestBody"].(map[string]any); ok {
			if c, ok := rb["content"].(map[string]any); ok {
				if js, ok := c["application/json"].(map[string]any); ok {
					ps, _ := js["properties"].([]any)
					return ps, func(n []any) { js["properties"] = n }
				}
			}
		}
		ps, _ := ev["parameters"].([]any)
		return ps, func(n []any) { ev["parameters"] = n }
	}
	ps, set := list()
	kept := make([]any, 0, len(ps)+1)
	for _, p := range ps {
		if pm, ok := p.(map[string]any); ok && pm["name"] == name {
			continue
		}
		kept = append(kept, p)
	}
	if v != nil {
		kept = append(kept, map[string]any{"name": name, "type": "string", "value": *v})
	}
	set(kept)
}

// bedrockWithTurn gives a Bedrock event its session and, since the event carries no
// request id (the adapter hashes the call), a distinct user text per turn.
func bedrockWithTurn(ev map[string]any, session, turn string) {
	ev["sessionId"] = session
	text, _ := ev["inputText"].(string)
	if i := strings.Index(text, " [turn "); i >= 0 {
		text = text[:i]
	}
	ev["inputText"] = text + " [turn " + turn + "]"
}
